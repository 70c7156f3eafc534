"""A pool of warm worker processes, each building one job at a time.

Hand-written on ``multiprocessing`` rather than ``ProcessPoolExecutor``: the
server must stop one runaway build (a request over its time limit) without
touching the others, and replace a worker that died, and before Python 3.14 an
executor can do neither (a dead worker breaks the whole pool; a running task
cannot be cancelled). Each worker is a spawned process that warms up once
(fonts, WeasyPrint, the language model, the default theme: ``jobs.warm_up``)
and then serves jobs over its own pipe.

Requests wait for a free worker in arrival order; when ``max_queue`` are
already waiting, ``submit`` raises ``Busy`` at once (the server answers 503).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import signal
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection

from publisher.serve.jobs import Failure, Job, Result, run_job, warm_up

_CONTEXT = multiprocessing.get_context("spawn")


class Busy(Exception):
    """Too many requests are already waiting; ``retry_after`` is a guess in seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"busy, retry after {retry_after} s")
        self.retry_after = retry_after


def _serve(conn: Connection, formats: tuple[str, ...]) -> None:
    """A worker's life: warm up, say so, then build each job it is sent until the pipe closes."""
    # Ctrl+C reaches the whole process group; the server stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warm_up(formats)
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        conn.send(run_job(job))


class _Worker:
    """One process and the parent's end of its pipe."""

    def __init__(self, formats: tuple[str, ...]) -> None:
        self.conn, child = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(target=_serve, args=(child, formats), daemon=True)
        self.process.start()
        child.close()
        self.jobs = 0
        self.ready = False

    def wait_ready(self, timeout: float) -> bool:
        if not self.ready and self.conn.poll(timeout):
            self.ready = self.conn.recv() == "ready"
        return self.ready

    def run(self, job: Job, timeout: float) -> Result | None:
        """The job's result, or None when the worker did not answer in time or died."""
        self.jobs += 1
        try:
            self.conn.send(job)
            if not self.conn.poll(timeout):
                return None
            result: Result = self.conn.recv()
        except (EOFError, OSError):  # the worker died
            return None
        return result

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)


@dataclass(frozen=True, slots=True)
class PoolStatus:
    """What ``/healthz`` reports."""

    workers: int
    alive: int
    busy: int
    queued: int
    served: int
    replaced: int


class WorkerPool:
    """``workers`` warm processes; ``submit`` runs a job on the next free one (asyncio)."""

    def __init__(
        self,
        workers: int,
        *,
        max_queue: int,
        timeout: float,
        formats: tuple[str, ...] = ("epub", "pdf"),
        max_jobs_per_worker: int = 0,
    ) -> None:
        self.size = workers
        self.max_queue = max_queue
        self.timeout = timeout
        self.formats = formats
        self.max_jobs_per_worker = max_jobs_per_worker
        self._idle: deque[_Worker] = deque()
        self._all: list[_Worker] = []
        self._waiters: deque[asyncio.Future[_Worker]] = deque()
        self._served = 0
        self._replaced = 0
        self._seconds = 1.0  # a running mean of job time, for Retry-After
        self._replacing: set[asyncio.Task[None]] = set()

    def start(self, ready_timeout: float = 120.0) -> None:
        """Start every worker and wait until each has warmed up."""
        workers = [_Worker(self.formats) for _ in range(self.size)]
        for worker in workers:
            if not worker.wait_ready(ready_timeout):
                raise RuntimeError("a server worker did not start")
        self._all.extend(workers)
        self._idle.extend(workers)

    def close(self) -> None:
        """Stop every worker."""
        for worker in self._all:
            worker.stop()
        self._all.clear()
        self._idle.clear()

    def status(self) -> PoolStatus:
        """How many workers there are, live and busy, and how many requests wait."""
        alive = sum(w.process.is_alive() for w in self._all)
        return PoolStatus(
            self.size,
            alive,
            len(self._all) - len(self._idle),
            len(self._waiters),
            self._served,
            self._replaced,
        )

    async def submit(self, job: Job) -> Result:
        """Run ``job`` on a warm worker, waiting in line; raise ``Busy`` if the line is full.

        A job over the time limit, or whose worker died, gets a failure result
        and its worker is replaced by a fresh one.
        """
        worker = await self._acquire()
        if not worker.process.is_alive():  # died while idle (killed, out of memory)
            fresh = await asyncio.to_thread(self._fresh_for, worker)
            self._all[self._all.index(worker)] = fresh
            self._replaced += 1
            worker = fresh
        started = time.perf_counter()
        healthy = False
        try:
            result = await asyncio.to_thread(worker.run, job, self.timeout)
            if result is None:
                alive = worker.process.is_alive()
                return Result(failure=_timed_out(self.timeout) if alive else _died())
            healthy = True
            self._served += 1
            return result
        finally:
            took = time.perf_counter() - started
            self._seconds = 0.8 * self._seconds + 0.2 * took
            retire = self.max_jobs_per_worker and worker.jobs >= self.max_jobs_per_worker
            if healthy and not retire:
                self._release(worker)
            else:
                # In the background: this request's answer need not wait for a warm-up.
                task = asyncio.create_task(self._replace(worker))
                self._replacing.add(task)
                task.add_done_callback(self._replacing.discard)

    async def _replace(self, worker: _Worker) -> None:
        fresh = await asyncio.to_thread(self._fresh_for, worker)
        self._all[self._all.index(worker)] = fresh
        self._replaced += 1
        self._release(fresh)

    async def _acquire(self) -> _Worker:
        if self._idle and not self._waiters:
            return self._idle.popleft()
        if len(self._waiters) >= self.max_queue:
            raise Busy(self.retry_after())
        waiter: asyncio.Future[_Worker] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            # The client went away while waiting; if a worker was already handed over, keep it.
            if waiter.done() and not waiter.cancelled():
                self._release(waiter.result())
            raise
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)

    def _release(self, worker: _Worker) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._idle.append(worker)

    def _fresh_for(self, worker: _Worker) -> _Worker:
        """Stop ``worker`` and start a warmed-up one to take its place (in a thread)."""
        worker.stop()
        fresh = _Worker(self.formats)
        fresh.wait_ready(120.0)
        return fresh

    def retry_after(self) -> int:
        """Seconds until the line has likely moved on: waiting jobs times job time, per worker."""
        waiting = len(self._waiters) + self.size
        return max(1, round(waiting * self._seconds / self.size))


def _timed_out(seconds: float) -> Failure:
    return Failure(
        f"the build took longer than this server's limit of {seconds:g} s.",
        "Send a shorter article, or start the server with a higher --timeout.",
        504,
    )


def _died() -> Failure:
    return Failure(
        "the worker building this article stopped unexpectedly.",
        "Try again; if it happens again, report it with the article.",
        500,
    )
