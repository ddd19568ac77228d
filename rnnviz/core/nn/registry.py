"""Cells and task heads by name: a new one is its own file plus one line here."""

from .classify import ManyToOne
from .gru import GRUCell
from .lstm import LSTMCell
from .next_token import NextToken
from .vanilla import VanillaCell

CELLS = {cell.name: cell for cell in (VanillaCell(), GRUCell(), LSTMCell())}
TASKS = {head.name: head for head in (ManyToOne(), NextToken())}
LEGACY_CELL_NAMES = {"rnn": "vanilla"}  # names in checkpoints written by rnnviz 0.1
