"""Who wrote a saved web page: its byline, from the page's metadata and text.

The sources, first found first used (each a place where publishers put the
byline on purpose, most deliberate first):

1. schema.org JSON-LD: the ``author`` of the page's article (an object, a list or
   a string; an ``{"@id": ...}`` reference resolved within the page's ``@graph``,
   which trafilatura leaves unresolved, so WordPress/Yoast pages lose their author);
2. trafilatura's reading (JSON-LD, meta tags, visible bylines);
3. ``<meta name="author">``, ``article:author``, Dublin Core ``creator``;
4. ``itemprop="author"`` and ``rel="author"`` elements;
5. a visible byline: a ``<byline>``, an element whose class or id names a byline or
   an author (``author``, ``auteur``, ``autor``; never a comment's), or ``<address>``:
   its hCard name (``class="fn"``), else its text (an author box's: its heading),
   taken only when it reads like names;
6. a text of the page that opens with a byline's words ("By", "Von", "Par", "Por",
   "Posted by", "Geschrieben von", "Autor:") and goes on with names ("Posted by
   <a>Konstantin</a> 21.10.2019"), outside footers, navigation, captions and comments.

Names are cleaned (a "By"/"von" before them, a date, a "|" or "Tags" after them), split at
"and" / "&" / commas, de-duplicated; URLs, e-mail addresses, @handles, the site's
own name (also before it is split: "Jobs & Hire") and placeholders ("Staff",
"admin", "Unknown", "Name", a lone "Posted") are dropped, and the next
source is asked when none is left.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from html import unescape
from typing import Any, TypeAlias

#: lxml ships no type stubs; its elements are typed loosely here.
HtmlElement: TypeAlias = Any

#: schema.org types whose ``author`` is the page's byline (not a review's or a comment's).
_ARTICLES = re.compile(
    r"(Article|BlogPosting|Posting|Report|NewsArticle|WebPage|Recipe|CreativeWork)$"
)
_AUTHOR_PREFIX = re.compile(
    r"^(?:(?:(?:view|see) )?(?:all )?(?:posts|articles|stories) by|written by|posted by"
    r"|(?:analysis|opinion|commentary|story|words|reporting|interview) by|by|von"
    r"|par|por|di|door|auteur|autor|author|autorin|artikel von|(?:ein )?beitrag von|text|texte"
    r"|posted on .*? by|veröffentlicht von|geschrieben von|eingestellt von|publiziert von)"
    r"(?:\s*:\s*|\s+)(?=\S)|^\w{0,4}编辑\s*[:：]\s*|^作者\s*[:：]\s*",
    re.IGNORECASE,
)
_AUTHOR_SPLIT = re.compile(
    r"\s*(?:,|;|\band\b|\bund\b|\bet\b|&|\||/|\(\s*(?:avec|with|con|com)\b)\s*"
)
#: What ends a name in a visible byline: a date, a time, a "|", a line of its own.
_BYLINE_END = re.compile(
    r"\s*(?:\||•|·|\bon\b|\bam\b|\b(?:last )?updated\b|\bpublished\b|\bedited by\b|\(?https?:"
    r"|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b"
    r"|\b(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)\b|\d{1,4}[./-]\d|\d{1,2}:\d\d"
    r"|\d{1,2}\.? (?:jan|feb|mar|apr|ma[iy]|jun|jul|aug|sep|o[ck]t|nov|de[cz])"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w* \d"
    r"|\b(?:tags|schlagworte|kategorien?|categor(?:y|ies)|filed under|kommentare?|comments?)\b).*$",
    re.IGNORECASE,
)
_URL = re.compile(r"https?:|www\.|\.\w{2,4}/|@|\.(?:com|de|org|net)\b|^/|#")
#: Words that stand where a name should: no one's byline.
_PLACEHOLDERS = frozenset(
    [
        "admin",
        "administrator",
        "wordpressadmin",
        "unknown",
        "anonymous",
        "guest",
        "user",
        "username",
        "superuser",
        "name",
        # a byline's opening word standing alone
        "posted",
        "written",
        "publiziert",
        "veröffentlicht",
        "geschrieben",
        "erstellt",
        "webmaster",
        "作者",
        # a page's controls or labels where a byline stands ("Follow", "Stand: 12.3.")
        "follow",
        "folgen",
        "more",
        "mehr",
        "date",
        "datum",
        "stand",
        "noauthor",
        "share",
        "teilen",
        "quelle",
        "source",
    ]
)
#: A desk, not a person ("Staff", "Redaktion"): a byline only when the page names no one.
_COLLECTIVE = frozenset(
    "staff editor editors redaktion team newsroom agencies desk".split()  # noqa: SIM905
)
#: Not inside a reader's comment (its class or id, or an ancestor's, says so).
_NOT_IN_COMMENTS = (
    "not(ancestor-or-self::*[contains(translate(concat(@class, ' ', @id), 'COMENT', 'coment'),"
    " 'comment')])"
)


#: Classes and ids that hold a byline; ``comment`` ones are the readers', not the author's.
_BYLINE_XPATH = (
    "//*[not(self::meta or self::link or self::script or self::img or self::body"
    " or self::html or self::article)]"
    "[self::byline"
    " or contains(translate(concat(@class, ' ', @id), 'AUTHORBYLINE', 'authorbyline'), 'byline')"
    " or contains(translate(concat(@class, ' ', @id), 'AUTHORBYLINE', 'authorbyline'), 'author')"
    " or contains(translate(concat(@class, ' ', @id), 'AUTEUR', 'auteur'), 'auteur')"
    " or contains(translate(concat(@class, ' ', @id), 'AUTOR', 'autor'), 'autor')]"
    f"[{_NOT_IN_COMMENTS}]"
)


def page_authors(
    doc: HtmlElement, found_author: str | None, sites: list[str], beside: Sequence[str] = ()
) -> tuple[str, ...]:
    """The page's authors, from the first source that names any (module docstring).

    ``found_author`` is trafilatura's reading ("A; B"); ``sites`` the site's names
    (``og:site_name``, the host), never taken for an author. ``beside``: the parts
    of the ``<title>`` beside the headline ("EFC Bembel Online - Headline - News"):
    names only found there (a site's, or a columnist's) give way to a visible
    byline naming other people.
    """
    names = _authors(doc, found_author, {_key(site) for site in sites} - {""})
    side = {_key(part) for part in beside} - {""}
    if names and all(any(len(k) > 3 and _key(n) in k for k in side) for n in names):
        keys = {_key(n) for n in names}
        shown = visible_byline(doc, set()) or opened_byline(doc, set())
        if shown and not any(k in _key(other) for k in keys for other in shown):
            return shown
    return names


def _authors(doc: HtmlElement, found_author: str | None, site_keys: set[str]) -> tuple[str, ...]:
    # The site's name or a desk ("Redaktion") is a byline in these deliberate sources
    # only when no one is named anywhere (a one-person blog named after its author,
    # a news agency's or a desk's story); a visible byline naming a person wins.
    # trafilatura's reading takes a commenter's name for the author ("comment-author"
    # matches its rules) or reads a name from where we do not look: a name seen
    # nowhere on the page but in comments waits until the page's own bylines are asked.
    # trafilatura also reads names out of running text ("The Russian; Syrian defense
    # ministries"): a reading with one part that is no name is not trusted at all, its
    # other parts are fragments too ("Bayerische Landesanstalt für Wald; Forstwirtschaft").
    found = [name for name in (found_author or "").split(";") if name.strip()]
    if not all(_looks_like_a_name(clean_author(name)) for name in found):
        found = []
    seen = found and _seen_outside_comments(doc, found)
    sources: list[list[str]] = [
        json_ld_authors(doc),
        found if seen else [],
        [
            m.get("content") or ""
            for m in doc.xpath(
                "//meta[@name='author' or @property='article:author' or @name='article:author'"
                " or @name='dc.creator' or @name='DC.creator' or @name='dcterms.creator']"
                "[@content]"
            )
        ],
        [_itemprop_name(e) for e in doc.xpath(f"//*[@itemprop='author'][{_NOT_IN_COMMENTS}]")]
        + [_text(e) for e in doc.xpath(f"//*[@rel='author'][{_NOT_IN_COMMENTS}]")],
    ]
    site_only: tuple[str, ...] = ()
    for source in sources:
        names = _clean(source, site_keys)
        if names:
            # A visible byline or trafilatura's reading that names the same people and
            # more ("von Rudolf Fischer, Simon Kohler" under a meta author naming the
            # first) has the whole byline. (Not itemprop or meta lists: they hold commenters.)
            keys = {_key(name) for name in names}
            for more in (visible_byline(doc, site_keys), _clean(found if seen else [], site_keys)):
                if keys < {_key(name) for name in more} and len(more) <= 6:
                    return more
            return names
        site_only = site_only or _clean(source, set(), desks=True)
    return (
        visible_byline(doc, site_keys)
        or opened_byline(doc, site_keys)
        or signed_byline(doc)
        or _clean(found, site_keys)
        or site_only
        or _clean(found, set(), desks=True)
    )


def _seen_outside_comments(doc: HtmlElement, names: list[str]) -> bool:
    """Whether one of ``names`` is a word of the page's text outside its comments."""
    wanted = [clean_author(n).strip() for n in names if clean_author(n).strip()]
    patterns = [re.compile(rf"(?<!\w){re.escape(n)}(?!\w)", re.IGNORECASE) for n in wanted]
    for node in doc.xpath("//body//text()"):
        if any(p.search(node) for p in patterns):
            owner = node.getparent()
            chain = (owner, *owner.iterancestors()) if owner is not None else ()
            if not any(
                "comment" in f"{e.get('class') or ''} {e.get('id') or ''}".casefold() for e in chain
            ):
                return True
    return False


def visible_byline(doc: HtmlElement, site_keys: set[str]) -> tuple[str, ...]:
    """The names of the page's first visible byline that reads like names, or ()."""
    for element in doc.xpath(_BYLINE_XPATH + "|//address")[:12]:
        # an hCard's formatted name ("fn") is a name by its markup, whatever its case
        cards = element.xpath(
            "descendant-or-self::*[contains(concat(' ', normalize-space(@class), ' '), ' fn ')]"
        )
        card = _clean([_text(cards[0])], site_keys) if cards else ()
        if card and all(len(n.split()) <= 4 and not n.endswith(".") for n in card):
            return card
        text = _spaced_text(element)  # "<a>IGN Staff</a><time>Updated …": not "StaffUpdated"
        if len(text) > 120:  # an author box: its heading holds the name
            text = next(map(_text, element.xpath(".//h2|.//h3|.//h4|.//strong")), "")
        if not text:
            continue
        names = _people_first(_clean([_BYLINE_END.sub("", clean_author(text))], site_keys))
        if names and all(_looks_like_a_name(n) for n in names):
            return names
    return ()


#: Months that end a byline's words when its day is in another element ("JERUSALEM POST
#: STAFF NOVEMBER"); not May, March, August, April or June, which are names too.
_MONTHS = frozenset(
    "january february september october november december januar februar oktober dezember".split()  # noqa: SIM905
)


def _without_month(name: str) -> str:
    """``name`` without a month after two words or more.

    >>> _without_month("JERUSALEM POST STAFF NOVEMBER"), _without_month("Ann October")
    ('JERUSALEM POST STAFF', 'Ann October')
    """
    words = name.split()
    if len(words) >= 3 and words[-1].casefold() in _MONTHS:
        return " ".join(words[:-1])
    return name


#: A job title after a name in a visible byline ("Priya Natarajan, Transport Correspondent").
_JOB = re.compile(
    r"correspondent|editor|reporter|writer|journalist|columnist|photograph|contributor"
    r"|producer|analyst|director|manager|chief|redakteur|korrespondent|kolumnist|leiter|fotograf"
    r"|rédact|envoyé",
    re.IGNORECASE,
)

#: A news agency's short name after the author's ("Von David Hutzler, dpa"; "By Jane Doe, AP"),
#: or a degree ("Ilana Muhlstein, MS, RDN").
_AGENCY = re.compile(
    r"[a-z]{2,4}|[A-Z]{2,5}(?:-[A-Z]{2,5})?"
    r"|(?:Ph\.?\s?D|M\.?Sc|B\.?Sc|Dr\.?PH|M\.?Phil|D\.?Phil|LL\.?[BM]|Jr|Sr)\.?"  # "Ann Lee, PhD"
)


def _people_first(names: tuple[str, ...]) -> tuple[str, ...]:
    """``names`` without agencies' abbreviations, degrees and job titles beside a person's name.

    >>> _people_first(("David Hutzler", "dpa")), _people_first(("AFP",))
    (('David Hutzler',), ('AFP',))
    >>> _people_first(("Chris Cillizza", "CNN Editor-at-large"))
    ('Chris Cillizza',)
    >>> _people_first(("Michael L. Anderson", "PhD", "Carlos Dobkin"))
    ('Michael L. Anderson', 'Carlos Dobkin')
    """
    people = tuple(n for n in names if not _AGENCY.fullmatch(n) and not _JOB.search(n))
    return people if people else names


#: A Chinese byline's label: "责任编辑：焦鹏", "作者：", "记者：".
_CJK_LABEL = r"\s*(?:\w{0,4}编辑|作者|记者)\s*[:：]"
#: How a byline in the page's text opens: "By", "Von", "Par", "Por", "Posted by", "Autor:"...
_BYLINE_START = re.compile(
    r"^[-–—\s]*(?:(?:written|posted|geschrieben|erstellt|verfasst|publiziert|r[ée]dig[ée])\s+"
    r"(?:by|von|par)|by|von|par|por|door|autor(?:in)?\s*:|author\s*:|auteur\s*:)(?:\s+|$)"
    rf"|^{_CJK_LABEL}",
    re.IGNORECASE,
)
_LABELLED = re.compile(rf"{_CJK_LABEL}\s*")
#: Where "by" opens something else: the theme's, the photo's or a reader's credit.
_NOT_A_BYLINE = re.compile(r"comment|footer|copyright|credit", re.IGNORECASE)
_NOT_A_BYLINE_TAGS = frozenset(("footer", "nav", "aside", "figcaption"))


def _in_furniture(element: HtmlElement) -> bool:
    """Whether ``element`` is in a footer, navigation, aside, caption, comment or credit."""
    for node in (element, *element.iterancestors()):
        if node.tag in _NOT_A_BYLINE_TAGS:
            return True
        if _NOT_A_BYLINE.search(f"{node.get('class') or ''} {node.get('id') or ''}"):
            return True
    return False


def _shown_owner(node: Any) -> HtmlElement | None:
    """The element whose text ``node`` is (a tail's: its parent's), or None when that is
    no text a reader sees as a byline (a script, a title, a menu option; furniture)."""
    owner = node.getparent()
    if owner is not None and not node.is_text:  # a tail: the text after an element
        owner = owner.getparent()
    if owner is None or owner.tag in ("script", "style", "title", "option", "textarea"):
        return None
    return None if _in_furniture(owner) else owner


def opened_byline(doc: HtmlElement, site_keys: set[str]) -> tuple[str, ...]:
    """The names after the page's first "By …" / "Von …" / "Autor: …" that reads like names.

    A text of the page that opens with such words, its element's following text
    the names (so "Geschrieben von <a>Cooper</a>" reads too), up to a date or a "|".
    Footers, navigation, asides, captions, comments and credits are not looked in.

    >>> from lxml import html
    >>> page = html.fromstring('<div><p class="meta">Posted by <a href="/u/k">Konstantin'
    ...     '</a> 21.10.2019</p><p>Text by the sea.</p></div>')
    >>> opened_byline(page, set())
    ('Konstantin',)
    """
    for node in doc.xpath("//body//text()[normalize-space()]"):
        start = _BYLINE_START.match(node)
        if not start:
            continue
        owner = _shown_owner(node)
        if owner is None:
            continue
        opener = " ".join(str(node).split())
        whole = " ".join(owner.text_content().split())
        if whole == " ".join(start.group().split()) and owner.getparent() is not None:
            # "<span>By</span><span><a>Alex Bozarjian</a></span>": the names are its siblings'
            owner = owner.getparent()
            whole = _spaced_text(owner)
        label = _LABELLED.match(node)
        if label and node[label.end() :].strip():
            whole = opener  # "<a>【纠错】</a> 责任编辑： 焦鹏": a label says it, wherever it stands
        # The words must open their element: "… Leasing <a>von</a> Firmenwagen" is prose.
        if not whole.startswith(opener) or len(whole) > 160:
            continue
        names = _people_first(_clean([_BYLINE_END.sub("", clean_author(whole))], site_keys))
        if names and all(_looks_like_a_name(n) and not n.isupper() for n in names):
            return names
    return ()


#: A Korean news story's sign-off, a line of its own: "정덕현 칼럼니스트 thekian1@…",
#: "칼럼니스트 박생강 pillgoo9@…", "홍길동 기자 hong@…", "[이데일리 홍길동 기자]".
_KO_ROLE = r"(?:선임|수석|전문|객원|취재|사진)?(?:기자|칼럼니스트|특파원|논설위원)"
_HANGUL_NAME = r"[\uac00-\ud7a3]{2,4}"
_SIGNED = re.compile(
    rf"[\[(]?(?:[\w.]+\s+)?(?:(?P<name>{_HANGUL_NAME})\s*{_KO_ROLE}"
    rf"|{_KO_ROLE}\s+(?P<after>{_HANGUL_NAME}))"
    r"[\])]?(?:\s*[\w.+-]+@[\w-]+(?:\.[\w-]+)+)?\s*[\])]?"
)
#: A Chinese reporters' credit: a line "半月谈记者 史卫燕", or "（记者张三、李四）" after a
#: dateline ("新华社北京12月1日电（记者张三、李四）"); not a photo's ("新华社记者 才扬 摄").
_HANZI_NAMES = r"[\u4e00-\u9fff]{2,4}(?:[、，,\s]+[\u4e00-\u9fff]{2,4})*"
_ZH_LINE = re.compile(rf"[\u4e00-\u9fff]{{0,6}}记者\s*(?P<names>{_HANZI_NAMES})")
_ZH_DATELINE = re.compile(rf"电\s*[（(]记者\s*(?P<names>{_HANZI_NAMES})[）)]")


def signed_byline(doc: HtmlElement) -> tuple[str, ...]:
    """The names in the page's first Korean sign-off or Chinese reporters' credit, or ().

    Korean news sites sign a story at its end, name and role on a line of their own
    (the e-mail address after them), and show no byline above it; Chinese ones credit
    their reporters on a line of its own or in the dateline.

    >>> from lxml import html
    >>> page = html.fromstring('<div><p>본문 마지막 문장이다.<br>정덕현 칼럼니스트 <a href='
    ...     '"mailto:a@b.kr">a@b.kr</a><br>[사진=JTBC]</p></div>')
    >>> signed_byline(page)
    ('정덕현',)
    >>> signed_byline(html.fromstring("<p>칼럼니스트 박생강 pillgoo9@gmail.com</p>"))
    ('박생강',)
    >>> signed_byline(html.fromstring("<p>기자들이 모였다 오늘 기자회견에서</p>"))
    ()
    >>> signed_byline(html.fromstring("<p>新华社北京12月1日电（记者张三、李四）港口码头关闭。</p>"))
    ('张三', '李四')
    >>> signed_byline(html.fromstring("<div><p>新华社记者 才扬 摄</p><p>半月谈记者 史卫燕</p>"))
    ('史卫燕',)
    >>> signed_byline(html.fromstring("<p>记者 张三 通讯员 李四</p>"))
    ('张三', '李四')
    """
    for node in doc.xpath("//body//text()[normalize-space()]"):
        line = node.strip()
        chinese = _ZH_LINE.fullmatch(line) or _ZH_DATELINE.search(line)
        found = _SIGNED.fullmatch(line)
        if not found and not chinese:
            continue
        if _shown_owner(node) is None:
            continue
        if chinese and "摄" not in line:
            names = re.split(r"[、，,\s]+", chinese["names"])
            if named := tuple(n for n in names if not n.endswith(_ZH_ROLES)):
                return named
        if not found:
            continue
        name = found["name"] or found["after"]
        if name in _KO_NOT_NAMES or name.endswith(("팀", "부", "국")):  # a desk: "편집부 기자"
            continue
        return (name,)
    return ()


#: Roles between Chinese reporters' names ("记者 张三 通讯员 李四"): no names.
_ZH_ROLES = ("员", "生", "影", "者", "辑")
#: Words before "기자" that are no name ("사진 기자", "인턴 기자").
_KO_NOT_NAMES = frozenset(("사진", "취재", "인턴", "수습", "온라인", "디지털", "영상", "본지"))


def json_ld_authors(doc: HtmlElement) -> list[str]:
    """The names in the ``author`` of the page's schema.org article (JSON-LD).

    >>> from lxml import html
    >>> page = html.fromstring('''<html><head><script type="application/ld+json">
    ... {"@graph": [{"@type": "Person", "@id": "#p1", "name": "Ada Byron"},
    ...  {"@type": "NewsArticle", "author": [{"@id": "#p1"}, "Ben Ng"]}]}
    ... </script></head><body></body></html>''')
    >>> json_ld_authors(page)
    ['Ada Byron', 'Ben Ng']
    """
    nodes = list(_json_ld_nodes(doc))
    by_id = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}
    names: list[str] = []
    for node in nodes:
        if "author" not in node or not any(_ARTICLES.search(t) for t in _types(node)):
            continue
        for author in node["author"] if isinstance(node["author"], list) else [node["author"]]:
            if isinstance(author, dict) and set(author) <= {"@id", "@type"}:
                author = by_id.get(author.get("@id"), author)
            elif isinstance(author, str) and author in by_id:
                author = by_id[author]  # a bare "@id" string, as Yoast writes it
            if isinstance(author, dict):
                if "Organization" in _types(author):
                    continue  # the publisher, not a byline
                name = author.get("name")
                if isinstance(name, list):
                    name = next((n for n in name if isinstance(n, str)), None)
                if isinstance(name, str):
                    names.append(_unescaped(name))
            elif isinstance(author, str):
                names.append(_unescaped(author))
        if names:
            break  # the first article's byline; later ones are related stories
    return names


def json_ld_headline(doc: HtmlElement) -> str:
    """The ``headline`` (else ``name``) of the page's first schema.org article (JSON-LD).

    >>> from lxml import html
    >>> json_ld_headline(html.fromstring('<html><head><script type="application/ld+json">'
    ...     '{"@type": "NewsArticle", "headline": "Rain at last"}</script></head></html>'))
    'Rain at last'
    """
    for node in _json_ld_nodes(doc):
        types = _types(node)
        if any(_ARTICLES.search(t) for t in types) and not any(
            t.endswith("WebPage") for t in types
        ):
            for key in ("headline", "name"):
                if isinstance(node.get(key), str) and node[key].strip():
                    return " ".join(_unescaped(node[key]).split())
    return ""


def _unescaped(text: str) -> str:
    """JSON-LD text some sites escape twice, as HTML too ("Redacci&oacute;n").

    >>> _unescaped("Redacci&oacute;n Diario"), _unescaped("Q&A: rates")
    ('Redacción Diario', 'Q&A: rates')
    """
    return unescape(text) if re.search(r"&(?:#\d+|#x[\da-fA-F]+|[a-zA-Z]+);", text) else text


def clean_author(name: str) -> str:
    """An author's name without the words a byline puts around it.

    >>> clean_author("View all posts by Daniel Lemire"), clean_author("Artikel von hausinfo")
    ('Daniel Lemire', 'hausinfo')
    >>> clean_author("责任编辑：孔德明"), clean_author("Auteur Anna Kubišta")
    ('孔德明', 'Anna Kubišta')
    """
    name = " ".join(name.split())
    previous = None
    while previous != name:
        previous = name
        name = _AUTHOR_PREFIX.sub("", name).strip()
    return name


def _clean(names: list[str], site_keys: set[str], desks: bool = False) -> tuple[str, ...]:
    """Names split, cleaned and de-duplicated; what is no one's name dropped.

    >>> _clean(["Martin Untersinger (avec Damien Leloup et Morgane Tual)"], set())
    ('Martin Untersinger', 'Damien Leloup', 'Morgane Tual')
    >>> _clean(["Richard (R.J.) Eskow", "Staff"], set())
    ('Richard (R.J.) Eskow',)
    """
    kept: dict[str, str] = {}
    for whole in names:
        whole = _BYLINE_END.sub("", clean_author(whole))
        if _URL.match(whole.strip()) or _key(whole) in site_keys:  # a profile's URL, the site
            continue
        parts = [whole] if _is_kept_whole(whole) else _AUTHOR_SPLIT.split(whole)
        for part in parts:
            part = _without_month(clean_author(part)).strip(" ,;:-–—·|")
            if part.endswith(")") and "(" not in part:  # "… (avec Ann Lee et Bo Li)"
                part = part[:-1].strip()
            key = _key(part)
            if (
                not key
                or _URL.search(part)
                or key in _PLACEHOLDERS
                or (key.endswith("admin") and " " not in part)  # "jdadmin", a login
                or (not desks and part.split()[-1].casefold() in _COLLECTIVE)  # "Our Staff"
                or _AUTHOR_PREFIX.match(part + " x")  # a "By" left alone
                or key in site_keys
                or any(len(site) > 3 and (site in key or key in site) for site in site_keys)
                or len(part) > 80
                or re.search(
                    r"\s(?:says|said|sagt|schreibt|dit|dice)$", part
                )  # a comment's signature
            ):
                continue
            kept.setdefault(key, part)
    return _people_first(_one_per_person(tuple(kept.values())))


def _one_per_person(names: tuple[str, ...]) -> tuple[str, ...]:
    """``names`` without a shorter spelling of another's ("Troy Smith" beside "Troy L. Smith").

    >>> _one_per_person(("Troy Smith", "Troy L. Smith", "Ann Lee"))
    ('Troy L. Smith', 'Ann Lee')
    """

    def same(short: list[str], long: list[str]) -> bool:
        return (
            len(short) >= 2
            and len(short) < len(long)
            and short[0] == long[0]
            and short[-1] == long[-1]
            and all(w in long for w in short)
        )

    split = [name.casefold().split() for name in names]
    return tuple(
        name
        for name, words in zip(names, split, strict=True)
        if not any(same(words, other) for other in split)
    )


def _is_kept_whole(name: str) -> bool:
    # "Doe, Jane" (surname first) is one name, not two.
    parts = name.split(",")
    return len(parts) == 2 and all(len(p.split()) == 1 for p in parts)


def _looks_like_a_name(name: str) -> bool:
    """A visible byline's part reads like a name: a few capitalised words, no sentence."""
    words = name.split()
    return (
        1 <= len(words) <= 4
        and not name.endswith((".", "!", "?"))
        and ":" not in name
        and all(
            w[0].isupper() or not w[0].isalpha() or w in _PARTICLES or _is_cjk_name(w)
            for w in words
        )
        and any(c.isalpha() for c in name)
        and not any(c.isdigit() for c in name)  # a postal address, a date
    )


def _is_cjk_name(word: str) -> bool:
    """A Chinese, Japanese or Korean name: two to four ideographs or Hangul syllables.

    >>> _is_cjk_name("焦鹏"), _is_cjk_name("김민준"), _is_cjk_name("新华网客户端今日")
    (True, True, False)
    """
    return 2 <= len(word) <= 4 and all(
        "\u4e00" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7a3" for c in word
    )


#: Lower-case words inside names (van Gogh, de la Cruz, von Trotha).
_PARTICLES = frozenset(
    ("van", "von", "der", "den", "de", "del", "della", "la", "le", "du", "da", "dos", "di", "zu")
)


def _key(text: str) -> str:
    host = text.casefold().removeprefix("https://").removeprefix("http://").removeprefix("www.")
    if re.fullmatch(r"[\w.-]+\.[a-z]{2,}/?", host):
        host = host.split(".")[0]
    return "".join(c for c in host if c.isalnum())


def _types(node: dict[str, Any]) -> list[str]:
    kind = node.get("@type", [])
    return [t for t in (kind if isinstance(kind, list) else [kind]) if isinstance(t, str)]


def _json_ld_nodes(doc: HtmlElement) -> Iterator[dict[str, Any]]:
    """Every object of the page's JSON-LD blocks, ``@graph`` and nested lists flattened."""
    for script in doc.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text_content().strip() or "null", strict=False)
        except (ValueError, RecursionError):
            continue  # a broken block is skipped, as browsers and search engines do
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack[:0] = item
            elif isinstance(item, dict):
                yield item
                if isinstance(item.get("@graph"), list):
                    stack[:0] = item["@graph"]
                for key in ("mainEntity", "mainEntityOfPage"):
                    if isinstance(item.get(key), dict):
                        stack.append(item[key])


def _itemprop_name(element: HtmlElement) -> str:
    name = element.xpath(".//*[@itemprop='name']")
    if name:
        return str(name[0].get("content") or _text(name[0]))
    return str(element.get("content") or _text(element))


def _text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


def _spaced_text(element: HtmlElement) -> str:
    """``element``'s text, its text nodes apart ("<span>By</span><a>Ann</a>": "By Ann")."""
    return " ".join(" ".join(element.xpath(".//text()")).split())
