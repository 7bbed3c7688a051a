"""This worker process's loaded model (loaded once, after the fork)."""

from workers.classifiers.toxicity.model import ToxicityModel

_active: ToxicityModel | None = None


def get_active_model() -> ToxicityModel | None:
    """Return this process's loaded model, if any."""
    return _active


def set_active_model(model: ToxicityModel | None) -> None:
    """Make model this process's model."""
    global _active
    _active = model
