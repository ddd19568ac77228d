"""Cells and task heads by name: a new one is its own file plus one line here."""

from .bag import BagOfWordsCell
from .classify import ManyToOne
from .gru import GRUCell
from .lstm import LSTMCell
from .next_token import NextToken
from .transpose_bug import TransposeBugCell
from .vanilla import VanillaCell

CELLS = {cell.name: cell for cell in (VanillaCell(), GRUCell(), LSTMCell())}
# The lessons' cells: the bag-of-words baseline (no order, no export) and a faulty copy of the
# vanilla cell (its gradient check fails on purpose). A model may be built, trained, saved and
# checked with them, but what lists the recurrent cells (the horizon, the hand-over to PyTorch
# and ONNX, the benchmarks) leaves them out.
LESSON_CELLS = {cell.name: cell for cell in (BagOfWordsCell(), TransposeBugCell())}
ALL_CELLS = CELLS | LESSON_CELLS
TASKS = {head.name: head for head in (ManyToOne(), NextToken())}
LEGACY_CELL_NAMES = {"rnn": "vanilla"}  # names in checkpoints written by rnnviz 0.1
