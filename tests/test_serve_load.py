"""A bounded load test of `publisher serve` on 127.0.0.1.

112 requests, 8 at a time, good and bad mixed (the issue suggests 200; 112
keeps this under a minute on a busy two-core machine): every good answer is a
valid file (pikepdf opens every PDF, every EPUB is a zip with its mimetype
first, EPUBCheck passes one of them), every bad one a JSON error; the server's
memory (its process and its workers) stays flat after warm-up, and no worker
is left dead.
"""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pikepdf
import psutil
from conftest import SEEDS, run_epubcheck
from serve_helpers import running_server

REQUESTS = 112
CONCURRENCY = 8
WARM_UP = 24


@dataclass(frozen=True)
class Case:
    """One request and what must come back."""

    params: dict[str, str]
    files: dict[str, tuple[str, bytes]]
    expect: str  # "epub", "pdf" or "error"


def cases() -> Iterator[Case]:
    articles = sorted(SEEDS.glob("*.txt"))
    bad = [
        Case({}, {"article": ("story.doc", b"binary")}, "error"),
        Case({"format": "epub"}, {"article": ("story.txt", b"\n\n")}, "error"),
        Case({"page_size": "B12"}, {"article": ("s.txt", articles[0].read_bytes())}, "error"),
        Case({"format": "epub"}, {"article": ("s.json", b'{"headline": 1}')}, "error"),
        Case({"theme": "../default"}, {"article": ("s.txt", articles[0].read_bytes())}, "error"),
    ]
    n = 0
    while True:
        article = articles[n % len(articles)]
        files = {"article": (article.name, article.read_bytes())}
        sidecar = article.with_suffix(".toml")
        if sidecar.exists():
            files["sidecar"] = (sidecar.name, sidecar.read_bytes())
        kind = n % 5
        if kind in (0, 2):
            yield Case({"format": "epub"}, files, "epub")
        elif kind == 1:
            yield Case({"format": "pdf", "page_size": "A5"}, files, "pdf")
        else:
            yield bad[n % len(bad)]
        n += 1


def memory(pid: int) -> int:
    """Resident memory of the server and its workers, in bytes."""
    process = psutil.Process(pid)
    return sum(p.memory_info().rss for p in (process, *process.children(recursive=True)))


async def _drive(url: str, todo: list[Case]) -> list[tuple[Case, httpx.Response]]:
    gate = asyncio.Semaphore(CONCURRENCY)
    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(
        base_url=url, timeout=120, trust_env=False, limits=limits
    ) as client:

        async def one(case: Case) -> tuple[Case, httpx.Response]:
            async with gate:
                return case, await client.post("/v1/build", params=case.params, files=case.files)

        return await asyncio.gather(*(one(case) for case in todo))


def test_load(tmp_path: Path) -> None:
    generated = cases()
    todo = [next(generated) for _ in range(REQUESTS)]
    with running_server("--workers", "2", "--max-queue", "16") as server:
        answers = asyncio.run(_drive(server.url, todo[:WARM_UP]))
        warm = memory(server.process.pid)
        answers += asyncio.run(_drive(server.url, todo[WARM_UP:]))
        end = memory(server.process.pid)
        with server.client() as client:
            health = client.get("/healthz").json()

    epubs: list[bytes] = []
    for case, response in answers:
        if case.expect == "error":
            assert 400 <= response.status_code < 500, response.text
            assert set(response.json()) == {"error", "hint"}
            continue
        assert response.status_code == 200, response.text
        if case.expect == "pdf":
            with pikepdf.open(io.BytesIO(response.content)) as pdf:
                assert len(pdf.pages) >= 1
        else:
            with zipfile.ZipFile(io.BytesIO(response.content)) as epub:
                assert epub.namelist()[0] == "mimetype"
                assert epub.read("mimetype") == b"application/epub+zip"
                assert epub.testzip() is None
            epubs.append(response.content)
    sample = tmp_path / "sample.epub"  # one from the middle of the run, under load
    sample.write_bytes(epubs[len(epubs) // 2])
    report = run_epubcheck(sample)
    assert report.clean, report.messages

    assert health["alive"] == health["workers"] == 2 and health["replaced"] == 0, health
    assert health["served"] >= sum(c.expect != "error" for c in todo)
    # Generous: Python rarely returns memory, but a leak per request would show here.
    assert end < warm * 1.3, f"memory grew from {warm >> 20} MB to {end >> 20} MB"
