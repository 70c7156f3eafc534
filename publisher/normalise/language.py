"""Language detection with py3langid, for articles whose metadata gives none.

py3langid's model is 4.5 MB of LZMA that unpacks to some 70 MB: loading it
takes about half a second, most of it decompression, which runs without
holding the GIL. So it is loaded once per process, on first use or ahead of
time in a background thread (``load_model_in_background``) while the caller
does other work, such as importing WeasyPrint.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

__all__ = ["DEFAULT_LANGUAGE", "detect_language", "load_model_in_background"]

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


_LOCK = threading.Lock()
_MODEL: list[Any] = []  # the identifier, once loaded


def _identifier() -> Any:
    """py3langid's identifier, loaded once per process (a second caller waits for the first)."""
    with _LOCK:
        if not _MODEL:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _MODEL.append(LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True))
        return _MODEL[0]


def load_model_in_background() -> None:
    """Start loading the model in a daemon thread, unless it is loaded already.

    ``detect_language`` then waits for it instead of loading it. A failure here
    is left for ``detect_language`` to meet (and handle) again.
    """
    if _MODEL:
        return

    def load() -> None:
        # A failure is not reported here: detect_language meets it again and falls back.
        with contextlib.suppress(Exception):
            _identifier()

    threading.Thread(target=load, name="language-model", daemon=True).start()
