"""``sme-insure serve --workers 2``: a socket per worker, so connections are spread over the
workers; a worker that dies is replaced and SIGHUP replaces them all; a taken port or a foreign
address is refused by name; SIGTERM, SIGINT and the supervisor's death stop every worker, a hung
one included; a broken app stops the supervisor instead of restarting for ever."""

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


def _serve(port: int, data: Path, *extra: str, **popen) -> subprocess.Popen:
    env = {**os.environ, "SME_INSURE_DATA_DIR": str(data)}
    return subprocess.Popen([sys.executable, "-m", "sme_insure.cli", "serve", "--port", str(port),
                             "--workers", "2", "--no-demo", *extra], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, **popen)


def _on_port(port: int, state: str = "01") -> set[str]:
    """Inodes of sockets on local ``port`` in ``state`` (01 established, 0A listening)."""
    rows = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    return {r[9] for r in rows if r[3] == state and int(r[1].split(":")[1], 16) == port}


def _workers(proc: subprocess.Popen, port: int) -> list[int]:
    """The supervisor's worker processes that listen on ``port``."""
    listening = _on_port(port, "0A")
    return [p for p in _children(proc.pid) if _sockets(p) & listening]


def _both_listening(proc: subprocess.Popen, port: int) -> list[int]:
    _wait_healthy(port)
    deadline = time.monotonic() + 90
    while len(_workers(proc, port)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    workers = _workers(proc, port)
    assert len(workers) == 2, f"workers listening: {workers}"
    return workers


def _stop(proc: subprocess.Popen) -> str:
    """SIGTERM and the output (SIGKILL would leave the workers to notice by themselves)."""
    if proc.poll() is None:
        proc.terminate()
    try:
        return proc.communicate(timeout=90)[0]
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()[0]


def _gone(pids: list[int], seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while [p for p in pids if Path(f"/proc/{p}").exists()] and time.monotonic() < deadline:
        time.sleep(0.2)
    return not [p for p in pids if Path(f"/proc/{p}").exists()]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    proc = _serve(port, tmp_path_factory.mktemp("serve"))
    _both_listening(proc, port)
    yield proc, port
    _stop(proc)


def test_each_worker_listens_on_a_socket_of_its_own(server):
    """With one shared socket (uvicorn's) both workers would hold the same listening inode."""
    proc, port = server
    listening = [_sockets(pid) & _on_port(port, "0A") for pid in _workers(proc, port)]
    assert len(listening) == 2 and all(len(s) == 1 for s in listening)
    assert listening[0] != listening[1]


def test_a_burst_of_keep_alive_connections_is_spread_over_both_workers(server):
    """24 connections opened at once (a proxy's pool filling up) are spread by the kernel."""
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


def test_a_taken_port_or_a_foreign_address_is_refused_by_name(server, tmp_path):
    _, port = server
    second = _serve(port, tmp_path)
    out = second.communicate(timeout=120)[0]
    assert second.returncode == 1 and f"127.0.0.1:{port} is already in use" in out, out
    foreign = _serve(_free_port(), tmp_path, "--host", "192.0.2.1")  # TEST-NET-1: not ours
    out = foreign.communicate(timeout=120)[0]
    assert foreign.returncode == 1 and "cannot be listened on" in out and "Traceback" not in out, out


def test_a_worker_that_dies_is_replaced_and_sighup_replaces_them_all(server):
    proc, port = server
    before = _workers(proc, port)
    os.kill(before[0], signal.SIGKILL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        now = _workers(proc, port)
        if len(now) == 2 and before[0] not in now:
            break
        time.sleep(0.3)
    assert len(now) == 2 and before[0] not in now and before[1] in now
    proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        replaced = _workers(proc, port)
        if len(replaced) == 2 and not set(replaced) & set(now):
            break
        time.sleep(0.3)
    assert len(replaced) == 2 and not set(replaced) & set(now), (now, replaced)
    assert proc.poll() is None
    _wait_healthy(port)


def test_sigterm_stops_every_worker_and_kills_a_hung_one(tmp_path):
    """The supervisor with a 2 s grace period: a worker stopped with SIGSTOP cannot finish, and
    is killed once the grace period (and 5 s) has passed."""
    port = _free_port()
    script = (f"from sme_insure.http.main import build_services; build_services(); "
              f"from sme_insure.http.workers import Supervisor; raise SystemExit(Supervisor(2, "
              f"{{'app': 'sme_insure.http.main:app_factory', 'factory': True, 'host': '127.0.0.1', "
              f"'port': {port}, 'log_level': 'warning'}}, grace=2).run())")
    proc = subprocess.Popen([sys.executable, "-c", script], text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env={**os.environ, "SME_INSURE_DATA_DIR": str(tmp_path)})
    try:
        workers = _both_listening(proc, port)
        os.kill(workers[0], signal.SIGSTOP)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out = proc.communicate(timeout=60)[0]
    finally:
        _stop(proc)
    assert proc.returncode == 0, out
    assert 6 < time.monotonic() - t0 < 30 and "did not stop within 7 s; killing it" in out, out
    assert _gone(workers)
    with pytest.raises(ConnectionRefusedError):
        _health(port)


def test_ctrl_c_stops_the_server_quietly(tmp_path):
    """Ctrl-C signals the whole process group: supervisor and workers."""
    port = _free_port()
    proc = _serve(port, tmp_path, start_new_session=True)
    try:
        workers = _both_listening(proc, port)
        os.killpg(proc.pid, signal.SIGINT)
        out = proc.communicate(timeout=60)[0]
    finally:
        _stop(proc)
    assert proc.returncode == 0 and "Traceback" not in out, out
    assert _gone(workers)


def test_workers_stop_when_the_supervisor_is_killed(tmp_path):
    """SIGKILL gives the supervisor no chance to pass a signal on: the workers notice."""
    port = _free_port()
    proc = _serve(port, tmp_path)
    try:
        workers = _both_listening(proc, port)
        proc.kill()
        proc.wait(10)
        assert _gone(workers)
    finally:
        _stop(proc)
    with pytest.raises(ConnectionRefusedError):
        _health(port)


def test_a_broken_app_stops_the_supervisor_instead_of_restarting_it(tmp_path):
    port = _free_port()
    script = (f"from sme_insure.http.workers import Supervisor; raise SystemExit(Supervisor(2, "
              f"{{'app': 'no_such_module:app', 'host': '127.0.0.1', 'port': {port}}}).run())")
    proc = subprocess.run([sys.executable, "-c", script], text=True, capture_output=True, timeout=120)
    assert proc.returncode == 1
    assert "failed to start" in proc.stderr, proc.stderr
