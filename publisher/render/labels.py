"""The words a book adds around its articles, in the book's language.

Reading systems speak the contents heading, the landmarks and the cover's
text alternative aloud; an Arabic book that says "Cover" and "Landmarks" in
English mixes languages without marking them (WCAG 3.1.2). A language not
listed here gets English.
"""

from __future__ import annotations

__all__ = ["label"]

#: label name -> {language: words}; every name has "en".
LABELS: dict[str, dict[str, str]] = {
    "contents": {
        "en": "Contents",
        "fr": "Sommaire",
        "de": "Inhalt",
        "es": "Índice",
        "it": "Sommario",
        "pt": "Sumário",
        "nl": "Inhoud",
        "tr": "İçindekiler",
        "ar": "المحتويات",
    },
    "cover": {
        "en": "Cover",
        "fr": "Couverture",
        "de": "Titelbild",
        "es": "Portada",
        "it": "Copertina",
        "pt": "Capa",
        "nl": "Omslag",
        "tr": "Kapak",
        "ar": "الغلاف",
    },
    "titlepage": {
        "en": "Title page",
        "fr": "Page de titre",
        "de": "Titelseite",
        "es": "Página de título",
        "it": "Frontespizio",
        "pt": "Folha de rosto",
        "nl": "Titelpagina",
        "tr": "Başlık sayfası",
        "ar": "صفحة العنوان",
    },
    "landmarks": {
        "en": "Landmarks",
        "fr": "Repères",
        "de": "Orientierungspunkte",
        "es": "Puntos de referencia",
        "it": "Punti di riferimento",
        "pt": "Pontos de referência",
        "nl": "Oriëntatiepunten",
        "tr": "Yer işaretleri",
        "ar": "المعالم",
    },
    "pages": {
        "en": "Pages",
        "fr": "Pages",
        "de": "Seiten",
        "es": "Páginas",
        "it": "Pagine",
        "pt": "Páginas",
        "nl": "Pagina's",
        "tr": "Sayfalar",
        "ar": "الصفحات",
    },
}


def label(name: str, language: str) -> str:
    """The words for ``name`` in ``language`` (a BCP 47 tag), else in English.

    >>> label("contents", "fr-CA"), label("cover", "tr"), label("pages", "xx")
    ('Sommaire', 'Kapak', 'Pages')
    """
    words = LABELS[name]
    return words.get(language.split("-")[0].lower(), words["en"])
