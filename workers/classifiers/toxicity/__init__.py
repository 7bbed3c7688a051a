"""Toxicity scores for comments: Detoxify, a Hugging Face classifier, or the offline model.

Load once per worker process, after the fork: `load_toxicity_model(settings)` then
`set_active_model(model)`, with `ToxicitySettings.from_config(app_config)`. torch,
transformers and Detoxify are imported only when a transformer loads, so the web tier can
import this package for its types. Nothing here imports Flask, Celery or the database.
"""

from workers.classifiers.toxicity.active import get_active_model, set_active_model
from workers.classifiers.toxicity.errors import ModelLoadError, WeightsUnavailable
from workers.classifiers.toxicity.labels import LABELS_ORIGINAL
from workers.classifiers.toxicity.loading import load_toxicity_model
from workers.classifiers.toxicity.model import PRIMARY_LANGUAGE, ToxicityModel
from workers.classifiers.toxicity.offline import OfflineModel
from workers.classifiers.toxicity.results import SpanScore, ToxicityResult
from workers.classifiers.toxicity.settings import ToxicitySettings

__all__ = [
    "LABELS_ORIGINAL",
    "PRIMARY_LANGUAGE",
    "ModelLoadError",
    "OfflineModel",
    "SpanScore",
    "ToxicityModel",
    "ToxicityResult",
    "ToxicitySettings",
    "WeightsUnavailable",
    "get_active_model",
    "load_toxicity_model",
    "set_active_model",
]
