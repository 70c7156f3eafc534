"""publisher: news articles to EPUB 3, print-ready PDF and archival packages."""

__version__ = "0.1.0"
