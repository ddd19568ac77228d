"""rnnviz: watch a from-scratch NumPy recurrent network learn."""

__version__ = "0.1.0"
