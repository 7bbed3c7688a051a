"""The classifiers behind one interface: the toxicity model and the spam stage.

The toxicity model is loaded once per worker process (after the fork) and kept here.
"""

import logging

from flask import current_app

from workers.classifiers import toxicity

log = logging.getLogger(__name__)


def load_toxicity(config) -> "toxicity.ToxicityModel":
    """Load the configured model, make it this process's active one, and say which it is."""
    model = toxicity.load_toxicity_model(toxicity.ToxicitySettings.from_config(config))
    toxicity.set_active_model(model)
    level = logging.WARNING if model.offline_fallback else logging.INFO
    log.log(level, "toxicity.active_model", extra={
        "model": model.name, "version": model.version, "offline_fallback": model.offline_fallback})
    return model


def toxicity_model() -> "toxicity.ToxicityModel":
    """Return this process's model, loading it on first use (e.g. in a solo-pool worker)."""
    return toxicity.get_active_model() or load_toxicity(current_app.config)


def describe(model) -> dict:
    return {"name": model.name, "version": model.version, "labels": list(model.labels),
            "languages": sorted(model.languages), "offline_fallback": model.offline_fallback,
            "fallback_for": model.fallback_for,
            "fast_path": model.fast_path, "spans": model.spans}
