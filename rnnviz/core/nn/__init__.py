"""Networks: recurrent cells, task heads, the model that joins them, losses, gradient checks.

Imports nothing from rnnviz.core.data or rnnviz.core.train.
"""
