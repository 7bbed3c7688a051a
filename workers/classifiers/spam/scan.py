"""Tell which of many patterns occur in a text, in one linear pass (RE2's multi-pattern Set).

Python's re scans a text once per pattern; the spam signals have dozens of patterns, so a long
comment paid dozens of scans. RE2 runs one automaton for all of them. Patterns are written in
Python's syntax; `to_re2` rewrites the few constructs RE2 lacks into equivalents that keep the
answer "does it occur anywhere?" the same: a word boundary becomes "start/end of text or a
non-word character", consumed instead of looked at.
"""

import re

import re2

# Python's \w on str: letters, numbers and "_" (str.isalnum() or "_"); \d: decimal digits;
# \s: str.isspace(). RE2's own \w, \d and \s are ASCII only.
_WORD = r"\pL\pN_"
_DIGIT = r"\p{Nd}"
_SPACE = r"\s\x0b\x1c-\x1f\x85\xa0\p{Zs}\x{2028}\x{2029}"
_NOT_WORD_BEFORE = rf"(?:^|[^{_WORD}])"
_NOT_WORD_AFTER = rf"(?:$|[^{_WORD}])"

_ESCAPES = {r"\w": _WORD, r"\d": _DIGIT, r"\s": _SPACE}
_CONSTRUCT = re.compile(r"\(\?<!\\w\)|\(\?!\\w\)|\(\?=\\w\)|\\[wds]|\\[WDSbB]|\\.|\[|\]")


def to_re2(pattern: str) -> str:
    """Return pattern (Python syntax) rewritten for RE2, matching in the same texts."""
    out, in_class = [], False
    position = 0
    for token in _CONSTRUCT.finditer(pattern):
        out.append(pattern[position : token.start()])
        position = token.end()
        text = token.group()
        if text == "[" and not in_class:
            in_class = True
            out.append(text)
        elif text == "]" and in_class:
            in_class = False
            out.append(text)
        elif text in _ESCAPES:
            out.append(_ESCAPES[text] if in_class else f"[{_ESCAPES[text]}]")
        elif in_class:
            out.append(text)
        elif text == r"(?<!\w)":
            # A second boundary right after the first, "(?<!\w)(?:(?<!\w)x", is the same one.
            if not _ends_with_boundary("".join(out)):
                out.append(_NOT_WORD_BEFORE)
        elif text == r"(?!\w)":
            out.append(_NOT_WORD_AFTER)
        elif text == r"(?=\w)":
            continue  # every pattern given here starts with a word character anyway
        elif text[1] in "WDSbB":
            raise ValueError(f"{text} has no RE2 rewrite here: write \\b as (?<!\\w) or (?!\\w)")
        else:
            out.append(text)
    out.append(pattern[position:])
    return "".join(out)


def _ends_with_boundary(written: str) -> bool:
    """Tell whether written ends with a word-start boundary and group openings only."""
    while written.endswith("(?:"):
        written = written.removesuffix("(?:")
    return written.endswith(_NOT_WORD_BEFORE)


def _options() -> re2.Options:
    options = re2.Options()
    options.max_mem = 64 << 20  # the automaton of ~50 patterns with bounded repeats
    options.log_errors = False
    return options


def compile_re2(pattern: str) -> re2._Regexp:
    """Return pattern (Python syntax) compiled by RE2."""
    return re2.compile(to_re2(pattern), _options())


class PatternSet:
    """Patterns (Python syntax), each told present or absent in a text by one shared pass."""

    def __init__(self, patterns: list[str]):
        self._set = re2.Set.SearchSet(_options())
        for pattern in patterns:
            self._set.Add(to_re2(pattern))
        self._set.Compile()

    def present(self, *texts: str) -> set[int]:
        """Return the indices of the patterns that occur in any of the texts."""
        found: set[int] = set()
        for text in dict.fromkeys(texts):
            found.update(self._set.Match(text.encode()) or ())
        return found
