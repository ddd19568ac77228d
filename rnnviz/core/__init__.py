"""The numerical core: NumPy only. Nothing here imports Qt or pyqtgraph."""
