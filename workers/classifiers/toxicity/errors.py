"""Why a toxicity model cannot be loaded."""


class ModelLoadError(RuntimeError):
    """The configured toxicity model cannot be loaded; the worker must not start."""


class WeightsUnavailable(Exception):
    """A named Detoxify model's weights are neither cached nor downloadable."""
