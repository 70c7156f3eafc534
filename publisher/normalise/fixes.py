"""Character and whitespace fixes: small, named, pure ``str -> str`` functions.

Each fix does one thing, is safe to run twice, and never removes a letter or a
digit; the pipeline in ``publisher.normalise`` records what each one changed.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fix_mojibake", "normalise_unicode", "normalise_whitespace", "remove_invisibles"]


#: Every character ftfy's mojibake detector (``ftfy.badness.BADNESS_RE``) looks
#: for, in its 6.x releases: C1 controls, Latin-1, accented capitals and small
#: letters, Greek, Cyrillic, quotes, dashes, signs and box drawing.
_MOJIBAKE_CHARACTERS = (
    "\x80-\xfc\u0100-\u0107\u010c-\u0113\u0116-\u011b\u011e\u011f\u0122\u0123\u012a"
    "\u012b\u012f\u0130\u0136\u0137\u0139-\u013e\u0141-\u0143\u0145\u0147\u014c\u0150"
    "\u0152\u0153\u0155\u0158\u015a\u015b\u015e-\u0162\u0164\u0165\u016a\u016e\u0170"
    "\u0172\u0178-\u017e\u0192\u02c6\u02c7\u02d8\u02db-\u02dd\u0384-\u0386\u0388-\u038a"
    "\u038c\u038e\u038f\u0391-\u03c9\u0401-\u045f\u0490\u0491\u2013-\u2015\u2018-\u201a"
    "\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u2044\u20a7\u20ac\u2116\u2122"
    "\u2202\u2206\u220f\u2211\u221a\u221e\u2229\u222b\u2248\u2260\u2261\u2264\u2265"
    "\u2310\u2502\u250c\u2510\u2518\u251c\u2524\u252c\u253c\u2550-\u256c\u2580\u2584"
    "\u2588\u258c\u2590-\u2593\u25ca\uf8ff\ufb01\ufb02\ufffd"
)
#: Text ftfy could find bad: a C1 control, two of its characters side by side,
#: "Ã" or "Â" before a space (a lost no-break space) or "Œ"/"œ" before a
#: non-letter. Every branch of ftfy's detector needs one of these (checked
#: against the installed ftfy by tests/test_normalise_fixes.py), and text it
#: does not find bad is returned unchanged, so other text need not import
#: ftfy at all: most articles in Latin-script languages, and every Arabic,
#: Hebrew or CJK one.
_MAYBE_MOJIBAKE = re.compile(
    f"[\x80-\x9f]|[{_MOJIBAKE_CHARACTERS}]{{2}}|[\xc3\xc2] |[\u0152\u0153][^A-Za-z]"
)


def fix_mojibake(text: str) -> str:
    """Repair text that was decoded with the wrong encoding (ftfy's encoding fixes only).

    Quotes, dashes, ligatures and character widths are left alone: only the
    steps that undo a wrong decoding run.

    >>> fix_mojibake("The cafÃ© said â€œnoâ€\x9d.")
    'The café said “no”.'
    >>> fix_mojibake("“Curly” quotes and ﬁ ligatures stay.")
    '“Curly” quotes and ﬁ ligatures stay.'
    """
    if text.isascii() or not _MAYBE_MOJIBAKE.search(text):
        return text
    import ftfy  # imported on first use: ftfy is slow to import (~50 ms)

    fixed: str = ftfy.fix_encoding(text)
    return fixed


#: What XML 1.0 forbids (C0 controls but tab, LF and CR; lone surrogates;
#: U+FFFE/U+FFFF), C1 controls, BOMs inside text, bidi embedding/override/isolate
#: controls (they can reorder displayed text) and zero-width spaces. ZWJ and ZWNJ
#: stay: scripts and emoji need them. VT and FF are line breaks, handled with
#: whitespace, so they stay here.
_INVISIBLES = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufeff\ufffe\uffff"
    "\u200b\u202a-\u202e\u2066-\u2069]+"
)


def remove_invisibles(text: str) -> str:
    """Remove control characters, stray BOMs, bidi controls and zero-width spaces.

    >>> remove_invisibles("Head\\x00line\\u200b \\u202eevil\\ufeff")
    'Headline evil'
    >>> remove_invisibles("emoji 👩\\u200d🚀 and ZWNJ in می\\u200cخواهم stay")
    'emoji 👩\\u200d🚀 and ZWNJ in می\\u200cخواهم stay'
    """
    return _INVISIBLES.sub("", text)


def normalise_unicode(text: str) -> str:
    """Compose characters (Unicode NFC): "e" + combining acute becomes "é".

    >>> normalise_unicode("Cafe\\u0301") == "Caf\\u00e9"
    True
    """
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", text)


#: Line breaks of every kind (a field is one paragraph) and tabs become spaces.
_BREAKS_AND_TABS = re.compile("\r\n|[\r\n\t\x0b\x0c\x85\u2028\u2029]")
_SPACE_RUNS = re.compile(" {2,}")
#: Whitespace trimmed from the ends of a field: all of it but the narrow no-break
#: space, which belongs to a French guillemet ("«\u202f") even at a field's end.
_ENDS = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u205f\u3000"
)


def normalise_whitespace(text: str) -> str:
    """Line breaks and tabs to spaces, runs of spaces to one, no whitespace at the ends.

    No-break and other special spaces inside the text are kept: they were put
    there on purpose. At the ends of a field they mean nothing and go.

    >>> normalise_whitespace("  One line\\r\\nand\\tanother  ")
    'One line and another'
    >>> normalise_whitespace("\\u00a0Nov.\\u00a01 ")
    'Nov.\\xa01'
    """
    text = _BREAKS_AND_TABS.sub(" ", text)
    text = _SPACE_RUNS.sub(" ", text)
    return text.strip(_ENDS)
