"""``sme-insure serve --workers 2`` with real workers: a socket per worker, so connections are
spread over the workers; a worker that dies is replaced; a terminal's hang-up replaces the
workers without refusing a request and its Ctrl-C stops them quietly; a taken port or a foreign
address is refused by name; the workers stop when the supervisor is killed; a broken app stops
the supervisor. The supervisor's logic in detail: ``test_supervisor.py``."""

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
    """The server, its output in a file beside its data (a pipe nobody reads could fill up)."""
    env = {**os.environ, "SME_INSURE_DATA_DIR": str(data)}
    data.mkdir(parents=True, exist_ok=True)
    with (data / "serve.log").open("a") as out:
        return subprocess.Popen([sys.executable, "-m", "sme_insure.cli", "serve", "--port", str(port),
                                 "--workers", "2", "--no-demo", *extra], env=env, stdout=out,
                                stderr=subprocess.STDOUT, text=True, **popen)


def _on_port(port: int, state: str = "01") -> set[str]:
    """Inodes of sockets on local ``port`` in ``state`` (01 established, 0A listening)."""
    rows = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    return {r[9] for r in rows if r[3] == state and int(r[1].split(":")[1], 16) == port}


def _workers(proc: subprocess.Popen, port: int) -> list[int]:
    """The supervisor's worker processes that listen on ``port``."""
    listening = _on_port(port, "0A")
    return [p for p in _children(proc.pid) if _sockets(p) & listening]


def _accepted_by(proc: subprocess.Popen, port: int, conn: socket.socket, seconds: float = 90) -> int:
    """The worker that accepted ``conn``. A worker holds its slot's socket from its start, before
    it serves (a replaced one may still be importing the app), so wait for the accept."""
    local, deadline = conn.getsockname()[1], time.monotonic() + seconds
    while time.monotonic() < deadline:
        rows = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
        mine = {r[9] for r in rows if r[3] == "01" and int(r[2].split(":")[1], 16) == local
                and int(r[1].split(":")[1], 16) == port}  # the server's end of this connection
        holders = [pid for pid in _workers(proc, port) if _sockets(pid) & mine]
        if holders:
            [holder] = holders
            return holder
        time.sleep(0.1)
    raise AssertionError(f"no worker accepted the connection from port {local}")


def _serves(proc: subprocess.Popen, port: int, pid: int) -> None:
    """Wait until worker ``pid`` accepts connections (it holds its slot's socket before)."""
    for _ in range(40):  # the kernel hashes each new connection to a slot: 2**-40 to miss it
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            if _accepted_by(proc, port, conn) == pid:
                return
    raise AssertionError(f"worker {pid} never accepted a connection")


def _both_listening(proc: subprocess.Popen, port: int) -> list[int]:
    _wait_healthy(port, 90)
    deadline = time.monotonic() + 90
    while len(_workers(proc, port)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    workers = _workers(proc, port)
    assert len(workers) == 2, f"workers listening: {workers}"
    return workers


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL (the workers notice their supervisor has gone)."""
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _gone(pids: list[int], seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while [p for p in pids if Path(f"/proc/{p}").exists()] and time.monotonic() < deadline:
        time.sleep(0.2)
    return not [p for p in pids if Path(f"/proc/{p}").exists()]


def _finish(proc: subprocess.Popen, seconds: float = 120) -> int:
    try:
        return proc.wait(seconds)
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    proc = _serve(port, tmp_path_factory.mktemp("serve"))
    try:
        _both_listening(proc, port)
        yield proc, port
    finally:
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
    try:
        for c in conns:
            c.sendall(b"GET /v1/health HTTP/1.1\r\nHost: t\r\n\r\n")
        for c in conns:
            assert c.recv(65536).startswith(b"HTTP/1.1 200")
        established = _on_port(port)
        held = sorted(len(_sockets(pid) & established) for pid in _workers(proc, port))
    finally:
        for c in conns:
            c.close()
    assert len(held) == 2 and sum(held) == 24, held
    assert held[0] >= 3, held  # binomial(24, 1/2): 2 or fewer on a worker 4 times in 100,000


def test_a_taken_port_or_a_foreign_address_is_refused_by_name(server, tmp_path):
    _, port = server
    second = _serve(port, tmp_path / "second")
    assert _finish(second) == 1
    out = (tmp_path / "second" / "serve.log").read_text()
    assert f"127.0.0.1:{port} is already in use" in out, out
    foreign = _serve(_free_port(), tmp_path / "foreign", "--host", "192.0.2.1")  # TEST-NET-1
    assert _finish(foreign) == 1
    out = (tmp_path / "foreign" / "serve.log").read_text()
    assert "cannot be listened on" in out and "Traceback" not in out, out


def test_a_worker_that_dies_is_replaced(server):
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
    [successor] = set(now) - set(before)
    _serves(proc, port, successor)


def test_a_stopping_worker_answers_a_request_that_arrives_just_after_the_stop(server):
    """A connection open (here idle) when its worker is told to stop, its request arriving 0.1 s
    later: the worker first stops accepting, then waits 0.3 s before closing idle connections,
    so the request is answered. uvicorn alone closed it at once, unanswered."""
    proc, port = server
    conn = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        holder = _accepted_by(proc, port, conn)
        os.kill(holder, signal.SIGTERM)
        time.sleep(0.1)
        conn.sendall(b"GET /v1/health HTTP/1.1\r\nHost: t\r\n\r\n")
        assert conn.recv(65536).startswith(b"HTTP/1.1 200")
    finally:
        conn.close()
    deadline = time.monotonic() + 90  # the supervisor replaces it
    while time.monotonic() < deadline and (holder in _workers(proc, port) or len(_workers(proc, port)) < 2):
        time.sleep(0.3)
    now = _workers(proc, port)
    assert holder not in now and len(now) == 2
    for pid in now:  # the module's next test finds both serving
        _serves(proc, port, pid)


def test_a_terminal_hang_up_replaces_the_workers_and_ctrl_c_stops_them_quietly(tmp_path):
    """SIGHUP and SIGINT to the whole process group, as a terminal sends them: the workers, in
    sessions of their own, hear it from the supervisor alone. Meanwhile no connection is refused
    (a worker and its successor share their slot's socket)."""
    port = _free_port()
    proc = _serve(port, tmp_path, start_new_session=True)
    try:
        old = _both_listening(proc, port)
        os.killpg(proc.pid, signal.SIGHUP)
        answered, closed, deadline = 0, 0, time.monotonic() + 120
        while time.monotonic() < deadline:
            try:  # raises if a connection is refused
                assert _health(port) == 200
            except (http.client.RemoteDisconnected, ConnectionResetError):
                # a keep-alive race a client answers by sending the request again: a worker
                # that stops closes its idle connections (0.3 s after it stopped accepting;
                # see the test above)
                closed += 1
                continue
            answered += 1
            new = _workers(proc, port)
            if len(new) == 2 and not set(new) & set(old):
                break
        assert len(new) == 2 and not set(new) & set(old) and answered > 10 and closed <= 2
        assert _gone(old)
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(60) == 0
    finally:
        _stop(proc)
    out = (tmp_path / "serve.log").read_text()
    assert "Traceback" not in out and "Error" not in out, out
    assert _gone(new)


def test_a_worker_whose_event_loop_stops_is_replaced(tmp_path):
    """Serving workers beat from their event loops: both outlive the timeout while idle; one
    stopped (SIGSTOP: as a request blocking its loop) is killed and replaced once its beats
    have been missing for the timeout."""
    port = _free_port()
    proc = _serve(port, tmp_path, "--worker-timeout", "4")
    try:
        workers = _both_listening(proc, port)
        for pid in workers:
            _serves(proc, port, pid)
        time.sleep(6)
        assert sorted(_workers(proc, port)) == sorted(workers)
        os.kill(workers[0], signal.SIGSTOP)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and (workers[0] in _workers(proc, port)
                                               or len(_workers(proc, port)) < 2):
            time.sleep(0.3)
        now = _workers(proc, port)
        assert workers[0] not in now and workers[1] in now and len(now) == 2
        _wait_healthy(port)
    finally:
        _stop(proc)
    out = (tmp_path / "serve.log").read_text()
    assert f"worker {workers[0]} has not answered for 4 s; killing it" in out, out
    assert f"worker {workers[0]} died (exit status -9)" in out, out


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
    script = ("import sys; from sme_insure.http.supervisor import Supervisor; "
              "from sme_insure.http.workers import worker_command; "
              f"raise SystemExit(Supervisor(2, worker_command({{'app': 'no_such_module:app', "
              f"'host': '127.0.0.1', 'port': {port}}})).run())")
    proc = subprocess.run([sys.executable, "-c", script], text=True, capture_output=True, timeout=120)
    assert proc.returncode == 1
    assert "failed to start (exit status" in proc.stderr + proc.stdout
