"""Photo captions: split the credit off the end, tidy the end punctuation.

A caption ends like a sentence. The credit ("AFP File Photo", "AP
Photo/Jane Doe", "Photo: AP") goes to ``Article.credit`` without its
parentheses, but with its label ("Photo:", "Image by") when it has one: the
renderer prints the credit as it is, so a label dropped here would be lost
from every output. Credits are only looked for at the very end of a caption,
so the text before them keeps its order.
"""

from __future__ import annotations

import re

__all__ = [
    "clean_credit",
    "credit_name",
    "looks_like_credit",
    "split_credit",
    "tidy_caption_end",
]

_AGENCIES = (
    r"AFP|AP|Reuters|Getty(?: Images)?|EPA(?:-EFE)?|EFE|Anadolu(?: Agency)?|AA|DHA|IHA|Xinhua"
    r"|dpa|DPA|ANSA|Kyodo|Yonhap|Bloomberg|UPI|TASS|Sputnik|IRNA|WAM|SPA|PA(?: Images)?"
    r"|Shutterstock|Alamy|iStock|NurPhoto|Sipa|Pool|Handout"
)
_AGENCY = re.compile(rf"\b(?:{_AGENCIES})\b")
_PHOTO_WORD = re.compile(
    r"\b(?:photos?|photograph|image|picture|pic|credit|courtesy|file|handout|archive)\b",
    re.IGNORECASE,
)
_LABEL = r"(?:Photo(?:graph)?s?|Images?|Pictures?|Credits?|Photo credit|Source)"

#: Credit shapes at the end of a caption; group 1 is the credit (with its label,
#: group 2 the name after the label). Every part is bounded, and only the
#: caption's tail is searched, so this is linear.
_CREDIT_PATTERNS = (
    re.compile(r"\(([^()]{1,80})\)[\s.]*\Z"),  # (AFP File Photo), (AP Photo/Jane Doe)
    re.compile(rf"(?<!\S)({_LABEL}\s?:\s?([^:()]{{1,80}}?))[\s.]*\Z", re.IGNORECASE),  # Photo: AP
    re.compile(rf"(?<!\S)({_LABEL} by\s([^:()]{{1,80}}?))[\s.]*\Z", re.IGNORECASE),  # Photo by X
    re.compile(r"\s[—–-]{1,3}\s?([^—–()]{1,60}?)[\s.]*\Z"),  # — Reuters
)
_TAIL = 200


def looks_like_credit(text: str) -> bool:
    """Whether a caption's trailing parenthesis or dash part names a photo's source.

    >>> looks_like_credit("AFP File Photo"), looks_like_credit("AP Photo/Jane Doe")
    (True, True)
    >>> looks_like_credit("left"), looks_like_credit("2011"), looks_like_credit("Reuters")
    (False, False, True)
    >>> looks_like_credit("http://x.org/a")
    False
    """
    text = text.strip()
    if not text or len(text.split()) > 8 or any(mark in text for mark in ("://", "www.", "@")):
        return False  # a link or an address is text, not a credit
    return bool(_AGENCY.search(text) or _PHOTO_WORD.search(text) or re.search(r"\w/\w", text))


def split_credit(caption: str) -> tuple[str, str | None]:
    """Split a caption into (caption, credit); credit None when there is none.

    >>> split_credit("Soldiers board a plane on Nov. 1, 2011. (AFP File Photo)")
    ('Soldiers board a plane on Nov. 1, 2011.', 'AFP File Photo')
    >>> split_credit("A rally in Paris. Photo: AP")
    ('A rally in Paris.', 'Photo: AP')
    >>> split_credit("The mural. Image: Nick Moreau.")
    ('The mural.', 'Image: Nick Moreau')
    >>> split_credit("Fans celebrate — Reuters")
    ('Fans celebrate', 'Reuters')
    >>> split_credit("Photo by Jane Doe")
    ('', 'Photo by Jane Doe')
    >>> split_credit("The mayor (left) and her deputy (2011)")
    ('The mayor (left) and her deputy (2011)', None)
    """
    offset = max(0, len(caption) - _TAIL)
    tail = caption[offset:]
    for index, pattern in enumerate(_CREDIT_PATTERNS):
        match = pattern.search(tail)
        if match is None:
            continue
        credit = match.group(1).strip()
        labelled = index in (1, 2)
        if labelled and not match.group(2).strip():
            continue
        if not credit or not (labelled or looks_like_credit(credit)):
            continue
        return caption[: offset + match.start()].rstrip(), credit
    return caption, None


_LEADING_LABEL = re.compile(rf"{_LABEL}\s?(?::|by\s)\s?", re.IGNORECASE)


def credit_name(credit: str) -> str:
    """Who a credit names, without its label: to tell whether two credits are one.

    >>> credit_name("Photo: AP"), credit_name("Photo by J. Doe"), credit_name("AFP")
    ('AP', 'J. Doe', 'AFP')
    """
    label = _LEADING_LABEL.match(credit)
    if label and label.end() < len(credit):
        return credit[label.end() :].strip()
    return credit.strip()


def clean_credit(credit: str) -> str:
    """A credit as the renderer prints it: no parentheses, no final period; its label stays.

    >>> clean_credit("(AFP)"), clean_credit("Photo: Mark Lewis."), clean_credit("Photo by J. Doe")
    ('AFP', 'Photo: Mark Lewis', 'Photo by J. Doe')
    >>> clean_credit("AP Photo/Jane Doe")
    'AP Photo/Jane Doe'
    """
    text = credit.strip()
    if text.startswith("(") and text.endswith(")") and "(" not in text[1:-1]:
        text = text[1:-1].strip()
    if text.endswith(".") and not re.search(
        r"\b\w\.$", text
    ):  # keep the period of an initial: "U.S."
        text = text[:-1]
    return text.strip() or credit.strip()


_TERMINAL = ".!?…"
_CLOSERS = "”’»›)]\"'"
_END_PUNCTUATION = ".!?…,;: "


def tidy_caption_end(caption: str) -> str:
    """End a caption with exactly one terminal mark, with no space before it.

    >>> tidy_caption_end("On Nov. 1, 2011 . ")
    'On Nov. 1, 2011.'
    >>> tidy_caption_end("Paris"), tidy_caption_end("Who won?!"), tidy_caption_end("Fans,")
    ('Paris.', 'Who won?', 'Fans.')
    >>> tidy_caption_end("He said “we stay.”"), tidy_caption_end("The mayor (left)")
    ('He said “we stay.”', 'The mayor (left).')
    """
    body = caption.rstrip()
    cut = len(body)
    while cut and body[cut - 1] in _CLOSERS:
        cut -= 1
    core, closers = body[:cut], body[cut:]
    start = len(core)
    while start and core[start - 1] in _END_PUNCTUATION:
        start -= 1
    words, run = core[:start], core[start:]
    if not words:
        return body  # nothing but punctuation: leave it be
    marks = [mark for mark in run if mark in _TERMINAL]
    if marks:
        return words + marks[0] + closers
    return words + closers + "."
