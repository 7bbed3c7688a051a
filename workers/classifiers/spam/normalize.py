"""Fold the tricks spammers use to dodge word lists: Unicode look-alikes, zero-width characters,
spaced-out letters and leetspeak."""

import re
import unicodedata
from functools import lru_cache

# Letters from other scripts that look like Latin ones and that NFKC leaves alone
# (lower case only: we fold after casefold()).
_LOOKALIKES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
        "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i",
        "ј": "j", "ԁ": "d", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ь": "b",
        # Greek
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
        "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ω": "w",
        # Latin letters that NFKD does not split into base + mark
        "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ɡ": "g",
    }
)  # fmt: skip

# Digits and symbols read as letters inside words ("v1agra", "ca$ino", "fr33").
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                       "@": "a", "$": "s", "!": "i", "|": "l"})  # fmt: skip
_LEET_CHARS = frozenset("013457@$!|")

# A word with leet characters inside it; trailing "!" is punctuation, not a letter. A token
# starts only after a non-token character, and only words with a leet character (or "!") in
# their first run are handed to _unleet: the others come back unchanged anyway.
_TOKEN = re.compile(r"(?<![\w@$|])(?=[\w@$|]*[013457@$|!])[\w@$|]+(?:!+[\w@$|]+)*")

# "c a s i n o", "c.a.s.i.n.o", "c-a-s-i-n-o": four or more single characters, one separator.
_SPACED_OUT = re.compile(r"(?<!\w)(\w)(?P<sep>[ .\-_*])\w(?:(?P=sep)\w){2,}(?!\w)")

# Numbers with a unit or ordinal ("3rd", "10am", "100mg") are not leetspeak.
_NUMBER_WITH_UNIT = re.compile(r"\d+[a-z]{1,3}")


def _invisible_ranges(code_points) -> str:
    """Return a regex class body of the Unicode "format" characters and combining marks among
    code_points."""
    ranges: list[list[int]] = []
    for cp in code_points:
        ch = chr(cp)
        if unicodedata.category(ch) == "Cf" or unicodedata.combining(ch):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    return "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)


# Zero-width spaces/joiners, soft hyphens, bidi controls (category Cf) and, once text is
# decomposed, accents (combining marks): dropped in C-level passes, not a loop per character.
# They live in planes 0, 1 and 14 only; scanning those keeps the import quick. Two patterns:
# a class within plane 0 is a bitmap, one lookup per character, while ranges beyond it are
# tried one by one, so those are tried only at a character beyond plane 0 (five times faster
# on a page of Cyrillic).
_INVISIBLE_BMP = re.compile(f"[{_invisible_ranges(range(0x10000))}]+")
_INVISIBLE_ASTRAL = re.compile(
    "(?=[\U00010000-\U0010ffff])"
    f"[{_invisible_ranges((*range(0x10000, 0x20000), *range(0xE0000, 0xE1000)))}]+"
)
_FIRST_LOOKALIKE = min(_LOOKALIKES)


# The spam stage folds one body from several places (rules, links, content signals): the
# last few results are kept so each text is folded once.
@lru_cache(maxsize=16)
def fold(text: str) -> str:
    """Return text with NFKC, case folding, accents, look-alikes and invisible characters folded."""
    if text.isascii():  # NFKC, NFKD and NFC leave ASCII as it is; it has no marks or look-alikes
        return _collapse_whitespace(text.lower())
    text = unicodedata.normalize("NFKC", text).casefold()
    # Drop accents ("vìagra", "cäsino") by decomposing and removing combining marks, and the
    # format characters with them (NFKD neither makes nor splits those).
    text = unicodedata.normalize("NFKD", text)
    text = _INVISIBLE_ASTRAL.sub("", _INVISIBLE_BMP.sub("", text))
    text = unicodedata.normalize("NFC", text)
    # One replace per look-alike: str.translate with a dict pays an exception per other
    # character, ten times slower on a page of Cyrillic or CJK.
    if text and ord(max(text)) >= _FIRST_LOOKALIKE:
        for code, latin in _LOOKALIKES.items():
            text = text.replace(chr(code), latin)
    return _collapse_whitespace(text)


def _collapse_whitespace(text: str) -> str:
    """Return text with each run of whitespace one space, none at either end."""
    # str.split() knows the same whitespace as the regex \s and is four times faster than
    # substituting \s+ (which rewrites every single space as well).
    return " ".join(text.split())


def _unspace(match: re.Match[str]) -> str:
    return match.group(0).replace(match.group("sep"), "")


def _unleet(token: str) -> str:
    letters = sum(map(str.isalpha, token))
    leet = sum(map(token.count, _LEET_CHARS))
    # Only words that are mostly letters: keeps "$500", "2026", "10am" and "$5k" as they are.
    if leet and letters >= 2 and letters >= leet and not _NUMBER_WITH_UNIT.fullmatch(token):
        return token.translate(_LEET)
    return token


@lru_cache(maxsize=16)
def normalize(text: str) -> str:
    """Return the form of text that word lists and patterns are matched against."""
    text = _SPACED_OUT.sub(_unspace, fold(text))
    # Words recur (spam repeats itself most): each distinct one is weighed once per text.
    unleeted: dict[str, str] = {}

    def unleet(match: re.Match[str]) -> str:
        token = match.group(0)
        if token not in unleeted:
            unleeted[token] = _unleet(token)
        return unleeted[token]

    return _TOKEN.sub(unleet, text)
