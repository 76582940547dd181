"""``sme-insure serve --workers 2``: a socket per worker, so connections are spread over the
workers; a worker that dies is replaced; the port is refused when taken; SIGTERM stops all."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="Linux/BSD only")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(stat.parent.name))
        except (OSError, IndexError):
            continue
    return out


def _sockets(pid: int) -> set[str]:
    """Inodes of the sockets process ``pid`` holds (fds come and go while we look)."""
    inodes = set()
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return inodes
    for fd in fds:
        try:
            link = os.readlink(fd)
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    return inodes


def _on_port(port: int, state: str = "01") -> set[str]:
    """Inodes of sockets on local ``port`` in ``state`` (01 established, 0A listening)."""
    rows = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    return {r[9] for r in rows if r[3] == state and int(r[1].split(":")[1], 16) == port}


def _health(port: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/v1/health")
    status = conn.getresponse().status
    conn.close()
    return status


def _wait_healthy(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if _health(port) == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("server did not answer")


def _serve(port: int, data: Path) -> subprocess.Popen:
    env = {**os.environ, "SME_INSURE_DATA_DIR": str(data)}
    return subprocess.Popen([sys.executable, "-m", "sme_insure.cli", "serve", "--port", str(port),
                             "--workers", "2", "--no-demo"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    proc = _serve(port, tmp_path_factory.mktemp("serve"))
    _wait_healthy(port)
    deadline = time.monotonic() + 60  # both workers listening
    while len(_workers(proc, port)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    yield proc, port
    _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM (SIGKILL would leave the workers to notice by themselves)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()


def _workers(proc: subprocess.Popen, port: int) -> list[int]:
    """The supervisor's worker processes that listen on ``port``."""
    listening = _on_port(port, "0A")
    return [p for p in _children(proc.pid) if _sockets(p) & listening]


def test_a_burst_of_keep_alive_connections_is_spread_over_both_workers(server):
    """24 connections opened at once (a proxy's pool filling up): with one shared socket the
    first worker to wake accepted them all; with a socket each, the kernel spreads them."""
    proc, port = server
    conns = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(24)]
    for c in conns:
        c.sendall(b"GET /v1/health HTTP/1.1\r\nHost: t\r\n\r\n")
    for c in conns:
        assert c.recv(65536).startswith(b"HTTP/1.1 200")
    established = _on_port(port)
    held = sorted(len(_sockets(pid) & established) for pid in _workers(proc, port))
    for c in conns:
        c.close()
    assert len(held) == 2 and sum(held) == 24, held
    assert held[0] >= 3, held  # binomial(24, 1/2): 2 or fewer on a worker 4 times in 100,000


def test_a_second_server_on_the_same_port_is_refused(server, tmp_path):
    _, port = server
    second = _serve(port, tmp_path)
    out, _ = second.communicate(timeout=120)
    assert second.returncode == 1
    assert f"127.0.0.1:{port} is already in use" in out


def test_a_worker_that_dies_is_replaced(server):
    proc, port = server
    before = _workers(proc, port)
    os.kill(before[0], signal.SIGKILL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        now = _workers(proc, port)
        if len(now) == 2 and before[0] not in now:
            break
        time.sleep(0.3)
    assert len(now) == 2 and before[0] not in now and before[1] in now
    _wait_healthy(port)


def test_sigterm_stops_every_worker(tmp_path):
    port = _free_port()
    proc = _serve(port, tmp_path)
    try:
        _wait_healthy(port)
        deadline = time.monotonic() + 60
        while len(_workers(proc, port)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        workers = _workers(proc, port)
        assert len(workers) == 2
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0
    finally:
        _stop(proc)
    assert not [p for p in workers if Path(f"/proc/{p}").exists()]
    with pytest.raises(ConnectionRefusedError):
        _health(port)


def test_workers_stop_when_the_supervisor_is_killed(tmp_path):
    """SIGKILL gives the supervisor no chance to pass a signal on: the workers notice."""
    port = _free_port()
    proc = _serve(port, tmp_path)
    try:
        _wait_healthy(port)
        deadline = time.monotonic() + 60
        while len(_workers(proc, port)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        workers = _workers(proc, port)
        assert len(workers) == 2
        proc.kill()
        proc.wait(10)
        deadline = time.monotonic() + 30
        while [p for p in workers if Path(f"/proc/{p}").exists()] and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        _stop(proc)
    assert not [p for p in workers if Path(f"/proc/{p}").exists()]
    with pytest.raises(ConnectionRefusedError):
        _health(port)
