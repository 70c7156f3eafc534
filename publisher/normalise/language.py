"""Language detection with lingua, for articles whose metadata gives none.

lingua (a Rust library with Python bindings) is asked to choose only among the
languages publisher has rules for (``DETECTED_LANGUAGES``: quotes, spacing,
upper case, direction), in its low-accuracy mode (trigram models only). It
loads a model only for a language whose script the text uses, so a Latin-script
article loads five small models and an Arabic one three: a few milliseconds,
where py3langid, used before, unpacked a 70 MB model for 97 languages in half a
second. On short news texts (a headline and a first paragraph,
``tests/data/language_id/``) it is right as often as py3langid, or more often
(see the README's Performance section and ``tests/test_language_id.py``).

An article in another language is labelled with the nearest of these, so it
needs its language given (``--lang``, the sidecar or the metadata).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import LanguageDetector

__all__ = ["DEFAULT_LANGUAGE", "DETECTED_LANGUAGES", "detect_language"]

DEFAULT_LANGUAGE = "en"

#: The languages detection chooses from (ISO 639-1): those with their own rules
#: in publisher (typography, Turkish casing, right-to-left layout). Persian,
#: Hebrew and Urdu are here so their texts are not taken for Arabic; their models
#: load only for text in their scripts.
DETECTED_LANGUAGES = ("en", "fr", "de", "es", "tr", "ar", "fa", "he", "ur")

#: Below this many letters a guess is not worth making.
MIN_LETTERS = 20

#: Enough text to be sure; more only costs time.
_SAMPLE = 2000

_LOCK = threading.Lock()


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the text's language; "en" when unsure.

    >>> detect_language("Le gouvernement a présenté mercredi son projet de loi sur les retraites.")
    'fr'
    >>> detect_language("Die Regierung hat am Montag neue Maßnahmen gegen Inflation beschlossen.")
    'de'
    >>> detect_language("OK"), detect_language("")
    ('en', 'en')
    """
    sample = text[:_SAMPLE]
    if sum(char.isalpha() for char in sample) < MIN_LETTERS:
        return DEFAULT_LANGUAGE
    try:
        # lingua loads a language's model on first need; one thread at a time does.
        with _LOCK:
            language = _detector().detect_language_of(sample)
    except Exception:  # a broken install must not stop an article from building
        return DEFAULT_LANGUAGE
    if language is None:  # too close to call
        return DEFAULT_LANGUAGE
    return str(language.iso_code_639_1.name).lower()


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    """lingua's detector for ``DETECTED_LANGUAGES``, built once per process (models load lazily)."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in DETECTED_LANGUAGES]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_low_accuracy_mode().build()
