"""Detect a comment's language, erring towards the model's primary language when unsure."""

import threading

ENGLISH = frozenset({"en"})
# Detoxify's multilingual model was trained on these (Jigsaw multilingual challenge).
MULTILINGUAL = frozenset({"en", "fr", "es", "it", "pt", "tr", "ru"})

# Below this many letters ("ok thanks!", "lol", "+1") the identifier guesses at random.
MIN_LETTERS = 12
# py3langid's normalised probability needed to call a comment foreign; below it we score
# the comment as the primary language, because holding every slangy English comment for
# review costs more than scoring the odd foreign one.
MIN_CONFIDENCE = 0.80
# Only the start is needed to tell the language, and long comments cost time.
MAX_CHARS = 2000
# Labels that are not a language: code, URLs, symbols.
NOT_A_LANGUAGE = frozenset({"zxx", "und"})

_identifier = None
_identifier_lock = threading.Lock()


def _get_identifier():
    """Load py3langid's model once per process (about half a second)."""
    global _identifier
    with _identifier_lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


def detect_language(text: str, supported: frozenset[str], primary: str = "en") -> tuple[str, bool]:
    """Return (ISO 639-1 code, whether supported) for text; primary when unsure."""
    sample = text[:MAX_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return primary, primary in supported
    language, confidence = _get_identifier().classify(sample)
    if confidence < MIN_CONFIDENCE or language in NOT_A_LANGUAGE:
        return primary, primary in supported
    return language, language in supported


def identify_language(text: str) -> str:
    """Return the likeliest ISO 639-1 code of text, "und" when there is too little to tell."""
    sample = text[:MAX_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return "und"
    language, _ = _get_identifier().classify(sample)
    return "und" if language in NOT_A_LANGUAGE else language


def warm_up() -> None:
    """Load the identifier now, so the first comment does not pay for it."""
    _get_identifier()
