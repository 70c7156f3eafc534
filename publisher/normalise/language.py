"""Language detection with py3langid, for articles whose metadata gives none.

py3langid loads a model of about 1 MB on first use (well under a second), so it
is imported inside the function and the identifier is kept once loaded.
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["DEFAULT_LANGUAGE", "detect_language"]

DEFAULT_LANGUAGE = "en"

#: Below this many letters, or this confidence, a guess is not worth making.
MIN_LETTERS = 20
MIN_CONFIDENCE = 0.5

#: py3langid labels that are not ISO 639-1 codes, mapped to the nearest one.
_TO_ISO_639_1 = {"ary": "ar", "arz": "ar", "uzs": "uz", "yue": "zh", "wuu": "zh", "nn": "no"}

#: Enough text to be sure; more only costs time.
_SAMPLE = 5000


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
        label, confidence = _identifier().classify(sample)
    except Exception:  # a broken model install must not stop an article from building
        return DEFAULT_LANGUAGE
    code = _TO_ISO_639_1.get(str(label), str(label))
    if float(confidence) < MIN_CONFIDENCE or len(code) != 2:
        return DEFAULT_LANGUAGE
    return code


@functools.cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
