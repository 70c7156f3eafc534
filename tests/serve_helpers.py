"""Start `publisher serve` as a user would (a subprocess on 127.0.0.1) and talk to it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Server:
    """A running server: its base URL and process."""

    url: str
    process: subprocess.Popen[str]

    def client(self, timeout: float = 120.0) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout, trust_env=False)


@contextmanager
def running_server(
    *args: str | Path, startup: float = 180.0, env: dict[str, str] | None = None
) -> Iterator[Server]:
    """Run ``python -m publisher serve --port FREE ARGS`` (plus ``env``) until the block ends."""
    port = free_port()
    base = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env = {**base, "PYTHONPATH": str(REPO), **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "publisher", "serve", "--port", str(port), *map(str, args)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    server = Server(f"http://127.0.0.1:{port}", process)
    try:
        _wait_until_up(server, startup)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


def _wait_until_up(server: Server, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            _, err = server.process.communicate()
            raise AssertionError(f"the server stopped at start: {err}")
        try:
            if httpx.get(server.url + "/healthz", timeout=2, trust_env=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"the server did not answer within {seconds} s")


def long_article(paragraphs: int) -> str:
    """A plain-text article long enough to fill many pages."""
    body = "\n\n".join(
        f"Paragraph {n}: the council met again on Tuesday to discuss the harbour, the budget "
        "and the new ferry timetable, and residents spoke for and against every proposal "
        "at length, as they always do when the evenings are long." * 3
        for n in range(paragraphs)
    )
    return f"A very long council meeting\n\n{body}\n"
