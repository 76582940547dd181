"""The supervisor of ``serve --workers`` with stand-in workers (``fake_worker.py``), which start in
milliseconds and fail, hang or never serve on cue: failed starts, deaths, SIGHUP rounds, signals
in the middle of a round, and hung workers at shutdown."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

FAKE = Path(__file__).with_name("fake_worker.py")


class Run:
    """A supervisor of 2 stand-in workers in a process of its own, its log in a file."""

    def __init__(self, tmp: Path, plan: list[str], **options: float) -> None:
        self.plan = tmp / "plan"
        self.plan.mkdir(parents=True)
        for i, mode in enumerate(plan):
            (self.plan / f"{i:02d}").write_text(mode)
        self.log = tmp / "supervisor.log"
        script = ("import logging, sys; logging.basicConfig(level=logging.INFO, stream=sys.stdout); "
                  "from sme_insure.http.supervisor import Supervisor; "
                  f"raise SystemExit(Supervisor(2, [sys.executable, {str(FAKE)!r}, {str(self.plan)!r}], "
                  f"**{options!r}).run())")
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


@pytest.fixture
def runs(tmp_path):
    made: list[Run] = []

    def make(plan: list[str], **options: float) -> Run:
        run = Run(tmp_path / str(len(made)), plan, **options)
        made.append(run)
        return run

    yield make
    for run in made:
        pids = list(run.workers())
        if run.proc.poll() is None:
            run.proc.kill()
            run.proc.wait()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _gone(pids, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not [p for p in pids if Path(f"/proc/{p}").exists()
                and "Z" not in Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1][:3]]:
            return True
        time.sleep(0.05)
    return False


def test_a_worker_failing_before_any_served_stops_the_supervisor(runs):
    run = runs(["fail", "fail"])
    assert run.finish(20) == 1
    assert "failed to start" in run.text()


def test_workers_that_keep_dying_stop_the_supervisor(runs):
    run = runs(["die"] * 10, max_deaths=3, window=60)
    assert run.finish(20) == 1
    assert "keep dying (4 in 60 s)" in run.text() and run.text().count("died (exit status 1)") == 3


def test_after_serving_a_failed_start_is_a_death_not_the_end(runs):
    """The OOM killer or a database outage during a restart must not stop a healthy service."""
    run = runs(["ok", "ok", "fail"])
    run.wait_for(lambda: len(run.workers()) == 2 and (run.plan / "01").exists() is False)
    time.sleep(0.5)  # both have said they serve
    first = sorted(run.workers())[0]
    os.kill(first, signal.SIGKILL)
    run.wait_for(lambda: len(run.workers()) == 2 and first not in run.workers())
    time.sleep(0.5)
    assert run.proc.poll() is None
    assert "died" in run.text() and "failed to start" not in run.text()
    run.send(signal.SIGTERM)
    assert run.finish() == 0


def test_sighup_replaces_each_worker_only_once_its_successor_serves(runs):
    run = runs(["ok", "ok", "never"])
    run.wait_for(lambda: len(run.workers()) == 2)
    time.sleep(0.5)
    old = set(run.workers())
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


def test_a_second_sighup_during_a_round_is_merged(runs):
    run = runs(["ok", "ok"])
    run.wait_for(lambda: len(run.workers()) == 2)
    time.sleep(0.5)
    old = set(run.workers())
    run.send(signal.SIGHUP)
    time.sleep(0.05)
    run.send(signal.SIGHUP)
    run.wait_for(lambda: len(run.workers()) == 2 and not old & set(run.workers()))
    time.sleep(1.0)
    assert run.text().count("SIGHUP: replacing") == 1
    run.send(signal.SIGTERM)
    assert run.finish() == 0


def test_sigterm_in_the_middle_of_a_round_stops_everything_at_once(runs):
    run = runs(["ok", "ok", "never"])
    run.wait_for(lambda: len(run.workers()) == 2)
    time.sleep(0.5)
    run.send(signal.SIGHUP)
    run.wait_for(lambda: len(run.workers()) == 3)
    everyone = list(run.workers())
    t0 = time.monotonic()
    run.send(signal.SIGTERM)
    assert run.finish() == 0
    assert time.monotonic() - t0 < 3
    assert _gone(everyone)


def test_hung_workers_are_killed_together_once_the_grace_period_has_passed(runs):
    run = runs(["hang", "hang"], grace=1)
    run.wait_for(lambda: len(run.workers()) == 2)
    time.sleep(0.5)
    hung = list(run.workers())
    t0 = time.monotonic()
    run.send(signal.SIGTERM)
    assert run.finish() == 0
    assert 5.5 < time.monotonic() - t0 < 9  # 1 s grace + 5 s, for both at once (not 12 s)
    assert run.text().count("did not stop in time; killing it") == 2
    assert _gone(hung)


def test_a_second_signal_kills_hung_workers_at_once(runs):
    run = runs(["hang", "hang"], grace=20)
    run.wait_for(lambda: len(run.workers()) == 2)
    time.sleep(0.5)
    hung = list(run.workers())
    t0 = time.monotonic()
    run.send(signal.SIGTERM)
    time.sleep(0.5)
    run.send(signal.SIGINT)
    assert run.finish() == 0
    assert time.monotonic() - t0 < 3
    assert _gone(hung)
