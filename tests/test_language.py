"""Language detection: foreign comments are recognised, short or unclear ones are not."""

import pytest

from workers.classifiers.language import ENGLISH, MULTILINGUAL, detect_language

GERMAN = "Das ist ein sehr dummer Kommentar, ehrlich gesagt. Ich bin nicht einverstanden."
FRENCH = "Ce gouvernement est une honte absolue, et personne ne veut le dire."
SPANISH = "Este artículo es muy interesante, gracias por escribirlo con tanto cuidado."
RUSSIAN = "Это очень глупый комментарий, и автор статьи ничего не понимает."
DUTCH = "Ik ben het er helemaal niet mee eens, dit artikel is onzin."


@pytest.mark.parametrize(
    "text",
    [
        "This is a great article, thanks for writing it.",
        "Boris Johnson lied again, what a surprise",
        "lmao this guy is a clown",
        "The council should have fixed the roads years ago; my taxes went up 12% in 2024.",
    ],
)
def test_english_is_english(text):
    assert detect_language(text, ENGLISH) == ("en", True)


@pytest.mark.parametrize(
    ("text", "language"),
    [(GERMAN, "de"), (FRENCH, "fr"), (SPANISH, "es"), (RUSSIAN, "ru"), (DUTCH, "nl")],
)
def test_foreign_comments_are_unsupported_by_an_english_model(text, language):
    assert detect_language(text, ENGLISH) == (language, False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (FRENCH, ("fr", True)),
        (SPANISH, ("es", True)),
        (RUSSIAN, ("ru", True)),
        (GERMAN, ("de", False)),
        (DUTCH, ("nl", False)),
    ],
)
def test_the_multilingual_model_supports_its_seven_languages(text, expected):
    assert detect_language(text, MULTILINGUAL) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ok thanks!",
        "lol",
        "+1",
        "Merci!",
        "Danke",
        "Ciao bella",
        "smh",
        "",
        "   ",
        "👍👍",
        "https://example.com/news/2026/11/25",
        "Stupid comment.",
        "No way Jose",
    ],
)
def test_short_or_unclear_text_counts_as_the_primary_language(text):
    assert detect_language(text, ENGLISH) == ("en", True)


def test_the_primary_language_is_the_models(text="ok merci"):
    assert detect_language(text, frozenset({"fr"}), primary="fr") == ("fr", True)
