"""The vanilla cell with the backprop bug of a widely copied from-scratch tutorial, for the lesson
that shows why gradients are checked. Never a cell to train a real model with.

Backprop through h_t = tanh(W_hh h_{t-1} + ...) sends da_t back to h_{t-1} as W_hh^T da_t; the
copied code wrote W_hh @ da_t. The forward pass is the vanilla cell's, so the model reads text as
one would; only its gradients are wrong (the gradient check's largest relative error on W_hh,
W_ih and b_ih is near 2: entries of the wrong sign), and learning slows. Not exported: a lesson's.
"""

from .cell import StateNorms
from .sparse import Grad
from .vanilla import VanillaCell


class TransposeBugCell(VanillaCell):
    name = "vanilla-bug"
    export = None
    equations = VanillaCell.equations + " (backprop: W_hh da where the chain rule needs W_hh^T da)"

    def backward(self, params, trace, d_outputs, truncate) -> tuple[dict[str, Grad], StateNorms]:
        """The vanilla backward pass given W_hh^T for W_hh: it carries W_hh da_t to step t - 1
        (W_hh enters the vanilla backward only there; dW_hh is built from da_t and h_{t-1})."""
        return super().backward({**params, "W_hh": params["W_hh"].T}, trace, d_outputs, truncate)
