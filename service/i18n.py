"""Message catalogues for what the service tells authors, read from gettext .po files."""

import functools
import gettext
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "statements"
DEFAULT_LANGUAGE = "en"
# The source strings are English; every other language needs a catalogue in LOCALE_DIR.
LANGUAGES = ("en", "fr")


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """Return the catalogue for a language, compiled from its .po file once per process."""
    if language == DEFAULT_LANGUAGE or language not in LANGUAGES:
        return gettext.NullTranslations()
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    # Compiled in memory: no build step, and nothing written beside the installed package.
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
