"""User-facing errors: each carries a one-line message that the CLI and the window show as is."""


class RnnvizError(Exception):
    """Base class for errors caused by the user's input, not by a bug."""


class DatasetError(RnnvizError):
    """A dataset file or folder cannot be read or makes no sense."""


class CheckpointError(RnnvizError):
    """A checkpoint file is refused (corrupt, foreign, pickled, newer format)."""


class ConfigError(RnnvizError):
    """A hyperparameter is out of range or unknown."""
