"""The one way a renderer reads a resource: through an allow-list of folders.

Everything WeasyPrint loads (images, fonts, stylesheets, ``@import``) goes through
``SandboxedURLFetcher``; the EPUB renderer reads the image and the theme's CSS
with ``read_allowed``. Both allow only files whose fully resolved path (symlinks
and ``..`` resolved) lies inside an allowed root, plus ``data:`` URLs for
WeasyPrint. Network URLs are refused without any network access, and every
refusal is recorded so the renderer can report it.

A renderer may also hand the fetcher bytes it made itself (the PDF's print copy
of the photo) under a private ``publisher-memory:`` URL (``memory_url``); only
the exact URLs it was given are served, nothing is read from disk for them.

WeasyPrint is imported only when a WeasyPrint fetcher is built, so rendering an
EPUB never imports it.
"""

from __future__ import annotations

import importlib.util
import mimetypes
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from publisher import cache
from publisher.errors import SandboxError
from publisher.files import RESOURCE, Kind, inside, read_file
from publisher.model import Article, Collection
from publisher.themes import Theme

REASON = "outside the article's folder, the theme and the package"
PACKAGE = Path(__file__).resolve().parents[1]
_FONT_PACKAGES = ("font_source_serif_pro", "font_source_sans_pro", "fontpkg_source_code_pro")
MEMORY_SCHEME = "publisher-memory"


def allowed_roots(article: Article, theme: Theme) -> tuple[Path, ...]:
    """Return the roots a render of ``article`` with ``theme`` may read from.

    The article's folder, the theme folders, the ``publisher`` package, the font
    packages and the image file itself (a file root allows that file only).
    """
    roots = [
        article.source.parent,
        *theme.folders,
        PACKAGE,
        *_font_package_folders(),
        *theme.font_folders,
    ]
    if article.image is not None:
        roots.append(article.image.path)
    return tuple(dict.fromkeys(root.resolve() for root in roots))


def collection_roots(collection: Collection, theme: Theme) -> tuple[Path, ...]:
    """The roots a render of ``collection`` may read from: every article's (``allowed_roots``)."""
    roots = (root for article in collection.articles for root in allowed_roots(article, theme))
    return tuple(dict.fromkeys(roots))


@lru_cache(maxsize=1)
def _font_package_folders() -> tuple[Path, ...]:
    """The installed font packages' folders (looked up once: a warm server builds thousands)."""
    folders = []
    for name in _FONT_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin is not None:
            folders.append(Path(spec.origin).parent)
    return tuple(folders)


def is_allowed(path: Path, roots: Iterable[Path]) -> bool:
    """Return whether ``path``, fully resolved, is one of ``roots`` or inside one.

    >>> is_allowed(Path("/srv/a/../b/x.css"), [Path("/srv/a")])
    False
    >>> is_allowed(Path("/srv/a/css/x.css"), [Path("/srv/a")])
    True
    """
    return inside(path, roots)


def blocked_message(what: str) -> str:
    """The warning for one refused resource."""
    return f"blocked {what}: {REASON}"


def read_allowed(path: Path, roots: Iterable[Path], kind: Kind = RESOURCE) -> bytes:
    """Read ``path`` if it is inside one of ``roots``; raise SandboxError otherwise.

    The file must also be a regular file under ``kind``'s size limit
    (``publisher.files``), else ``kind.error`` is raised before any byte is read.
    """
    roots = tuple(roots)
    if not is_allowed(path, roots):
        raise SandboxError(
            blocked_message(str(path)),
            "Keep images, stylesheets and fonts beside the article or in the theme folder.",
        )
    return read_file(path, kind)


def digest_allowed(path: Path, roots: Iterable[Path]) -> str:
    """``cache.digest`` of the bytes of ``path``, read through the sandbox as ``read_allowed``.

    Kept per process by the file's resolved path, size and modification time:
    the cover's cache key and the EPUB's font subsets both hash the theme's
    dozen font files (a few MB), and a batch hashes them for every article.
    """
    roots = tuple(roots)
    if not is_allowed(path, roots):
        read_allowed(path, roots)  # raises the sandbox's error
    resolved = path.resolve()
    stat = resolved.stat()
    return _digest_of(resolved, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=128)
def _digest_of(path: Path, size: int, mtime_ns: int) -> str:
    del size, mtime_ns  # part of the lru_cache key only: a changed file is read again
    return cache.digest(read_file(path, RESOURCE))


def memory_url(name: str) -> str:
    """The private URL under which a fetcher serves in-memory bytes called ``name``.

    >>> memory_url("photo.jpg")
    'publisher-memory:photo.jpg'
    """
    return f"{MEMORY_SCHEME}:{name}"


def path_from_file_url(url: str) -> Path | None:
    """Return the local path of a ``file:`` URL, or None for anything else.

    >>> path_from_file_url("file:///tmp/a%20b.css?x#y"), path_from_file_url("http://x/y")
    (PosixPath('/tmp/a b.css'), None)
    """
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    # Imported here: urllib.request loads ssl and http.client, some 30 ms of a cold start.
    from urllib.request import url2pathname

    return Path(url2pathname(unquote(parts.path)))


class Sandbox:
    """Allowed roots plus a record of every refused URL, in order, without repeats.

    ``resources`` maps ``memory_url`` URLs to (bytes, media type) served as they are.
    """

    def __init__(
        self, roots: Iterable[Path], resources: Mapping[str, tuple[bytes, str]] | None = None
    ) -> None:
        self.roots = tuple(Path(root).resolve() for root in roots)
        self.resources = dict(resources or {})
        self._blocked: dict[str, None] = {}

    @property
    def blocked(self) -> tuple[str, ...]:
        """The refused URLs, in the order they were first requested."""
        return tuple(self._blocked)

    @property
    def warnings(self) -> tuple[str, ...]:
        """One warning per refused URL."""
        return tuple(blocked_message(url) for url in self._blocked)

    def read_url(self, url: str) -> tuple[bytes, str]:
        """Return the bytes and media type of an allowed ``file:`` URL.

        Anything else is recorded and raises SandboxError, before any access.
        """
        if url in self.resources:
            return self.resources[url]
        path = path_from_file_url(url)
        if path is None or not is_allowed(path, self.roots):
            self._blocked.setdefault(url, None)
            raise SandboxError(blocked_message(url))
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return read_file(path, RESOURCE), media_type


_FETCHER_CLASS: Any = None


def sandboxed_url_fetcher(
    roots: Iterable[Path], resources: Mapping[str, tuple[bytes, str]] | None = None
) -> Any:
    """Return a new ``SandboxedURLFetcher`` (a ``weasyprint.URLFetcher``) for ``roots``.

    ``resources`` are in-memory files served under their ``memory_url`` URLs.
    """
    return _fetcher_class()(roots, resources)


def _fetcher_class() -> Any:
    global _FETCHER_CLASS
    if _FETCHER_CLASS is None:
        _FETCHER_CLASS = _define_fetcher_class()
    return _FETCHER_CLASS


def _define_fetcher_class() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SandboxedURLFetcher(URLFetcher):  # type: ignore[misc]
        """A WeasyPrint URL fetcher that reads only allowed files and ``data:`` URLs.

        ``sandbox.blocked`` lists the refused URLs. A refusal raises a
        ``ValueError``, which WeasyPrint turns into a logged warning and a missing
        resource, so the render goes on without it.
        """

        def __init__(
            self,
            roots: Iterable[Path],
            resources: Mapping[str, tuple[bytes, str]] | None = None,
        ) -> None:
            super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
            self.sandbox = Sandbox(roots, resources)

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
            if url.lower().startswith("data:"):
                return super().fetch(url, headers)
            try:
                data, media_type = self.sandbox.read_url(url)
            except SandboxError as error:
                raise ValueError(error.message) from None
            return URLFetcherResponse(url, body=data, headers={"Content-Type": media_type})

    return SandboxedURLFetcher


def __getattr__(name: str) -> Any:
    # ``from publisher.render.fetch import SandboxedURLFetcher`` builds the class lazily.
    if name == "SandboxedURLFetcher":
        return _fetcher_class()
    raise AttributeError(name)
