"""The classifiers behind one interface: the toxicity model and the spam stage.

Nothing here knows Flask, Celery or the database: the app hands over its settings when it is
created (use_settings). The toxicity model is loaded once per worker process (after the fork)
and kept in workers.classifiers.toxicity; it is imported on first use, so that reading the spam
settings does not load it.
"""

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workers.classifiers.toxicity import ToxicityModel

log = logging.getLogger(__name__)

_settings: Mapping[str, Any] = {}


def use_settings(settings: Mapping[str, Any]) -> None:
    """Keep the app's settings: the toxicity model loads from them on first use."""
    global _settings
    _settings = settings


def load_toxicity(config: Mapping[str, Any]) -> "ToxicityModel":
    """Load the configured model, make it this process's active one, and say which it is."""
    from workers.classifiers import toxicity

    model = toxicity.load_toxicity_model(toxicity.ToxicitySettings.from_config(config))
    toxicity.set_active_model(model)
    level = logging.WARNING if model.offline_fallback else logging.INFO
    log.log(
        level,
        "toxicity.active_model",
        extra={
            "model": model.name,
            "version": model.version,
            "offline_fallback": model.offline_fallback,
        },
    )
    return model


def toxicity_model() -> "ToxicityModel":
    """Return this process's model, loading it on first use (e.g. in a solo-pool worker)."""
    from workers.classifiers import toxicity

    return toxicity.get_active_model() or load_toxicity(_settings)


def describe(model) -> dict:
    return {
        "name": model.name,
        "version": model.version,
        "labels": list(model.labels),
        "languages": sorted(model.languages),
        "offline_fallback": model.offline_fallback,
        "fallback_for": model.fallback_for,
        "fast_path": model.fast_path,
        "spans": model.spans,
    }
