"""The shipped offline model: alt-profanity-check's linear model, English only."""

from importlib import metadata

import numpy as np

from workers.classifiers import language as lang
from workers.classifiers.toxicity.model import ToxicityModel


class OfflineModel(ToxicityModel):
    """alt-profanity-check's linear model: a real toxicity probability, English only."""

    name = "offline-profanity-check"
    labels = ("toxicity",)
    languages = lang.ENGLISH
    offline_fallback = True
    fast_path = "sklearn"

    def __init__(self, fallback_for: str | None = None, **options):
        super().__init__(**options)
        import profanity_check  # loads its vectorizer and model from the package

        self._predict_prob = profanity_check.predict_prob
        self.version = f"alt-profanity-check {metadata.version('alt-profanity-check')}"
        self.fallback_for = fallback_for

    def _predict(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._predict_prob(texts), dtype=np.float32).reshape(-1, 1)
