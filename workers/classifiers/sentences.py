"""Split a comment into sentences with character offsets into the original text."""

import re

# Words that end in a period without ending the sentence ("Mr. Smith", "e.g. this").
ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "etc", "e.g", "i.e",
        "u.s", "u.k", "u.n", "inc", "ltd", "co", "corp", "no", "approx", "gov", "sen", "rep",
    }
)  # fmt: skip

# A sentence ends at ., ! or ? (possibly repeated, possibly followed by closing quotes or
# brackets, and by emoticons or emoji such as ":)") before whitespace, or at a line break:
# comments often skip punctuation.
_BOUNDARY = re.compile(r"[.!?\u2026]+[\"'\u2019\u201d)\]]*(?:\s+[^\w\s]+(?=\s|$))*(?=\s)|\n")
_WORD_BEFORE = re.compile(r"([\w.]+)\.$")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return the (begin, end) offsets of the sentences in text, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        if boundary.group() != "\n" and _is_abbreviation(text[start : boundary.end()]):
            continue
        _append(spans, text, start, boundary.end())
        start = boundary.end()
    _append(spans, text, start, len(text))
    return spans


def _is_abbreviation(sentence: str) -> bool:
    """Tell whether the period ending sentence belongs to an abbreviation or an initial."""
    if not sentence.endswith("."):
        return False
    match = _WORD_BEFORE.search(sentence)
    if match is None:
        return False
    word = match.group(1).lower()
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _append(spans: list[tuple[int, int]], text: str, begin: int, end: int) -> None:
    """Add text[begin:end] trimmed; a piece without letters or digits joins the previous one."""
    while begin < end and text[begin].isspace():
        begin += 1
    while end > begin and text[end - 1].isspace():
        end -= 1
    if begin == end:
        return
    # "Great!!! :)" is one sentence, not "Great!!!" and ":)".
    if spans and not any(ch.isalnum() for ch in text[begin:end]):
        spans[-1] = (spans[-1][0], end)
        return
    spans.append((begin, end))
