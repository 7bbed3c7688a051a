"""What a toxicity model returns for a comment: its scores and its sentences' scores."""

from dataclasses import dataclass


@dataclass(frozen=True)
class SpanScore:
    """Scores of one sentence; begin/end are character offsets into the comment."""

    begin: int
    end: int
    scores: dict[str, float]


@dataclass
class ToxicityResult:
    """Scores for one comment, its sentences' scores, and its detected language."""

    scores: dict[str, float]
    spans: list[SpanScore]
    language: str
    language_supported: bool
