"""``publisher serve``: an HTTP API and a live preview page, on one warm process.

- ``app``: the routes (FastAPI on Starlette);
- ``limits``: the request size limit and the JSON error reply;
- ``docs``: the request body in the OpenAPI schema, and the plain ``/docs`` page;
- ``uploads``: a request's files written into a fresh temporary folder under
  names the server chooses (no path from a request reaches the file system);
- ``workers``: a pool of warm worker processes, queued, with time limits;
- ``jobs``: what a worker does, through the ordinary build path;
- ``live``: the preview page's watched folder and its server-sent events;
- ``static/``: the preview page (plain HTML, CSS and JS; nothing from the network).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ServeConfig:
    """How to serve: where, how many workers, and the limits on each request."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = max(1, min(os.cpu_count() or 1, 4))
    max_queue: int = 16  # requests waiting for a worker before 503
    max_request_bytes: int = 20 * 1024 * 1024
    max_pages: int = 100
    timeout: float = 60.0  # seconds one build may take
    max_jobs_per_worker: int = 1000  # then the worker is replaced (0: never)
    watch: Path | None = None  # a folder of articles for the preview page
