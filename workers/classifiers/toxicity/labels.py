"""Label names: Detoxify's, and the other spellings a model's config may give them."""

from collections.abc import Iterable

from workers.classifiers import language as lang
from workers.classifiers.toxicity.errors import ModelLoadError

LABELS_ORIGINAL = (
    "toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack",
)  # fmt: skip
# unbiased and multilingual add "sexual_explicit"; a checkpoint names its own labels.
DETOXIFY_LABELS = frozenset({*LABELS_ORIGINAL, "sexual_explicit"})

# Detoxify's named models and the languages each was trained on.
DETOXIFY_MODELS = {
    "original": lang.ENGLISH,
    "unbiased": lang.ENGLISH,
    "multilingual": lang.MULTILINGUAL,
    "original-small": lang.ENGLISH,
    "unbiased-small": lang.ENGLISH,
}

# Other names for Detoxify's labels: the Jigsaw class names (as Detoxify's checkpoints and
# many distilled students store them) and Perspective's attribute names, lower-cased.
LABEL_ALIASES = {
    "toxic": "toxicity",
    "severe_toxic": "severe_toxicity",
    "identity_hate": "identity_attack",
    "profanity": "obscene",
    "sexually_explicit": "sexual_explicit",
}


def detoxify_name(label: str) -> str | None:
    """Return Detoxify's name for a label as a model config spells it, or None if unknown."""
    key = label.strip().lower().replace("-", "_").replace(" ", "_")
    key = LABEL_ALIASES.get(key, key)
    return key if key in DETOXIFY_LABELS else None


def detoxify_labels(labels: Iterable[str], source: str) -> tuple[str, ...]:
    """Map a model's labels to Detoxify's names; refuse a model with any label not known."""
    labels = list(labels)
    named = [detoxify_name(label) for label in labels]
    unknown = [label for label, name in zip(labels, named, strict=True) if name is None]
    if unknown:
        raise ModelLoadError(
            f"{source} has labels this service cannot map to a toxicity attribute: "
            f"{', '.join(map(repr, unknown))}. Accepted: Detoxify's "
            f"({', '.join(sorted(DETOXIFY_LABELS))}), the Jigsaw class names "
            f"({', '.join(k for k in LABEL_ALIASES if not k.startswith(('prof', 'sex')))}) or "
            "Perspective's attribute names (TOXICITY, PROFANITY, ...)"
        )
    duplicated = sorted({n for n in named if named.count(n) > 1})
    if duplicated:
        raise ModelLoadError(f"{source} names the label(s) {', '.join(duplicated)} twice")
    return tuple(named)  # type: ignore[arg-type]  (None was refused above)
