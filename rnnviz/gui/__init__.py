"""The desktop window: the only package that imports PySide6 and pyqtgraph."""

COLOUR_SCHEMES = ("system", "light", "dark")  # here: the CLI names them without importing Qt
