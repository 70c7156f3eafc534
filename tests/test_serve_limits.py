"""`publisher serve` under pressure: a full line (503), a build over time (504), bad options."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

import httpx
from cli_helpers import run_cli
from conftest import SEED
from serve_helpers import long_article, running_server

SEED_FORM = {"article": (SEED.name, SEED.read_bytes())}


async def _post_all(url: str) -> tuple[httpx.Response, list[httpx.Response]]:
    """A long PDF (over the time limit), then five EPUBs while it runs."""
    async with httpx.AsyncClient(base_url=url, timeout=120, trust_env=False) as client:
        slow = asyncio.create_task(
            client.post(
                "/v1/build",
                params={"format": "pdf"},
                files={"article": ("long.txt", long_article(150).encode())},
            )
        )
        while (await client.get("/healthz")).json()["busy"] < 1:  # it has the only worker
            await asyncio.sleep(0.05)
        quick = [
            client.post(
                "/v1/build",
                params={"format": "epub"},
                files=SEED_FORM,
            )
            for _ in range(5)
        ]
        answers = await asyncio.gather(*quick)
        return await slow, list(answers)


def test_full_line_gets_503_and_a_slow_build_504_then_the_worker_is_replaced() -> None:
    with running_server(
        "--workers", "1", "--max-queue", "1", "--timeout", "2", "--max-pages", "1000"
    ) as server:
        slow, answers = asyncio.run(_post_all(server.url))
        statuses = sorted(r.status_code for r in answers)
        assert statuses == [200, 503, 503, 503, 503], [r.text for r in answers]
        for refused in (r for r in answers if r.status_code == 503):
            assert int(refused.headers["retry-after"]) >= 1
            assert refused.json()["error"].startswith("the server is busy")
        assert slow.status_code == 504, slow.text
        assert "--timeout" in slow.json()["hint"]
        with server.client() as client:
            health = client.get("/healthz").json()
            assert health["alive"] == health["workers"] == 1
            assert health["replaced"] >= 1
            again = client.post(
                "/v1/build",
                params={"format": "epub"},
                files=SEED_FORM,
            )
            assert again.status_code == 200


def test_a_killed_worker_is_replaced() -> None:
    import psutil

    with (
        running_server("--workers", "1", "--max-jobs-per-worker", "3") as server,
        server.client() as client,
    ):
        (worker,) = [
            child
            for child in psutil.Process(server.process.pid).children()
            if "resource_tracker" not in " ".join(child.cmdline())
        ]
        worker.kill()
        deadline = time.monotonic() + 10
        while client.get("/healthz").status_code != 503:  # one worker down
            assert time.monotonic() < deadline, "the dead worker was not noticed"
            time.sleep(0.1)
        built = client.post("/v1/build", params={"format": "epub"}, files=SEED_FORM)
        assert built.status_code == 200, built.text
        health = client.get("/healthz").json()
        assert health["ok"] and health["alive"] == 1 and health["replaced"] == 1
        for _ in range(3):  # the third build retires the fresh worker; a new one takes over
            built = client.post("/v1/build", params={"format": "epub"}, files=SEED_FORM)
            assert built.status_code == 200, built.text
        deadline = time.monotonic() + 60
        while client.get("/healthz").json()["replaced"] < 2:
            assert time.monotonic() < deadline, "the worker was not retired after 3 builds"
            time.sleep(0.2)
        assert client.get("/healthz").json()["alive"] == 1


def test_outputs_are_the_cli_outputs_byte_for_byte(tmp_path: Path) -> None:
    """With SOURCE_DATE_EPOCH, the server builds exactly what `publisher build` writes."""
    epoch = {"SOURCE_DATE_EPOCH": "1700000000"}
    article = tmp_path / "article.txt"  # the name the server gives an upload
    article.write_bytes(SEED.read_bytes())
    built = run_cli("build", article, "-o", tmp_path / "out", env=epoch)
    assert built.returncode == 0, built.stderr
    with running_server("--workers", "1", env=epoch) as server, server.client() as client:
        for fmt in ("epub", "pdf"):
            response = client.post("/v1/build", params={"format": fmt}, files=SEED_FORM)
            assert response.status_code == 200, response.text
            assert response.content == (tmp_path / "out" / f"article.{fmt}").read_bytes()


def test_serve_refuses_bad_options_in_one_line(tmp_path: Path) -> None:
    result = run_cli("serve", "--watch", tmp_path / "missing")
    assert result.returncode == 2
    assert result.stderr.startswith("error: --watch") and "Traceback" not in result.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port))
    assert result.returncode == 2
    assert f"error: cannot listen on 127.0.0.1:{port}" in result.stderr
    result = run_cli("serve", "--workers", "0")
    assert result.returncode == 2 and "error:" in result.stderr
