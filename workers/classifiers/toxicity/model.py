"""What every toxicity model does: score comments and, where asked, their sentences."""

from collections.abc import Mapping, Sequence

import numpy as np

from workers.classifiers import language as lang
from workers.classifiers.sentences import split_sentences
from workers.classifiers.toxicity.results import SpanScore, ToxicityResult

PRIMARY_LANGUAGE = "en"
# Sentences scored per comment: past this, a wall of text would crowd out other comments.
MAX_SPANS = 50
# Probe texts: different lengths, so the agreement check also covers padding inside a batch.
PROBE_TEXTS = (
    "Thanks for the article, I agree with the last point.",
    "You are an idiot and nobody wants to read this.",
    "ok",
    "The council voted today. Some people are happy about it, others are not, and the"
    " comments below show it. I hate how this debate turns into insults every time!",
)


class ToxicityModel:
    """A loaded model: scores comments and their sentences in one pass, skips foreign ones."""

    name: str
    version: str
    labels: tuple[str, ...]
    languages: frozenset[str]
    offline_fallback: bool = False
    fallback_for: str | None = None  # the model that was asked for, when this one stands in
    fast_path: str = "off"  # what actually runs: onnx-int8, torch-int8, torch-fp32, sklearn

    def __init__(self, *, lang_detect: bool = True, spans: str = "flagged"):
        self.lang_detect = lang_detect
        self.spans = spans  # a settings.SPAN_MODES value

    def score(
        self, texts: Sequence[str], thresholds: Sequence[Mapping[str, float]] | None = None
    ) -> list[ToxicityResult]:
        """Score texts (same order back), with their sentences' scores.

        Sentences go in the same batch as the comments, except with spans="flagged" and
        thresholds given (label -> threshold, per text): then only texts with a label at or
        over its threshold get sentence scores, all of theirs in one more batched pass.
        """
        rows: dict[str, int] = {}  # distinct text -> row of the model's output

        def row(text: str) -> int:
            return rows.setdefault(text, len(rows))

        plans = []  # per text: language, its row (None: not scored), its sentences' offsets
        for text in texts:
            language, supported = self._language(text)
            if not supported:  # held for a human as LANG_UNSUPPORTED: a score means nothing
                plans.append((language, None, []))
                continue
            sentences = split_sentences(text)[:MAX_SPANS] if self.spans != "off" else []
            plans.append((language, row(text), sentences if len(sentences) >= 2 else []))

        probabilities = None
        if self.spans == "flagged" and thresholds is not None and rows:
            # Whole comments first: only those over a threshold need their sentences.
            probabilities = self._predict(list(rows))
            for i, (plan, limits) in enumerate(zip(plans, thresholds, strict=True)):
                language, comment_row, sentences = plan
                if sentences and not self._reaches(probabilities[comment_row], limits):
                    plans[i] = (language, comment_row, [])
        scored = 0 if probabilities is None else len(probabilities)
        for text, (_, _, sentences) in zip(texts, plans, strict=True):
            for begin, end in sentences:
                row(text[begin:end])
        if len(rows) > scored:
            fresh = self._predict(list(rows)[scored:])
            if probabilities is not None:  # the comments' rows come first
                fresh = np.concatenate([probabilities, fresh])
            probabilities = fresh

        results = []
        for text, (language, comment_row, sentences) in zip(texts, plans, strict=True):
            if comment_row is None:
                results.append(ToxicityResult({}, [], language, False))
                continue
            spans = [
                SpanScore(b, e, self._scores(probabilities[rows[text[b:e]]])) for b, e in sentences
            ]
            scores = self._scores(probabilities[comment_row])
            results.append(ToxicityResult(scores, spans, language, True))
        return results

    def _reaches(self, probabilities: np.ndarray, thresholds: Mapping[str, float]) -> bool:
        """Whether any label's score is at or over its threshold."""
        return any(
            p >= thresholds[label]
            for label, p in zip(self.labels, probabilities, strict=True)
            if label in thresholds
        )

    def warm_up(self) -> None:
        """Run once so the first real batch does not pay for lazy initialisation."""
        lang.warm_up()
        self.score(PROBE_TEXTS)

    def _language(self, text: str) -> tuple[str, bool]:
        if not self.lang_detect:
            return PRIMARY_LANGUAGE, True
        return lang.detect_language(text, self.languages, PRIMARY_LANGUAGE)

    def _scores(self, probabilities: np.ndarray) -> dict[str, float]:
        return {label: float(p) for label, p in zip(self.labels, probabilities, strict=True)}

    def _predict(self, texts: list[str]) -> np.ndarray:
        """Return probabilities, shape (len(texts), len(labels))."""
        raise NotImplementedError
