"""Several server worker processes, each listening on a socket of its own on one port.

uvicorn's ``--workers`` shares one listening socket among its workers, and they race to accept:
the worker that wakes first takes every connection then waiting. A few keep-alive connections
(a proxy's upstream pool, a channel's client) can all land on one worker while the other idles:
of 8 connections, the benchmark saw every split from 4/4 to 8/0, and throughput fell with it
to that of one worker. Here each worker binds its own socket with ``SO_REUSEPORT`` and the
kernel spreads connections over them by a hash of their addresses, as nginx's ``reuseport`` does.

The supervisor restarts a worker that dies, and stops (exit status 1) if workers keep dying:
more than ``_CRASHES`` deaths within ``_CRASH_WINDOW`` seconds is a fault, not bad luck.
"""

from __future__ import annotations

import errno
import multiprocessing
import os
import signal
import socket
import threading
import time
from multiprocessing.process import BaseProcess
from typing import Any

import uvicorn

_CRASHES, _CRASH_WINDOW = 5, 60.0
available = hasattr(socket, "SO_REUSEPORT")  # Linux and the BSDs; elsewhere uvicorn's workers


class PortInUse(RuntimeError):
    """Another program already listens on the port."""


def _socket(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def check_port_free(host: str, port: int) -> None:
    """Refuse a port already taken, including by another server's workers: a plain bind fails
    where sockets with ``SO_REUSEPORT`` would silently join their group and share its traffic."""
    try:
        _socket(host, port, reuse_port=False).close()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(f"{host}:{port} is already in use") from exc
        raise


def _exit_with(supervisor: int) -> None:
    """Stop this worker (as SIGTERM does: requests in flight finish) once its supervisor has
    gone, even killed without passing a signal on (SIGKILL, the OOM killer): an orphan would
    hold the port and its share of the connections with nobody to stop it."""
    while os.getppid() == supervisor:
        time.sleep(1)
    os.kill(os.getpid(), signal.SIGTERM)


def _serve(config: dict[str, Any], supervisor: int) -> None:
    """One worker: its own socket, then uvicorn (which listens on it and handles signals)."""
    threading.Thread(target=_exit_with, args=(supervisor,), daemon=True).start()
    server = uvicorn.Server(uvicorn.Config(**config))
    server.run(sockets=[_socket(server.config.host, server.config.port, reuse_port=True)])


class Supervisor:
    """Starts ``workers`` processes serving ``config`` (keywords of :class:`uvicorn.Config`) and
    keeps them running until SIGINT or SIGTERM, which it passes on."""

    def __init__(self, workers: int, config: dict[str, Any]) -> None:
        self.workers, self.config = workers, config
        self._context = multiprocessing.get_context("spawn")
        self._stopping = False
        self._deaths: list[float] = []

    def _start(self) -> BaseProcess:
        process = self._context.Process(target=_serve, args=(self.config, os.getpid()),
                                        name="sme-insure-worker")
        process.start()
        return process

    def _stop(self, _signum: int, _frame: object) -> None:
        self._stopping = True

    def run(self) -> int:
        """Serve until asked to stop; the exit status (0, or 1 if workers kept dying)."""
        check_port_free(self.config["host"], self.config["port"])
        previous = {s: signal.signal(s, self._stop) for s in (signal.SIGINT, signal.SIGTERM)}
        processes = [self._start() for _ in range(self.workers)]
        status = 0
        try:
            while not self._stopping:
                time.sleep(0.2)
                for i, process in enumerate(processes):
                    if process.is_alive() or self._stopping:
                        continue
                    now = time.monotonic()
                    self._deaths = [t for t in self._deaths if now - t < _CRASH_WINDOW] + [now]
                    if len(self._deaths) > _CRASHES:
                        status, self._stopping = 1, True
                        break
                    processes[i] = self._start()
        finally:
            for process in processes:
                if process.is_alive():
                    process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
            for process in processes:
                process.join(30)
            for s, handler in previous.items():
                signal.signal(s, handler)
        return status
