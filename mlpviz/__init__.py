"""mlpviz: watch a multi-layer perceptron learn, one backpropagation step at a time.

Importing this package loads NumPy only; Qt is imported by :mod:`mlpviz.ui` alone.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
