"""The values that flow through publisher: read -> normalise -> render -> package.

Every model is a frozen, slotted dataclass. This module does no I/O and imports
nothing else from publisher, so every stage can depend on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from pathlib import Path

#: What a paragraph of an article is: plain ("p"), a subheading, part of a block
#: quote, or an item of a bulleted or numbered list. List items keep their "• " or
#: "3. " marker in their text, so the text reads right without its kind.
BLOCK_KINDS = frozenset(("p", "subhead", "quote", "bullet", "number"))


@dataclass(frozen=True, slots=True)
class Change:
    """One recorded fix: which rule changed what, where, from what to what.

    ``where`` is human readable and stable: ``"headline"``, ``"caption"``,
    ``"paragraph 3"`` (1-based) or ``"byte 1234"`` for decoding repairs.
    """

    rule: str
    where: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class Metadata:
    """Bibliographic metadata. Every field is optional; ``None`` means unknown.

    ``date`` is an ISO 8601 date or date-time string (``2015-08-21``).
    ``language`` is a BCP 47 tag (``en``, ``fr``, ``de-CH``).
    ``image`` is a path as written by the user (relative to the input's folder).
    """

    authors: tuple[str, ...] = ()
    date: str | None = None
    publisher: str | None = None
    source: str | None = None
    section: str | None = None
    language: str | None = None
    identifier: str | None = None
    rights: str | None = None
    image: str | None = None
    order: int | None = None

    def merged_over(self, lower: Metadata) -> Metadata:
        """Return self's known values laid over ``lower``'s (self wins).

        >>> merged = Metadata(language="fr").merged_over(Metadata(language="en", date="2020-01-01"))
        >>> merged.language, merged.date
        ('fr', '2020-01-01')
        """
        values = {}
        for f in fields(self):
            mine = getattr(self, f.name)
            values[f.name] = mine if mine not in (None, ()) else getattr(lower, f.name)
        return Metadata(**values)


@dataclass(frozen=True, slots=True)
class Image:
    """A photo that belongs to an article, already located and inspected."""

    path: Path
    media_type: str  # image/jpeg, image/png, image/webp
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class RawArticle:
    """What a reader found in an input file, before any clean-up of its text.

    The text is decoded (``changes`` holds any decoding repairs) and split into
    parts, but otherwise exactly as in the file. ``credit`` is set when the
    format names the photo credit itself (Markdown front matter, JSON, a web
    page's credit element); plain text leaves it in the caption for the
    normaliser to split off. ``warnings`` are things the reader left out or
    could not use (a remote image on a web page), for the user to see.
    ``kinds`` says what each paragraph is (``BLOCK_KINDS``), one per paragraph;
    empty when every paragraph is plain (plain text has no structure).
    """

    source: Path
    headline: str
    caption: str | None
    paragraphs: tuple[str, ...]
    metadata: Metadata = field(default_factory=Metadata)
    image: Image | None = None
    encoding: str = "utf-8"
    changes: tuple[Change, ...] = ()
    credit: str | None = None
    warnings: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_kinds(self.kinds, self.paragraphs)


def _check_kinds(kinds: tuple[str, ...], paragraphs: tuple[str, ...]) -> None:
    """Kinds are none at all, or one known kind per paragraph."""
    if kinds and len(kinds) != len(paragraphs):
        raise ValueError(f"{len(kinds)} kinds for {len(paragraphs)} paragraphs")
    if not set(kinds) <= BLOCK_KINDS:
        raise ValueError(f"unknown paragraph kinds: {sorted(set(kinds) - BLOCK_KINDS)}")


@dataclass(frozen=True, slots=True)
class Article:
    """A normalised article, ready to render.

    ``metadata.language`` is always set (given or detected); ``metadata.identifier``
    is always set (given or derived from the content). ``changes`` is the full
    change log: the reader's decoding repairs, then every normalising fix.
    ``kinds`` is as in RawArticle: one per paragraph, or empty for all plain.
    """

    source: Path
    headline: str
    caption: str | None
    credit: str | None
    dateline: str | None
    paragraphs: tuple[str, ...]
    metadata: Metadata
    image: Image | None = None
    encoding: str = "utf-8"
    changes: tuple[Change, ...] = ()
    warnings: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_kinds(self.kinds, self.paragraphs)

    @property
    def language(self) -> str:
        """The article's BCP 47 language tag."""
        return self.metadata.language or "en"

    @property
    def blocks(self) -> tuple[tuple[str, str], ...]:
        """Each paragraph with its kind, as (text, kind).

        >>> Article(Path("a.txt"), "T", None, None, None, ("One", "• Two"), Metadata(),
        ...         kinds=("p", "bullet")).blocks
        (('One', 'p'), ('• Two', 'bullet'))
        """
        kinds = self.kinds or ("p",) * len(self.paragraphs)
        return tuple(zip(self.paragraphs, kinds, strict=True))

    def with_metadata(self, metadata: Metadata) -> Article:
        """Return a copy with other metadata."""
        return replace(self, metadata=metadata)


@dataclass(frozen=True, slots=True)
class Collection:
    """Several articles published as one book: a daily digest, a dossier.

    ``articles`` are in reading order. ``identifier`` is given or derived from
    the articles; ``date`` is an ISO 8601 date.
    """

    title: str
    articles: tuple[Article, ...]
    date: str | None = None
    identifier: str | None = None
    publisher: str | None = None

    @property
    def language(self) -> str:
        """The language most of the articles are in (the first article's on a tie)."""
        counts: dict[str, int] = {}
        for article in self.articles:
            counts[article.language] = counts.get(article.language, 0) + 1
        return max(counts, key=lambda lang: counts[lang]) if counts else "en"
