"""The HTTP API and the preview page's routes (FastAPI on Starlette).

Every error leaves as JSON ``{"error": ..., "hint": ...}`` with the same
message and hint the command line prints, and a 4xx/5xx status.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict
from importlib import resources
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException

from publisher import __version__
from publisher.build import InputOptions
from publisher.config import FORMATS, BuildConfig, PdfOptions, parse_length, parse_marks
from publisher.config import parse_page_size as _parse_page_size
from publisher.errors import PublisherError, UsageError
from publisher.model import Metadata
from publisher.serve import ServeConfig
from publisher.serve.docs import ARTICLE_BODY, docs_page
from publisher.serve.jobs import Failure, Job, Result, builtin_theme, failure_of, zip_files
from publisher.serve.limits import LimitBody, error_response
from publisher.serve.uploads import BODY_TYPES, Upload, write_uploads
from publisher.serve.workers import Busy, WorkerPool

MEDIA_TYPES = {"epub": "application/epub+zip", "pdf": "application/pdf", "zip": "application/zip"}


def create_app(config: ServeConfig, on_ready: Callable[[str], None] = lambda _: None) -> FastAPI:
    """The server's application; its workers start (and warm up) with it."""
    pool = WorkerPool(
        config.workers,
        max_queue=config.max_queue,
        timeout=config.timeout,
        max_jobs_per_worker=config.max_jobs_per_worker,
    )
    from publisher.serve.live import Live

    live = Live(config.watch, pool, config.max_pages)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(pool.start)
        live.start()
        on_ready(f"http://{config.host}:{config.port}/")
        try:
            yield
        finally:
            await live.stop()
            await asyncio.to_thread(pool.close)

    app = FastAPI(
        title="publisher",
        version=__version__,
        description="News articles to EPUB 3, print-ready PDF and archival packages.",
        lifespan=lifespan,
        docs_url=None,  # FastAPI's page loads Swagger UI from a CDN; ours is self-contained
        redoc_url=None,
    )
    app.add_middleware(LimitBody, limit=config.max_request_bytes)
    app.state.pool = pool
    app.state.live = live

    @app.exception_handler(PublisherError)
    async def publisher_error(_: Request, exc: PublisherError) -> JSONResponse:
        return error_response(failure_of(exc))

    @app.exception_handler(Busy)
    async def busy(_: Request, exc: Busy) -> JSONResponse:
        failure = Failure(
            "the server is busy: every worker is building and the line is full.",
            f"Try again in {exc.retry_after} s.",
            503,
        )
        return error_response(failure, {"Retry-After": str(exc.retry_after)})

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:]) or 'request'}: {e['msg']}"
            for e in exc.errors()
        )
        return error_response(Failure(f"bad request: {problems}.", "See /docs.", 400))

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        hint = "See /docs for the routes." if exc.status_code in (404, 405) else ""
        return error_response(Failure(str(exc.detail), hint, exc.status_code), exc.headers)

    @app.get("/healthz", summary="Is the server up, and how are its workers?")
    async def healthz() -> JSONResponse:
        status = pool.status()
        ok = status.alive == status.workers
        body = {"ok": ok, "version": __version__, **asdict(status)}
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.post(
        "/v1/build",
        summary="Build an article's EPUB, PDF, or a zip of both",
        openapi_extra=ARTICLE_BODY,
        responses={200: {"content": {t: {} for t in MEDIA_TYPES.values()}}},
    )
    async def build(
        request: Request,
        format: Annotated[
            list[str] | None, Query(description="epub or pdf; repeat for both (default: both).")
        ] = None,
        page_size: Annotated[str, Query(description="A4, A5, Letter... or 6inx9in.")] = "A4",
        bleed: Annotated[str | None, Query(description="e.g. 3mm")] = None,
        marks: Annotated[str | None, Query(description="crop, cross or crop,cross")] = None,
        pdf_variant: Annotated[str | None, Query(description="pdf/a-3b, pdf/ua-1...")] = None,
        theme: Annotated[str | None, Query(description="A built-in theme's name.")] = None,
        lang: Annotated[str | None, Query(description="Language tag, e.g. en.")] = None,
    ) -> Response:
        formats = _formats(format)
        pdf = PdfOptions(
            page_size=_parse_page_size(page_size),
            bleed=parse_length(bleed) if bleed else None,
            marks=parse_marks(marks),
            variant=pdf_variant.lower() if pdf_variant else None,
        )
        if pdf.variant:
            from publisher.render.pdf import check_variant

            check_variant(pdf.variant)
        result = await _run(request, "build", formats, pdf, theme, lang)
        if len(result.files) == 1:
            ((fmt, data),) = result.files.items()
            return _file(data, fmt, f"article.{fmt}", result.warnings)
        named = {f"article.{fmt}": data for fmt, data in result.files.items()}
        return _file(zip_files(named), "zip", "article.zip", result.warnings)

    @app.post(
        "/v1/archive",
        summary="Archive an article: a BagIt package (source, EPUB, PDF/A-3), zipped",
        openapi_extra=ARTICLE_BODY,
        responses={200: {"content": {"application/zip": {}}}},
    )
    async def archive(
        request: Request,
        theme: Annotated[str | None, Query(description="A built-in theme's name.")] = None,
        lang: Annotated[str | None, Query(description="Language tag, e.g. en.")] = None,
    ) -> Response:
        result = await _run(request, "archive", FORMATS, PdfOptions(), theme, lang)
        return _file(result.files["zip"], "zip", "article-bag.zip", result.warnings)

    @app.post(
        "/v1/normalise",
        summary="The normalised article as JSON, with its change log",
        openapi_extra=ARTICLE_BODY,
    )
    async def normalise(
        request: Request,
        lang: Annotated[str | None, Query(description="Language tag, e.g. en.")] = None,
    ) -> JSONResponse:
        result = await _run(request, "normalise", (), PdfOptions(), None, lang)
        # The body is exactly `publisher normalise --json`, so it can be sent back to /v1/build.
        headers = {"X-Publisher-Warnings": json.dumps(list(result.warnings))}
        return JSONResponse(result.data, headers=headers)

    async def _run(
        request: Request,
        kind: str,
        formats: tuple[str, ...],
        pdf: PdfOptions,
        theme: str | None,
        lang: str | None,
    ) -> Result:
        theme_folder = builtin_theme(theme)
        overrides = _language(lang)
        article, photo, sidecar = await read_article_upload(request)
        from publisher.build import build_time_from_env

        with tempfile.TemporaryDirectory(prefix="publisher-serve-") as tmp:
            folder = Path(tmp)
            path, photo_path = write_uploads(folder, article, photo, sidecar)
            job = Job(
                kind=kind,
                article=path,
                options=InputOptions(overrides=overrides, image=photo_path),
                config=BuildConfig(out_dir=folder, formats=formats, theme=theme_folder, pdf=pdf),
                build_time=build_time_from_env(),
                max_pages=config.max_pages,
                theme_name=theme,
            )
            result = await pool.submit(job)
        if result.failure is not None:
            raise _Failed(result.failure)
        return result

    @app.exception_handler(_Failed)
    async def failed(_: Request, exc: _Failed) -> JSONResponse:
        return error_response(exc.failure)

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(docs_page(app.openapi()))

    @app.get("/", include_in_schema=False)
    async def index() -> HTMLResponse:
        return HTMLResponse(asset("index.html").decode("utf-8"))

    @app.get("/assets/{name}", include_in_schema=False)
    async def assets(name: str) -> Response:
        # A fixed list: the name is looked up, never joined to a path.
        media = ASSETS.get(name)
        if media is None:
            raise HTTPException(404, f"no asset '{name}'.")
        return Response(asset(name), media_type=media)

    live.add_routes(app)
    return app


class _Failed(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


ASSETS = {"preview.js": "text/javascript", "preview.css": "text/css"}


def asset(name: str) -> bytes:
    """A file of the preview page, from the package."""
    return resources.files("publisher.serve").joinpath("static", name).read_bytes()


def _formats(given: list[str] | None) -> tuple[str, ...]:
    if not given:
        return FORMATS
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in given))
    for fmt in chosen:
        if fmt not in FORMATS:
            raise UsageError(f"'{fmt}' is not a format.", "Use format=epub, format=pdf or both.")
    return chosen


def _language(lang: str | None) -> Metadata:
    if not lang:
        return Metadata()
    from publisher.readers.values import check_language

    return Metadata(language=check_language(lang, "lang", UsageError))


async def read_article_upload(request: Request) -> tuple[Upload, Upload | None, Upload | None]:
    """The article (and its photo and sidecar) from a multipart form or a whole body."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "multipart/form-data":
        form = await request.form(max_files=3, max_fields=10)
        try:
            files: dict[str, Upload | None] = {}
            for field in ("article", "photo", "sidecar"):
                item = form.get(field)
                if item is None or isinstance(item, str):
                    files[field] = None
                else:
                    files[field] = Upload(item.filename or "", await item.read())
        finally:
            await form.close()
        article = files["article"]
        if article is None:
            raise UsageError(
                "the form has no 'article' file.", "Send the article as the form field 'article'."
            )
        return article, files["photo"], files["sidecar"]
    ext = BODY_TYPES.get(media)
    if ext is None:
        raise UsageError(
            f"cannot take a request body of type '{media or 'none'}'.",
            "Send multipart/form-data with an 'article' file, or the article as "
            f"{', '.join(BODY_TYPES)}.",
        )
    return Upload(f"article{ext}", await request.body()), None, None


def _file(data: bytes, fmt: str, name: str, warnings: tuple[str, ...]) -> Response:
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Publisher-Warnings": json.dumps(list(warnings)),
    }
    return Response(data, media_type=MEDIA_TYPES[fmt], headers=headers)
