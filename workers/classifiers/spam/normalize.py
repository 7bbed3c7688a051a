"""Fold the tricks spammers use to dodge word lists: Unicode look-alikes, zero-width characters,
spaced-out letters and leetspeak."""

import re
import unicodedata

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

# A word with leet characters inside it; trailing "!" is punctuation, not a letter.
_TOKEN = re.compile(r"[\w@$|]+(?:!+[\w@$|]+)*")

# "c a s i n o", "c.a.s.i.n.o", "c-a-s-i-n-o": four or more single characters, one separator.
_SPACED_OUT = re.compile(r"(?<!\w)(\w)(?P<sep>[ .\-_*])\w(?:(?P=sep)\w){2,}(?!\w)")

# Numbers with a unit or ordinal ("3rd", "10am", "100mg") are not leetspeak.
_NUMBER_WITH_UNIT = re.compile(r"\d+[a-z]{1,3}")

_WHITESPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Return text with NFKC, case folding, accents, look-alikes and invisible characters folded."""
    text = unicodedata.normalize("NFKC", text).casefold()
    # Zero-width spaces/joiners, soft hyphens, bidi controls: all Unicode "format" characters.
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    # Drop accents ("vìagra", "cäsino") by decomposing and removing combining marks.
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFC", text).translate(_LOOKALIKES)
    return _WHITESPACE.sub(" ", text).strip()


def _unspace(match: re.Match[str]) -> str:
    return match.group(0).replace(match.group("sep"), "")


def _unleet(match: re.Match[str]) -> str:
    token = match.group(0)
    letters = sum(ch.isalpha() for ch in token)
    leet = sum(ch in _LEET_CHARS for ch in token)
    # Only words that are mostly letters: keeps "$500", "2026", "10am" and "$5k" as they are.
    if leet and letters >= 2 and letters >= leet and not _NUMBER_WITH_UNIT.fullmatch(token):
        return token.translate(_LEET)
    return token


def normalize(text: str) -> str:
    """Return the form of text that word lists and patterns are matched against."""
    text = _SPACED_OUT.sub(_unspace, fold(text))
    return _TOKEN.sub(_unleet, text)
