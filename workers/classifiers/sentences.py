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
# comments often skip punctuation. A run of end marks is tried from its first mark only: trying
# it again from each later mark would rescan the run, quadratic in "!!!!...". The whitespace
# after a boundary goes with it (group 1 is the sentence's end), so a run of blank lines is one
# boundary, not one per line, and the next sentence starts trimmed; the spaces after end marks
# stop at a line break, which stays a boundary of its own in case the marks were an
# abbreviation's.
_BOUNDARY = re.compile(
    r"((?<![.!?\u2026])[.!?\u2026]+[\"'\u2019\u201d)\]]*(?:\s+[^\w\s]+(?=\s|$))*(?=\s)|\n)"
    r"(?:(?<=\n)\s*|[^\S\n]*)"
)
# A letter or digit: \w without the underscore, i.e. str.isalnum().
_ALNUM = re.compile(r"[^\W_]")
_WORD_RUN = re.compile(r"[\w.]+\Z")
# No abbreviation is longer than this: a longer word before a period ends the sentence.
_LONGEST_ABBREVIATION = max(map(len, ABBREVIATIONS))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return the (begin, end) offsets of the sentences in text, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        end = boundary.end(1)
        # Only a boundary ending in a period can be an abbreviation's ("\n" is never one).
        if text[end - 1] == "." and _is_abbreviation(text, start, end):
            continue
        _append(spans, text, start, end)
        start = boundary.end()
    _append(spans, text, start, len(text))
    return spans


def _is_abbreviation(text: str, start: int, end: int) -> bool:
    """Tell whether the period ending text[start:end] belongs to an abbreviation or an initial."""
    # The word is the run of word characters and periods before the final period. Only a short
    # run can be an abbreviation, so only the last few characters are read, never the sentence.
    if end - 3 >= start and text[end - 2].isalpha() and not _in_word(text[end - 3]):
        return True  # an initial, the common case ("J. R. R. Tolkien")
    low = max(start, end - 2 - _LONGEST_ABBREVIATION)
    run = _WORD_RUN.search(text, low, end - 1)
    if run is None or (run.start() == low > start and _WORD_RUN.match(text, low - 1, low)):
        return False
    word = run.group().lower()
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _in_word(char: str) -> bool:
    """Tell whether char is a word character or a period, as _WORD_RUN reads words."""
    return char.isalnum() or char in "_."


def _append(spans: list[tuple[int, int]], text: str, begin: int, end: int) -> None:
    """Add text[begin:end] trimmed; a piece without letters or digits joins the previous one."""
    while begin < end and text[begin].isspace():
        begin += 1
    while end > begin and text[end - 1].isspace():
        end -= 1
    if begin == end:
        return
    # "Great!!! :)" is one sentence, not "Great!!!" and ":)".
    if spans and not _ALNUM.search(text, begin, end):
        spans[-1] = (spans[-1][0], end)
        return
    spans.append((begin, end))
