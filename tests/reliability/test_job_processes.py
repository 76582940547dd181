"""Background jobs never outlive their supervision: a server that shuts down fails its queued
and running jobs and stops their processes; a server killed outright (SIGKILL) leaves jobs
whose processes notice and end themselves; a tenant is never locked out by lost jobs. A job's
process logs as the server does: personal data masked."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from types import SimpleNamespace

from sqlalchemy import select

from sme_insure.services import jobs
from sme_insure.services.actor import Actor, Role
from sme_insure.settings import default_catalogue
from sme_insure.storage.audit_schema import Job
from sme_insure.storage.database import Database
from sme_insure.storage.schema import utcnow
from support import job_work
from support.paths import ROOT

ACTOR = Actor(tenant_id=1, key_id=None, role=Role.ACTUARY)


def _db(tmp_path) -> Database:
    db = Database.sqlite_file(tmp_path / "jobs.db")
    db.migrate()
    from sme_insure.storage.schema import Tenant

    with db.transaction() as s:
        s.add(Tenant(id=1, code="t1", name="t1"))
    return db


def _statuses(db: Database, ids: list[str]) -> dict[str, tuple[str, str | None]]:
    with db.reading() as s:
        return {j.id: (j.status, j.error) for j in s.scalars(select(Job).where(Job.id.in_(ids)))}


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_shutdown_fails_queued_and_running_jobs_and_stops_them(tmp_path):
    db = _db(tmp_path)
    runner = jobs.JobRunner(db, default_catalogue(), workers=1, timeout=600)
    ids = [runner.submit(ACTOR, "busy", job_work.busy, 600) for _ in range(3)]
    assert _wait_for(lambda: runner._live.get(ids[0]) is not None, 30)  # its process started
    process = runner._live[ids[0]]
    t0 = time.monotonic()
    runner.shutdown()
    assert time.monotonic() - t0 < 15 and not process.is_alive()
    found = _statuses(db, ids)
    assert found[ids[0]] == ("failed", "stopped: the server shut down while it ran")
    assert found[ids[1]] == found[ids[2]] == ("failed", "stopped: the server shut down before it started")


def test_shutdown_stops_a_job_whose_process_is_starting(tmp_path, monkeypatch):
    """Shutdown lands after the job was claimed and before its process exists (held at start())."""
    db = _db(tmp_path)
    runner = jobs.JobRunner(db, default_catalogue(), workers=1, timeout=600)
    starting, go, made = threading.Event(), threading.Event(), []
    real = runner._mp

    class Held:
        def __init__(self, *args, **kwargs):
            self.process = real.Process(*args, **kwargs)
            made.append(self.process)

        def start(self):
            starting.set()
            go.wait(120)
            self.process.start()

        def __getattr__(self, name):
            return getattr(self.process, name)

    monkeypatch.setattr(runner, "_mp", SimpleNamespace(Process=Held))
    job_id = runner.submit(ACTOR, "sleepy", job_work.sleepy, 600)
    assert starting.wait(120)
    runner.shutdown()
    go.set()
    for thread in runner._threads:
        thread.join(120)  # its supervising thread ends once it has stopped the process
    assert not any(t.is_alive() for t in runner._threads)
    assert made[0].pid is not None and not made[0].is_alive()
    assert _statuses(db, [job_id])[job_id] == ("failed", jobs.STOPPED_RUNNING)
    assert runner._live == {}


SHUTDOWN_SOON = textwrap.dedent("""
    import multiprocessing, sys, time
    sys.path[:0] = [{tests!r}, {src!r}]
    from sme_insure.services import jobs
    from sme_insure.services.actor import Actor, Role
    from sme_insure.settings import default_catalogue
    from sme_insure.storage.database import Database
    from support import job_work
    if __name__ == "__main__":
        runner = jobs.JobRunner(Database({url!r}), default_catalogue(), workers=1, timeout=600)
        job_id = runner.submit(Actor(1, None, Role.ACTUARY), "sleepy", job_work.sleepy, 600)
        time.sleep(0.5)  # the forkserver is still booting: the job is being started
        runner.shutdown()
        for thread in runner._threads:
            thread.join(90)
        print(job_id, len(multiprocessing.active_children()), flush=True)
""")


def test_shutdown_soon_after_submit_leaves_no_job_running(tmp_path):
    """A fresh server (its forkserver not started yet) shut down 0.5 s after a submit."""
    db = _db(tmp_path)
    script = tmp_path / "server.py"
    script.write_text(SHUTDOWN_SOON.format(tests=str(ROOT / "tests"), src=str(ROOT / "src"),
                                           url=db.url))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    job_id, children = done.stdout.split()
    assert children == "0"
    assert _statuses(db, [job_id])[job_id][0] == "failed"


FAILING = textwrap.dedent("""
    import sys, time
    sys.path[:0] = [{tests!r}, {src!r}]
    from sme_insure.services import jobs
    from sme_insure.services.actor import Actor, Role
    from sme_insure.settings import default_catalogue
    from sme_insure.storage.database import Database
    from support import job_work
    if __name__ == "__main__":
        runner = jobs.JobRunner(Database({url!r}), default_catalogue(), workers=1, timeout=120)
        job_id = runner.submit(Actor(1, None, Role.ACTUARY), "failing", job_work.failing, 120)
        print(job_id, flush=True)
        for _ in runner._threads:
            runner._queue.put(None)
        for thread in runner._threads:
            thread.join(120)  # the job was seen through
""")


def test_a_job_that_notices_its_own_deadline_is_recorded_as_timed_out(tmp_path):
    """The process's deadline starts once its catalogue is loaded, the server's when it starts
    the process: a process that notices first and exits 0 left the job "running" for ever."""
    db = _db(tmp_path)
    runner = jobs.JobRunner(db, default_catalogue(), workers=1, timeout=600)
    try:
        [job_id] = [runner.submit(ACTOR, "late", job_work.out_of_time, 600)]
        assert _wait_for(lambda: _statuses(db, [job_id])[job_id][0] not in ("queued", "running")
                         and job_id not in runner._live, 120)
        assert _statuses(db, [job_id])[job_id] == ("failed", jobs.timed_out(600))
    finally:
        runner.shutdown()


def test_a_jobs_unexpected_error_is_logged_with_personal_data_masked(tmp_path):
    db = _db(tmp_path)
    script = tmp_path / "server.py"
    script.write_text(FAILING.format(tests=str(ROOT / "tests"), src=str(ROOT / "src"), url=db.url))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "SME_INSURE_LOG_LEVEL": "warning"})
    job_id = done.stdout.strip()
    assert _statuses(db, [job_id])[job_id] == ("failed", "unexpected error; it was logged")
    err = done.stderr
    assert f"ERROR sme_insure.services.jobs: job {job_id} failed" in err  # the server's format
    assert "ValueError: row of customer 110105********002X, mobile 138****5678 is bad" in err
    assert "11010519491231002X" not in err and "13812345678" not in err


SERVER = textwrap.dedent("""
    import sys, time
    sys.path[:0] = [{tests!r}, {src!r}]
    from sme_insure.services import jobs
    from sme_insure.services.actor import Actor, Role
    from sme_insure.settings import default_catalogue
    from sme_insure.storage.database import Database
    from support import job_work
    if __name__ == "__main__":
        runner = jobs.JobRunner(Database({url!r}), default_catalogue(), workers=1, timeout=600)
        print(runner.submit(Actor(1, None, Role.ACTUARY), "busy", job_work.busy, 600), flush=True)
        time.sleep(600)
""")


def test_a_killed_servers_job_process_ends_itself(tmp_path):
    db = _db(tmp_path)
    script = tmp_path / "server.py"
    script.write_text(SERVER.format(tests=str(ROOT / "tests"), src=str(ROOT / "src"), url=db.url))
    server = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    job_id = server.stdout.readline().strip()  # type: ignore[union-attr]
    assert _wait_for(lambda: _statuses(db, [job_id])[job_id][0] == "running", 30)
    time.sleep(1)
    os.kill(server.pid, signal.SIGKILL)
    server.wait(10)
    assert _wait_for(lambda: _statuses(db, [job_id])[job_id][0] == "failed", 20)
    assert _statuses(db, [job_id])[job_id][1] == jobs.LOST


def test_lost_jobs_stop_counting_against_the_tenant(tmp_path, monkeypatch):
    db = _db(tmp_path)
    monkeypatch.setattr(jobs, "MAX_WAITING", 1)
    long_ago = utcnow() - dt.timedelta(days=2)
    with db.transaction() as s:
        s.add(Job(id="stale", tenant_id=1, kind="study", status="queued", progress=0.0,
                  timeout_seconds=60, created_at=long_ago))
    runner = jobs.JobRunner(db, default_catalogue(), workers=1, timeout=5)
    try:
        fresh = runner.submit(ACTOR, "sleepy", job_work.sleepy, 5)  # not refused: 'stale' is lost
        assert _statuses(db, ["stale"])["stale"] == ("failed", jobs.LOST)
        assert _wait_for(lambda: _statuses(db, [fresh])[fresh][0] == "failed", 60)
    finally:
        runner.shutdown()
