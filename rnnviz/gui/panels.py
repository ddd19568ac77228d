"""The window's panels, in reading order: a new panel is its own file plus one line here."""

from .calibration_panel import CalibrationPanel
from .dynamics_panel import DynamicsPanel
from .gradient_panel import GradientPanel
from .hidden_state_panel import HiddenStatePanel
from .loss_panel import LossPanel
from .prediction_panel import PredictionPanel
from .state_space_panel import StateSpacePanel

PANELS = (
    LossPanel,
    GradientPanel,
    PredictionPanel,
    HiddenStatePanel,
    CalibrationPanel,
    DynamicsPanel,
    StateSpacePanel,
)
