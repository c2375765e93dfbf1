"""``python -m mlpviz``: same as the ``mlpviz`` command."""

from mlpviz.cli import main

raise SystemExit(main())
