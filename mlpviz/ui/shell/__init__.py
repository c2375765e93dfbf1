"""The window shell: the app start, the main window, its menus, files and settings, the
transport toolbar, the controls panel, banners and theming."""
