"""The live preview page's data: a watched folder of articles, rebuilt when they change.

The page asks for an article's preview (its PDF pages as pictures, the EPUB's
text and the change log) and listens to ``/preview/events`` (server-sent
events): when a file in the watched folder changes (``watchfiles``), each
article it belongs to is rebuilt and the page is told to fetch the new preview.
A failed build is shown on the page as its error, never as a crash.

Articles are chosen by name from the folder's listing; a name from a request
is looked up there, never joined to a path.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import json
import shutil
import tempfile
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.exceptions import HTTPException

from publisher.build import InputOptions
from publisher.config import BuildConfig, PdfOptions, parse_page_size
from publisher.errors import PublisherError, UsageError
from publisher.serve.jobs import Failure, Job, builtin_theme, failure_of

if TYPE_CHECKING:
    from publisher.serve.workers import WorkerPool

#: Previews (and their page pictures) kept in memory, the most recently asked for.
_KEEP_PREVIEWS = 32
#: Looks of one article rebuilt when its file changes (the most recently asked for).
_REBUILT_LOOKS = 3
#: Seconds between keep-alive comments on an idle event stream.
_KEEP_ALIVE = 15.0


@dataclass(frozen=True, slots=True)
class Look:
    """How the page asked to see an article: a built-in theme (None: default) and a page size."""

    theme: str | None = None
    page_size: str = "a4"


class Live:
    """The watched folder, the latest preview of each article, and the page's listeners."""

    def __init__(self, folder: Path | None, pool: WorkerPool, max_pages: int) -> None:
        self.folder = folder.resolve() if folder is not None else None
        self.pool = pool
        self.max_pages = max_pages
        # The latest preview per article and look, least recently asked for first.
        self.previews: OrderedDict[tuple[str, Look], dict[str, Any]] = OrderedDict()
        self.versions: dict[str, int] = {}
        self.stamps: dict[tuple[str, Look], tuple[tuple[str, int, int], ...]] = {}
        self.pictures: OrderedDict[str, list[bytes]] = OrderedDict()
        self.listeners: set[asyncio.Queue[str]] = set()
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def articles(self) -> dict[str, Path]:
        """The article files in the watched folder, by name."""
        if self.folder is None:
            return {}
        from publisher.readers import supported_extensions

        extensions = supported_extensions()
        return {
            p.name: p
            for p in sorted(self.folder.iterdir())
            if p.suffix.lower() in extensions and p.is_file()
        }

    def start(self) -> None:
        """Start watching the folder (if one was given)."""
        if self.folder is not None:
            self._task = asyncio.create_task(self._watch())

    async def stop(self) -> None:
        """Stop watching, and end every event stream."""
        self._stop.set()
        for queue in list(self.listeners):
            queue.put_nowait("")
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _watch(self) -> None:
        from watchfiles import awatch

        assert self.folder is not None
        listing = list(self.articles())
        async for changes in awatch(self.folder, stop_event=self._stop, debounce=200, step=50):
            touched = {Path(name).stem for _, name in changes}
            if list(self.articles()) != listing:  # an article was added, removed or renamed
                listing = list(self.articles())
                self.announce({"articles": listing})
            for name, path in self.articles().items():
                if path.stem in touched:
                    looks = [look for (shown, look) in self.previews if shown == name]
                    # The most recently asked for first: it is likely the one on screen.
                    for look in reversed(looks[-_REBUILT_LOOKS:] or [Look()]):
                        await self.preview(name, path, look)
                        self.announce({"article": name, "version": self.versions.get(name, 0)})

    def announce(self, event: dict[str, Any]) -> None:
        """Tell every open page what changed: a new preview of an article, or the listing."""
        message = json.dumps(event)
        for queue in self.listeners:
            queue.put_nowait(message)

    def _job(self, path: Path, look: Look) -> Job:
        from publisher.build import build_time_from_env

        config = BuildConfig(
            out_dir=path.parent,
            theme=builtin_theme(look.theme),
            pdf=PdfOptions(page_size=parse_page_size(look.page_size)),
        )
        build_time = build_time_from_env()
        return Job("preview", path, InputOptions(), config, build_time, self.max_pages, look.theme)

    async def preview(self, name: str, path: Path, look: Look) -> dict[str, Any]:
        """Build the preview of one article file and keep it as the article's latest."""
        stamp = _stamp(path)  # before the build reads the files
        state = await self._run(name, self._job(path, look))
        self.previews[name, look] = state
        self.stamps[name, look] = stamp
        self.previews.move_to_end((name, look))
        while len(self.previews) > _KEEP_PREVIEWS:
            key, _ = self.previews.popitem(last=False)
            self.stamps.pop(key, None)
        return state

    async def preview_text(self, text: bytes, ext: str, look: Look) -> dict[str, Any]:
        """The preview of pasted text, built from a fresh temporary folder."""
        from publisher.serve.uploads import Upload, write_uploads

        folder = Path(tempfile.mkdtemp(prefix="publisher-serve-"))
        try:
            path, _ = write_uploads(folder, Upload(f"pasted{ext}", text), None, None)
            return await self._run("pasted", self._job(path, look))
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    async def _run(self, name: str, job: Job) -> dict[str, Any]:
        from publisher.serve.workers import Busy

        version = self.versions.get(name, 0) + 1
        self.versions[name] = version
        try:
            result = await self.pool.submit(job)
            failure = result.failure
        except Busy as exc:
            failure = Failure("the server is busy.", f"Try again in {exc.retry_after} s.", 503)
        except Exception as exc:  # shown on the page; the watch goes on
            failure = Failure(f"internal error: {type(exc).__name__}: {exc}", "", 500)
        state: dict[str, Any] = {"article": name, "version": version}
        if failure is not None:
            return state | {"error": {"error": failure.message, "hint": failure.hint}}
        key = uuid.uuid4().hex
        self.pictures[key] = [data for _, data in sorted(result.files.items(), key=_page_order)]
        while len(self.pictures) > _KEEP_PREVIEWS:
            self.pictures.popitem(last=False)
        images = [f"/preview/picture/{key}/{n}.png" for n in range(1, len(result.files) + 1)]
        return state | result.data | {"images": images, "warnings": list(result.warnings)}

    def _pictures_kept(self, state: dict[str, Any]) -> bool:
        """Whether the pictures of ``state`` (``/preview/picture/KEY/N.png``) are still kept."""
        return all(url.split("/")[3] in self.pictures for url in state.get("images", ()))

    async def events(self, request: Request) -> AsyncIterator[str]:
        """Server-sent events: one ``data:`` line per rebuilt article, and keep-alives."""
        queue: asyncio.Queue[str] = asyncio.Queue()
        self.listeners.add(queue)
        try:
            yield "retry: 1000\n\n"
            while not self._stop.is_set():
                try:
                    message = await asyncio.wait_for(queue.get(), _KEEP_ALIVE)
                except TimeoutError:
                    if await request.is_disconnected():
                        return
                    yield ": keep-alive\n\n"
                    continue
                if not message:
                    return
                yield f"event: rebuilt\ndata: {message}\n\n"
        finally:
            self.listeners.discard(queue)

    def add_routes(self, app: FastAPI) -> None:
        """The preview page's routes."""

        @app.get("/preview/articles", include_in_schema=False)
        async def articles() -> JSONResponse:
            from publisher.config import PAGE_SIZES
            from publisher.themes.catalog import installed_themes

            watched = str(self.folder) if self.folder is not None else None
            return JSONResponse(
                {
                    "folder": watched,
                    "articles": list(self.articles()),
                    "themes": list(installed_themes()),
                    "page_sizes": list(PAGE_SIZES),
                }
            )

        @app.get("/preview/article/{name}", include_in_schema=False)
        async def article(
            name: str, theme: str | None = None, page_size: str = "a4"
        ) -> JSONResponse:
            path = self.articles().get(name)
            if path is None:
                raise HTTPException(404, f"no article '{name}' in the watched folder.")
            look = Look(theme or None, page_size)
            state = self.previews.get((name, look))
            # Stale when a file changed after its build began (a change the watch saw
            # while this look was still being built from the older text).
            stale = self.stamps.get((name, look)) != _stamp(path)
            if state is None or stale or not self._pictures_kept(state):
                state = await self.preview(name, path, look)
            else:
                self.previews.move_to_end((name, look))
            return JSONResponse(state)

        @app.post("/preview/paste", include_in_schema=False)
        async def paste(
            request: Request, theme: str | None = None, page_size: str = "a4"
        ) -> JSONResponse:
            from publisher.serve.uploads import BODY_TYPES

            media = request.headers.get("content-type", "text/plain").split(";")[0].strip()
            ext = BODY_TYPES.get(media.lower())
            if ext is None:
                raise UsageError(f"cannot preview '{media}'.", "Paste text, Markdown or HTML.")
            try:
                look = Look(theme or None, page_size)
                return JSONResponse(await self.preview_text(await request.body(), ext, look))
            except PublisherError as exc:
                failure = failure_of(exc)
                error = {"error": failure.message, "hint": failure.hint}
                return JSONResponse({"article": "pasted", "error": error})

        @app.get("/preview/picture/{key}/{number}.png", include_in_schema=False)
        async def picture(key: str, number: int) -> Response:
            pages = self.pictures.get(key)
            if pages is None or not 1 <= number <= len(pages):
                raise HTTPException(404, "no such page picture (the preview was rebuilt).")
            headers = {"Cache-Control": "max-age=3600, immutable"}
            return Response(pages[number - 1], media_type="image/png", headers=headers)

        @app.get("/preview/events", include_in_schema=False)
        async def events(request: Request) -> StreamingResponse:
            headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
            return StreamingResponse(
                self.events(request), media_type="text/event-stream", headers=headers
            )


def _stamp(path: Path) -> tuple[tuple[str, int, int], ...]:
    """The name, time and size of the article's files (it, its sidecar, its photo)."""
    found = []
    for sibling in sorted(path.parent.glob(glob.escape(path.stem) + ".*")):
        with contextlib.suppress(OSError):
            info = sibling.stat()
            found.append((sibling.name, info.st_mtime_ns, info.st_size))
    return tuple(found)


def _page_order(item: tuple[str, bytes]) -> int:
    """``page-10.png`` after ``page-9.png``."""
    return int(item[0].removeprefix("page-").removesuffix(".png"))
