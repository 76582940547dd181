"""Several server worker processes, each listening on a socket of its own on one port.

uvicorn's ``--workers`` shares one listening socket among its workers, and they race to accept:
the worker that wakes first takes every connection then waiting. A few keep-alive connections
(a proxy's upstream pool, a channel's client) can all land on one worker while the other idles:
of 8 connections, the benchmark saw every split from 4/4 to 8/0, and throughput fell with it
to that of one worker. Here each worker binds its own socket with ``SO_REUSEPORT`` and the
kernel spreads connections over them by a hash of their addresses, as nginx's ``reuseport`` does.

The supervisor, like uvicorn's: SIGINT and SIGTERM stop the workers (requests in flight finish,
within a grace period, then a worker is killed); SIGHUP replaces them one by one; a worker
that dies is replaced. It stops, with exit status 1, when a worker fails before it ever served
(the app or its configuration is broken: every restart would fail the same way) or when workers
keep dying (more than ``_CRASHES`` deaths within ``_CRASH_WINDOW`` seconds). A worker stops by
itself when its supervisor has gone.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from typing import Any

import uvicorn

_CRASHES, _CRASH_WINDOW = 5, 60.0
_GRACE = 20  # seconds a stopping worker has to finish its requests (then it is killed)
_STARTUP = 120.0  # seconds a new worker has to start serving
available = hasattr(socket, "SO_REUSEPORT")  # Linux and the BSDs; elsewhere uvicorn's workers
log = logging.getLogger("uvicorn.error")


class PortUnavailable(RuntimeError):
    """The address cannot be listened on (taken, or not an address of this machine)."""


def _socket(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def check_port_free(host: str, port: int) -> None:
    """Refuse an address that cannot be listened on, including a port taken by another server's
    workers: a plain bind fails where ``SO_REUSEPORT`` sockets would silently join their group
    and share its traffic."""
    try:
        _socket(host, port, reuse_port=False).close()
    except OSError as exc:
        reason = "is already in use" if exc.errno == errno.EADDRINUSE else f"cannot be listened on ({exc})"
        raise PortUnavailable(f"{host}:{port} {reason}") from exc


def _exit_with(supervisor: int) -> None:
    """Stop this worker (as SIGTERM does) once its supervisor has gone, even killed without
    passing a signal on (SIGKILL, the OOM killer): an orphan would hold the port."""
    while os.getppid() == supervisor:
        time.sleep(1)
    os.kill(os.getpid(), signal.SIGTERM)


def _serve(config: dict[str, Any], supervisor: int, ready: Any) -> None:
    """One worker: its own socket, then uvicorn (which listens on it and handles signals);
    ``ready`` is set once it serves."""
    threading.Thread(target=_exit_with, args=(supervisor,), daemon=True).start()
    server = uvicorn.Server(uvicorn.Config(**config))

    def announce() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if server.started:
            ready.set()

    threading.Thread(target=announce, daemon=True).start()
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises Ctrl-C once it has stopped
        server.run(sockets=[_socket(server.config.host, server.config.port, reuse_port=True)])


class _Worker:
    """A worker process and whether it has started serving."""

    def __init__(self, context: Any, config: dict[str, Any], grace: float) -> None:
        self.grace = grace
        self.ready = context.Event()
        self.process = context.Process(target=_serve, args=(config, os.getpid(), self.ready),
                                       name="sme-insure-worker")
        self.process.start()

    def stop(self) -> None:
        """Ask it to stop (SIGTERM: uvicorn finishes the requests in flight)."""
        if self.process.is_alive():
            self.process.terminate()

    def join(self) -> None:
        """Wait for it to stop; kill it if it has not within the grace period."""
        self.process.join(self.grace + 5)
        if self.process.is_alive():
            log.error("worker %s did not stop within %.0f s; killing it", self.process.pid, self.grace + 5)
            self.process.kill()
            self.process.join()


class Supervisor:
    """Starts ``workers`` processes serving ``config`` (keywords of :class:`uvicorn.Config`) and
    keeps them running until SIGINT or SIGTERM; a stopping worker has ``grace`` seconds to
    finish its requests. Callers check the address first (:func:`check_port_free`)."""

    def __init__(self, workers: int, config: dict[str, Any], grace: int = _GRACE) -> None:
        self.workers, self.grace = workers, grace
        self.config = {**config, "timeout_graceful_shutdown": grace}
        self._context = multiprocessing.get_context("spawn")
        self._signals: list[int] = []
        self._deaths: list[float] = []

    def run(self) -> int:
        """Serve until asked to stop; the exit status (0, or 1 if the workers could not run)."""
        uvicorn.Config(**self.config)  # sets up uvicorn's logging here too, at the same level
        handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        previous = {s: signal.signal(s, lambda n, _f: self._signals.append(n)) for s in handled}
        pool = [self._start() for _ in range(self.workers)]
        try:
            return self._supervise(pool)
        finally:
            for worker in pool:
                worker.stop()
            for worker in pool:
                worker.join()
            for s, handler in previous.items():
                signal.signal(s, handler)

    def _start(self) -> _Worker:
        return _Worker(self._context, self.config, self.grace)

    def _stopping(self) -> bool:
        return any(s != signal.SIGHUP for s in self._signals)

    def _supervise(self, pool: list[_Worker]) -> int:
        while not self._stopping():
            time.sleep(0.2)
            if signal.SIGHUP in self._signals:
                self._signals.remove(signal.SIGHUP)
                self._replace_all(pool)
            for i, worker in enumerate(pool):
                if worker.process.is_alive() or self._stopping():
                    continue
                pid, code = worker.process.pid, worker.process.exitcode
                if not worker.ready.is_set():
                    log.error("worker %s failed to start (exit status %s); stopping", pid, code)
                    return 1
                now = time.monotonic()
                self._deaths = [t for t in self._deaths if now - t < _CRASH_WINDOW] + [now]
                if len(self._deaths) > _CRASHES:
                    log.error("workers keep dying (%d in %.0f s); stopping", len(self._deaths), _CRASH_WINDOW)
                    return 1
                log.warning("worker %s died (exit status %s); starting another", pid, code)
                pool[i] = self._start()
        return 0

    def _replace_all(self, pool: list[_Worker]) -> None:
        """SIGHUP: replace each worker once its successor serves (new code, configuration or
        rate tables), keeping the old one if the successor fails."""
        log.warning("SIGHUP: replacing the workers one by one")
        for i, old in enumerate(pool):
            new = self._start()
            deadline = time.monotonic() + _STARTUP
            while not new.ready.wait(0.2):
                if not new.process.is_alive() or self._stopping() or time.monotonic() > deadline:
                    new.stop()
                    new.join()
                    log.error("a new worker did not start; keeping worker %s", old.process.pid)
                    return
            old.stop()
            old.join()
            pool[i] = new
