"""9: `publisher serve`, warm: latency of POST /v1/build, throughput, and a soak's memory.

The server runs as users run it (``publisher serve`` in its own process, two
workers) on 127.0.0.1; the client is httpx in this process.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psutil

from benchmarks.corpus import SEEDS, export_reference
from benchmarks.report import Row

SEED = SEEDS / "000_90c6971acf190e9d.txt"
BIN = Path(sys.executable).parent
WORKERS = 2
SOAK_SECONDS = 30.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _rss(pid: int) -> float:
    """Resident memory of the server and its workers, in MB."""
    process = psutil.Process(pid)
    return sum(p.memory_info().rss for p in (process, *process.children(recursive=True))) / 2**20


class _Server:
    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [str(BIN / "publisher"), "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*command, "--workers", str(WORKERS), "--max-queue", "64"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=2, trust_env=False).is_success:
                    return
            except httpx.TransportError:
                time.sleep(0.3)
        raise SystemExit("the server did not start")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _post(client: httpx.Client, path: Path, fmt: str | None = None) -> float:
    params = {"format": fmt} if fmt else {}
    started = time.perf_counter()
    response = client.post(
        "/v1/build", params=params, files={"article": (path.name, path.read_bytes())}
    )
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"the server failed: {response.text}")
    return seconds


async def _clients(url: str, paths: list[Path], clients: int, until: float = 0.0) -> int:
    """Post EPUB+PDF builds of ``paths`` from ``clients`` concurrent clients; the count done.

    With ``until`` (a monotonic time), keep cycling over ``paths`` until then.
    """
    queue = list(reversed(paths))
    done = 0

    async def client() -> None:
        nonlocal done
        async with httpx.AsyncClient(base_url=url, timeout=300, trust_env=False) as http:
            index = 0
            while True:
                if until:
                    if time.monotonic() >= until:
                        return
                    path = paths[index % len(paths)]
                    index += 1
                elif queue:
                    path = queue.pop()
                else:
                    return
                files = {"article": (path.name, path.read_bytes())}
                response = await http.post("/v1/build", files=files)
                if response.status_code != 200:
                    raise SystemExit(f"the server failed: {response.text}")
                done += 1

    await asyncio.gather(*(client() for _ in range(clients)))
    return done


class _BareRender:
    """A bare, warm, in-process WeasyPrint render of the seed's XHTML and CSS (the reference)."""

    def __init__(self, work: Path) -> None:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        pages, css = export_reference([SEED], work / "serve-ref")
        self.page = pages[0]
        self.fonts = FontConfiguration()
        self.sheets = [weasyprint.CSS(filename=str(css), font_config=self.fonts)]

    def __call__(self, tagged: bool = False) -> float:
        import weasyprint

        started = time.perf_counter()
        weasyprint.HTML(filename=str(self.page)).write_pdf(
            stylesheets=self.sheets, font_config=self.fonts, pdf_tags=tagged
        )
        return time.perf_counter() - started


def server_rows(
    work: Path, corpus_dir: Path, count: int, load: Any
) -> tuple[list[Row], dict[str, Any]]:
    """9a-9e: the server's rows."""
    reps = 15
    paths = sorted(corpus_dir.glob("*.txt"))[:count]
    subset = work / "serve-batch"
    subset.mkdir()
    for path in paths:
        shutil.copy(path, subset / path.name)
        if path.with_suffix(".jpg").is_file():
            shutil.copy(path.with_suffix(".jpg"), subset / path.with_suffix(".jpg").name)
    before = load()
    bare_render = _BareRender(work)
    server = _Server()
    try:
        with httpx.Client(base_url=server.url, timeout=300, trust_env=False) as client:
            plan: dict[str, Callable[[], float]] = {
                "epub": lambda: _post(client, SEED, "epub"),
                "pdf": lambda: _post(client, SEED, "pdf"),
                "bare": bare_render,
                "bare tagged": lambda: bare_render(tagged=True),
            }
            for _ in range(3):  # warm both workers, and the bare renderer
                for measure in plan.values():
                    measure()
            # Interleaved, so that the load of a shared machine falls on all alike.
            times: dict[str, list[float]] = {name: [] for name in plan}
            for _ in range(reps):
                for name, measure in plan.items():
                    times[name].append(measure())
            epub, pdf = times["epub"], times["pdf"]
            bare, bare_tagged = (
                statistics.median(times["bare"]),
                statistics.median(times["bare tagged"]),
            )
        rates = {}
        for clients in (2, 8):
            started = time.perf_counter()
            done = asyncio.run(_clients(server.url, paths, clients))
            rates[clients] = done / (time.perf_counter() - started)
        warm_rss = _rss(server.process.pid)
        until = time.monotonic() + SOAK_SECONDS
        soaked = asyncio.run(_clients(server.url, paths, 8, until))
        soak_rss = _rss(server.process.pid)
    finally:
        server.stop()
    out = work / "serve-batch-out"
    command = [str(BIN / "publisher"), "build", str(subset), "-o", str(out), "--jobs", "2"]
    started = time.perf_counter()
    subprocess.run(
        [*command, "--force"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    batch_rate = len(paths) / (time.perf_counter() - started)
    span = (before, load())
    epub_s, pdf_s = statistics.median(epub), statistics.median(pdf)
    rows = [
        Row(
            "9a. warm server: POST /v1/build seed → EPUB, vs the issue's 40 ms",
            epub_s,
            0.040,
            "s",
            ("<=", 1.0),
            load=span,
            notes=[f"median of {reps} sequential requests over HTTP, after warm-up"],
        ),
        Row(
            "9b. warm server: POST /v1/build seed → PDF, vs a bare warm WeasyPrint render",
            pdf_s,
            bare,
            "s",
            ("<=", 1.1),
            load=span,
            notes=[
                f"median of {reps}, interleaved with the bare renders (the same XHTML and CSS, "
                "in-process, one FontConfiguration and parsed stylesheet)"
            ],
        ),
        Row(
            "9b. same, the bare render tagged (pdf_tags, as publisher's PDF is)",
            pdf_s,
            bare_tagged,
            "s",
            ("<=", 1.1),
            load=span,
        ),
        Row(
            f"9c. server throughput, 2 clients, EPUB+PDF of {len(paths)} articles",
            rates[2],
            batch_rate,
            "articles/s",
            load=span,
            notes=["reference: publisher build --jobs 2 of the same articles, whole command"],
        ),
        Row(
            f"9d. server throughput, 8 clients, vs publisher build --jobs 2 ({WORKERS} workers)",
            rates[8],
            batch_rate,
            "articles/s",
            (">=", 0.9),
            load=span,
        ),
        Row(
            f"9e. server RSS after a {SOAK_SECONDS:.0f} s soak (8 clients) vs after warm-up",
            soak_rss,
            warm_rss,
            "MB",
            ("<=", 1.10),
            load=span,
            notes=[f"server and its {WORKERS} workers; {soaked} builds during the soak"],
        ),
    ]
    raw = {
        "serve": {
            "epub_seconds": epub,
            "pdf_seconds": pdf,
            "bare_seconds": times["bare"],
            "bare_tagged_seconds": times["bare tagged"],
            "rates": rates,
            "batch_rate": batch_rate,
            "rss_mb": {"warm": warm_rss, "soak": soak_rss},
            "soak_builds": soaked,
        }
    }
    return rows, raw


if __name__ == "__main__":  # pragma: no cover - a quick look without the other rows
    from benchmarks.corpus import make_corpus
    from benchmarks.report import text_table

    with __import__("tempfile").TemporaryDirectory() as temp:
        corpus = Path(temp) / "corpus"
        make_corpus(corpus, 30)
        found, _ = server_rows(Path(temp), corpus, 30, lambda: os.getloadavg()[0])
        print(text_table(found))
