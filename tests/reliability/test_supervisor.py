"""The supervisor of ``serve --workers`` with stand-in workers (``fake_worker.py``), which start in
milliseconds and fail, hang or never serve on cue: failed starts and forks, deaths, SIGHUP rounds
(a successor that fails, an old worker dying mid-round, a merged SIGHUP), signals in the middle
of a round, and hung workers at shutdown. The stand-ins do not stop when their supervisor goes,
so a test that finds them gone saw the supervisor stop them."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

FAKE = Path(__file__).with_name("fake_worker.py")


class Run:
    """A supervisor of 2 stand-in workers in a process of its own, its log in a file."""

    def __init__(self, tmp: Path, plan: list[str], launcher: Path | None = None, sockets: bool = False,
                 **options: object) -> None:
        self.plan = tmp / "plan"
        self.plan.mkdir(parents=True)
        for i, mode in enumerate(plan):
            (self.plan / f"{i:02d}").write_text(mode)
        self.log = tmp / "supervisor.log"
        command = [str(launcher or sys.executable), str(FAKE), str(self.plan)]
        self.port_file = tmp / "port"
        socks = (f"from sme_insure.http.workers import listening_sockets; "
                 f"s = listening_sockets('127.0.0.1', 0, 2); "
                 f"open({str(self.port_file)!r}, 'w').write(str(s[0].getsockname()[1])); "
                 if sockets else "s = None; ")
        script = ("import logging, sys; logging.basicConfig(level=logging.INFO, stream=sys.stdout); "
                  "from sme_insure.http.supervisor import Supervisor; " + socks +
                  f"raise SystemExit(Supervisor(2, {command!r}, sockets=s, **{options!r}).run())")
        with self.log.open("w") as out:
            self.proc = subprocess.Popen([sys.executable, "-c", script], stdout=out, stderr=subprocess.STDOUT)

    def workers(self) -> dict[int, str]:
        """Live workers by pid, with the mode each claimed (``ok`` once the plan is used up)."""
        claimed = {int(p.suffix[1:]): p.read_text().strip() for p in self.plan.iterdir() if p.suffix}
        live = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == self.proc.pid and fields[0] != "Z":
                pid = int(stat.parent.name)
                live[pid] = claimed.get(pid, "ok")
        return live

    def wait_for(self, condition, seconds: float = 20) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            assert time.monotonic() < deadline, f"timed out; log:\n{self.text()}"
            time.sleep(0.05)

    def ready(self) -> set[int]:
        """Workers that have said they serve (their signal handlers are in place)."""
        noted = self.plan / "ready"
        return {int(x) for x in noted.read_text().split()} if noted.exists() else set()

    def serving(self) -> set[int]:
        """Wait until both workers run and have said they serve."""
        self.wait_for(lambda: len(live := self.workers()) == 2 and set(live) <= self.ready())
        time.sleep(0.2)  # the supervisor's tick reads the pipe
        return set(self.workers())

    def send(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def finish(self, seconds: float = 60) -> int:
        try:
            return self.proc.wait(seconds)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()

    def text(self) -> str:
        return self.log.read_text()

    def started(self) -> list[int]:
        """Every worker started so far."""
        pids = self.plan / "pids"
        return [int(x) for x in pids.read_text().split()] if pids.exists() else []


@pytest.fixture
def runs(tmp_path):
    made: list[Run] = []

    def make(plan: list[str], **options: object) -> Run:
        run = Run(tmp_path / str(len(made)), plan, **options)
        made.append(run)
        return run

    yield make
    for run in made:
        if run.proc.poll() is None:
            run.proc.kill()
            run.proc.wait()
        for pid in run.started():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _gone(pids, seconds: float = 1) -> bool:
    """All of ``pids`` have ended (the stand-ins never end by themselves once serving)."""
    deadline = time.monotonic() + seconds
    while [p for p in pids if _running(p)]:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_worker_failing_before_any_served_stops_the_supervisor(runs):
    run = runs(["fail", "fail"])
    assert run.finish(20) == 1
    assert "failed to start" in run.text()


def test_workers_that_keep_dying_stop_the_supervisor(runs):
    run = runs(["die"] * 10, max_deaths=3, window=60)
    assert run.finish(20) == 1
    assert "keep dying (4 in 60 s)" in run.text() and run.text().count("died (exit status 1)") == 4


def test_a_worker_whose_beats_stop_is_killed_and_replaced(runs):
    """A serving worker silent for ``timeout`` seconds (its event loop blocked; it ignores
    SIGTERM) is killed and replaced; its sibling, beating, is left alone however long it runs."""
    run = runs(["stuck", "ok"], timeout=1.5)
    run.serving()
    stuck, fine = run.started()
    run.wait_for(lambda: not _running(stuck) and len(run.workers()) == 2, 20)
    assert fine in run.workers() and run.proc.poll() is None
    time.sleep(2.5)  # longer than the timeout: the beating workers stay
    assert set(run.workers()) == {fine, run.started()[2]}
    text = run.text()
    assert f"worker {stuck} has not answered for 2 s; killing it" in text
    assert f"worker {stuck} died (exit status -9)" in text and text.count("killing it") == 1
    run.send(signal.SIGTERM)
    assert run.finish() == 0


def test_after_serving_failed_starts_are_tried_again_without_stopping_the_service(runs):
    """The OOM killer or a database outage during a restart must not stop a healthy service:
    six failed starts of one slot (more than max_deaths), each after a longer pause."""
    run = runs(["ok", "ok"] + ["fail"] * 6, retry=(0.2, 0.4))
    run.serving()
    first, second = run.started()
    t0 = time.monotonic()
    os.kill(first, signal.SIGKILL)
    run.wait_for(lambda: len(run.started()) == 9 and len(run.workers()) == 2)
    assert time.monotonic() - t0 > 2.0  # the pauses: 0.2 s, then 0.4 s five times
    assert run.proc.poll() is None and second in run.workers()
    text = run.text()
    assert text.count("failed to start (exit status 1); trying again in") == 6
    assert text.count("trying again in 0.2 s") == 1 and text.count("trying again in 0.4 s") == 5
    assert "stopping" not in text
    run.send(signal.SIGTERM)
    assert run.finish() == 0


def test_sighup_replaces_each_worker_only_once_its_successor_serves(runs):
    run = runs(["ok", "ok", "never"])
    old = run.serving()
    run.send(signal.SIGHUP)
    run.wait_for(lambda: len(run.workers()) == 3)  # the successor, which never serves
    time.sleep(1.0)
    assert old <= set(run.workers())  # no old worker stopped before its successor serves
    [successor] = set(run.workers()) - old
    os.kill(successor, signal.SIGKILL)  # the round ends; the old workers stay
    run.wait_for(lambda: "did not start; keeping worker" in run.text())
    assert set(run.workers()) == old
    run.send(signal.SIGHUP)  # plan used up: successors serve, and replace the old ones
    run.wait_for(lambda: len(run.workers()) == 2 and not old & set(run.workers()))
    assert run.text().count("SIGHUP: replacing") == 2
    run.send(signal.SIGTERM)
    assert run.finish() == 0


def test_a_worker_not_yet_serving_at_the_sighup_is_replaced_too(runs):
    """It runs the code from before the SIGHUP (the round skipped it once: a flaky CI run)."""
    run = runs(["late", "late"])
    run.wait_for(lambda: len(run.workers()) == 2)
    old = set(run.workers())
    run.send(signal.SIGHUP)  # before either has said it serves
    run.wait_for(lambda: len(run.started()) == 4 and not old & set(run.workers()), 30)
    assert len(run.workers()) == 2
    run.send(signal.SIGTERM)
    assert run.finish() == 0


def test_sighups_during_a_round_ask_for_one_more_round(runs):
    """deploy; SIGHUP; deploy; SIGHUP: the second deployment reaches every slot too."""
    run = runs(["ok", "ok"])
    run.serving()
    run.send(signal.SIGHUP)
    run.wait_for(lambda: len(run.started()) == 3)  # the round's first successor
    run.send(signal.SIGHUP)
    run.send(signal.SIGHUP)
    run.wait_for(lambda: len(run.started()) == 6 and set(run.workers()) == set(run.started()[4:]))
    time.sleep(1.0)
    assert len(run.started()) == 6  # two rounds, not three
    assert run.text().count("replacing the workers one by one") == 2
    run.send(signal.SIGTERM)
    assert run.finish() == 0


def test_sigterm_in_the_middle_of_a_round_stops_everything_at_once(runs):
    run = runs(["ok", "ok", "never"])
    run.serving()
    run.send(signal.SIGHUP)
    run.wait_for(lambda: len(run.workers()) == 3)
    everyone = list(run.workers())
    t0 = time.monotonic()
    run.send(signal.SIGTERM)
    assert run.finish() == 0
    assert time.monotonic() - t0 < 3
    assert _gone(everyone)  # the successor included


def test_hung_workers_are_killed_together_once_the_grace_period_has_passed(runs):
    run = runs(["hang", "hang"], grace=1)
    hung = list(run.serving())
    t0 = time.monotonic()
    run.send(signal.SIGTERM)
    assert run.finish() == 0
    assert 5.5 < time.monotonic() - t0 < 9  # 1 s grace + 5 s, for both at once (not 12 s)
    assert run.text().count("did not stop in time; killing it") == 2
    assert _gone(hung)


def test_a_second_signal_kills_hung_workers_at_once(runs):
    run = runs(["hang", "hang"], grace=20)
    hung = list(run.serving())
    t0 = time.monotonic()
    run.send(signal.SIGTERM)
    time.sleep(0.5)
    run.send(signal.SIGINT)
    assert run.finish() == 0
    assert time.monotonic() - t0 < 3
    assert _gone(hung)


def test_two_signals_at_once_kill_hung_workers_at_once(runs):
    """A quick double Ctrl-C: both signals may arrive before shutdown has begun."""
    run = runs(["hang", "hang"], grace=20)
    hung = list(run.serving())
    t0 = time.monotonic()
    run.send(signal.SIGTERM)
    run.send(signal.SIGINT)
    assert run.finish() == 0
    assert time.monotonic() - t0 < 3
    assert _gone(hung)


def test_an_old_worker_dying_mid_round_gives_its_slot_to_the_successor(runs):
    run = runs(["ok", "ok", "late"])
    run.serving()
    first, second = run.started()
    run.send(signal.SIGHUP)
    run.wait_for(lambda: len(run.started()) == 3)  # the successor of slot 0, serving in 1 s
    os.kill(first, signal.SIGKILL)
    run.wait_for(lambda: len(run.started()) == 4 and not _running(second), 10)
    time.sleep(0.5)
    assert len(run.started()) == 4  # slot 0: no extra worker beside its successor
    assert set(run.workers()) == set(run.started()[2:])
    run.send(signal.SIGTERM)
    assert run.finish() == 0


def test_a_successor_that_fails_ends_the_round_and_the_old_workers_stay(runs):
    run = runs(["ok", "ok", "fail", "fail"], max_deaths=1)
    old = run.serving()
    for attempt in (1, 2):
        run.send(signal.SIGHUP)
        run.wait_for(lambda n=attempt: run.text().count("did not start; keeping worker") == n)
        assert set(run.workers()) == old and run.proc.poll() is None
    run.send(signal.SIGTERM)
    assert run.finish() == 0
    assert _gone(old)


def test_closing_the_sockets_first_refuses_connections_while_workers_finish(runs):
    """Once the workers have closed their copies (uvicorn does at SIGTERM) nobody accepts on a
    socket the supervisor still held: connections were queued there, then reset."""
    run = runs(["slow", "slow"], sockets=True)
    run.serving()
    port = int(run.port_file.read_text())
    socket.create_connection(("127.0.0.1", port), timeout=2).close()  # listening
    run.send(signal.SIGTERM)
    deadline = time.monotonic() + 4  # the workers take 5 s more to finish
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        except ConnectionRefusedError:
            break
        assert time.monotonic() < deadline, "still accepted (queued) while the workers finish"
        time.sleep(0.05)
    assert run.proc.poll() is None
    assert run.finish() == 0


def test_a_worker_that_cannot_be_started_is_tried_again(runs, tmp_path):
    """The command vanishes (as fork or exec failing under memory pressure) and comes back."""
    launcher = tmp_path / "launcher"
    launcher.write_text(f"#!/bin/sh\nexec {sys.executable} \"$@\"\n")
    launcher.chmod(0o755)
    run = runs(["ok", "ok"], launcher=launcher, retry=(0.05, 0.2))
    run.serving()
    kept = launcher.read_text()
    launcher.unlink()
    victim = run.started()[0]
    os.kill(victim, signal.SIGKILL)
    run.wait_for(lambda: "a worker could not be started" in run.text())
    assert run.proc.poll() is None and len(run.workers()) == 1
    launcher.write_text(kept)
    launcher.chmod(0o755)
    run.wait_for(lambda: len(run.workers()) == 2)
    run.send(signal.SIGTERM)
    assert run.finish() == 0
