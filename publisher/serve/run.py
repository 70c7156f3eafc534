"""Run the server with uvicorn until it is stopped."""

from __future__ import annotations

import socket
from collections.abc import Callable

from publisher.errors import UsageError
from publisher.serve import ServeConfig


def run_server(config: ServeConfig, on_ready: Callable[[str], None]) -> None:
    """Serve ``config`` on its host and port; return when stopped (Ctrl+C, SIGTERM)."""
    try:
        import uvicorn

        from publisher.serve.app import create_app
    except ImportError as exc:
        raise UsageError(
            f"publisher serve needs {exc.name or 'its web server'}, which is not installed.",
            "Install it with: pip install 'publisher[serve]'.",
        ) from None

    _check_port(config.host, config.port)
    app = create_app(config, on_ready)
    uvicorn.run(
        app,
        host=config.host,
        port=config.port,
        log_level="warning",
        access_log=False,
        # Open event streams of the preview page must not hold a stop up for long.
        timeout_graceful_shutdown=2,
    )


def _check_port(host: str, port: int) -> None:
    """Fail with a clear error when the address is taken, before workers start."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise UsageError(
                f"cannot listen on {host}:{port} ({exc.strerror}).",
                "Choose another --port, or stop what is using it.",
            ) from None
