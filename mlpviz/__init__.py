"""mlpviz: watch a multi-layer perceptron learn, one backpropagation step at a time.

The Python API (docs/python-api.md)::

    import mlpviz
    session = mlpviz.open_lesson("xor")      # or mlpviz.Session.from_arrays(X, Y), …
    session.train(100)
    session                                  # in Jupyter: the diagram and key numbers
    print(mlpviz.explain(session))
    mlpviz.snapshot(session, "xor.png")
    mlpviz.record(session, "xor.mp4", "iteration")
    mlpviz.show(session)                     # the app's window, the kernel stays usable

Importing this package loads nothing else: the names below are imported on first use,
NumPy and the model then, Qt only by the functions that draw.
"""

from typing import Any

__version__ = "0.1.0"

#: public name → (module, attribute); attribute None: the module itself
_API: dict[str, tuple[str, str | None]] = {
    "Session": ("mlpviz.model.session", "Session"),
    "Walkthrough": ("mlpviz.model.walkthrough", "Walkthrough"),
    "open_lesson": ("mlpviz.api", "open_lesson"),
    "snapshot": ("mlpviz.api", "snapshot"),
    "explain": ("mlpviz.api", "explain"),
    "show": ("mlpviz.api", "show"),
    "record": ("mlpviz.record", None),  # the package, which records when called
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'mlpviz' has no attribute {name!r}")
    import importlib

    module_name, attribute = _API[name]
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
