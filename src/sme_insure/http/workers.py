"""Several server worker processes, each listening on a socket of its own on one port.

uvicorn's ``--workers`` shares one listening socket among its workers, and they race to accept:
the worker that wakes first takes every connection then waiting. A few keep-alive connections
(a proxy's upstream pool, a channel's client) can all land on one worker while the other idles:
of 8 connections, the benchmark saw every split from 4/4 to 8/0, and throughput fell with it
to that of one worker. Here each worker binds its own socket with ``SO_REUSEPORT`` and the
kernel spreads connections over them by a hash of their addresses, as nginx's ``reuseport`` does.

Workers are plain child processes (``python -m sme_insure.http.workers``) in sessions of their
own, so a terminal's Ctrl-C or hang-up reaches the supervisor alone, which decides
(:mod:`sme_insure.http.supervisor`), which also holds each worker slot's socket. A worker tells
it on a pipe once it serves, then every second that its event loop still turns, and it stops
by itself (as on SIGTERM) when its supervisor has gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import os
import signal
import socket
import sys
import threading
import time
from typing import Any

import uvicorn

available = hasattr(socket, "SO_REUSEPORT")  # Linux and the BSDs; elsewhere uvicorn's workers


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


def listening_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` sockets listening on one port (``port`` 0: one the system chooses), one per
    worker slot: the supervisor keeps them, so connections queued on a slot's socket wait for
    its next worker instead of being reset when one stops."""
    socks: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = _socket(host, port, reuse_port=True)
            port = sock.getsockname()[1]
            sock.listen(2048)
            socks.append(sock)
    except BaseException:
        for sock in socks:
            sock.close()
        raise
    return socks


def worker_command(config: dict[str, Any]) -> list[str]:
    """The command of one worker serving ``config`` (keywords of :class:`uvicorn.Config`); the
    supervisor appends its pid and the descriptors of the heartbeat pipe and of the socket."""
    return [sys.executable, "-m", "sme_insure.http.workers", json.dumps(config)]


def _exit_with(supervisor: int) -> None:
    """Stop this worker (as SIGTERM does: requests in flight finish) once its supervisor has
    gone, even killed without passing a signal on (SIGKILL, the OOM killer): an orphan would
    hold the port."""
    while os.getppid() == supervisor:
        time.sleep(1)
    os.kill(os.getpid(), signal.SIGTERM)


_SETTLE = 0.3  # seconds between closing the listener and closing idle connections


class _Server(uvicorn.Server):
    """uvicorn's server, with a heartbeat and stopping in two steps.

    Heartbeat: once it serves, a byte on the supervisor's pipe every second, written from the
    event loop (uvicorn's once-a-second tick), so a loop blocked by a stuck request stops it and
    the supervisor replaces the worker. The first byte says it serves.

    Stopping: accept nothing more, let connections accepted in the last instant read their
    request (then they are served, not idle), and only then shut down as uvicorn does. uvicorn
    closes idle connections at once, and one accepted just before the stop was closed with its
    request unread (the client saw a reset, or no answer)."""

    def __init__(self, config: uvicorn.Config, beat_fd: int) -> None:
        super().__init__(config)
        self.beat_fd = beat_fd
        os.set_blocking(beat_fd, False)  # a supervisor that stops reading must not block us

    async def on_tick(self, counter: int) -> bool:
        if counter % 10 == 0 and not self.should_exit:
            with contextlib.suppress(OSError):  # a full pipe, or the supervisor has gone
                os.write(self.beat_fd, b"r")
        return await super().on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        await asyncio.sleep(_SETTLE)
        await super().shutdown(sockets=sockets)


def main(argv: list[str]) -> None:
    """One worker: ``CONFIG_JSON SUPERVISOR_PID BEAT_FD [SOCKET_FD]`` (without a socket of its
    slot, it binds one of its own)."""
    config, supervisor, beat_fd = json.loads(argv[0]), int(argv[1]), int(argv[2])
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # replacing workers is the supervisor's call
    threading.Thread(target=_exit_with, args=(supervisor,), daemon=True).start()
    server = _Server(uvicorn.Config(**config), beat_fd)
    sock = (socket.socket(fileno=int(argv[3])) if len(argv) > 3
            else _socket(server.config.host, server.config.port, reuse_port=True))
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises SIGINT once it has stopped
        server.run(sockets=[sock])
    if not server.started:
        raise SystemExit(3)  # uvicorn's status for a failed start


if __name__ == "__main__":
    main(sys.argv[1:])
