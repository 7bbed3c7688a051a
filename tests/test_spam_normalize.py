"""Normalisation folds spammers' disguises and leaves ordinary text readable."""

import pytest

from workers.classifiers.spam import normalize


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("v1agra", "viagra"),
        ("ｃａｓｉｎｏ", "casino"),  # fullwidth
        ("c\u200basino", "casino"),  # zero-width space
        ("ca\u00adsi\u2060no", "casino"),  # soft hyphen, word joiner
        ("саsino", "casino"),  # Cyrillic с and а
        ("𝐜𝐚𝐬𝐢𝐧𝐨", "casino"),  # mathematical bold
        ("CASINO", "casino"),
        ("vìagra", "viagra"),  # accent
        ("ca$ino", "casino"),
        ("c4s1n0", "casino"),
        ("v!agra", "viagra"),
        ("fr33 sp1ns", "free spins"),
        ("c a s i n o", "casino"),
        ("c.a.s.i.n.o", "casino"),
        ("v 1 a g r a", "viagra"),
        ("c-a-s-i-n-o", "casino"),
        ("STRASSE", "strasse"),
        ("  many   spaces\n\there ", "many spaces here"),
    ],
)
def test_disguised_words_fold_to_their_plain_form(written, folded):
    assert normalize(written) == folded


@pytest.mark.parametrize(
    "plain",
    [
        "$500 a day",
        "the vote was 5-2 in 2026",
        "earn $5k now",
        "the 3rd meeting at 10am",
        "100mg",
        "u.s.a",
        "i a m",  # only three single letters: not spaced-out spelling
        "wow! great!",
    ],
)
def test_numbers_units_and_punctuation_are_left_alone(plain):
    assert normalize(plain) == plain


def test_normalisation_is_idempotent():
    text = "Buy ｖ1@gra at c\u200ba$ino.xyz — LIMITED offer!!!"
    assert normalize(normalize(text)) == normalize(text)
