"""The request size limit, and the JSON reply every error gets."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from publisher.serve.jobs import Failure


class LimitBody:
    """Refuse a request body over ``limit`` bytes (by its Content-Length, else as it streams)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await _too_large(self.limit)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await _too_large(self.limit)(scope, receive, send)


class _TooLarge(Exception):
    pass


def _too_large(limit: int) -> JSONResponse:
    return error_response(
        Failure(
            f"the request is larger than this server's limit of {limit / 1048576:g} MB.",
            "Send a smaller article or photo, or start the server with a higher --max-request-mb.",
            413,
        )
    )


def error_response(failure: Failure, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """The JSON reply for a failure."""
    body = {"error": failure.message, "hint": failure.hint}
    return JSONResponse(body, status_code=failure.status, headers=headers)
