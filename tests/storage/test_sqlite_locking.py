"""SQLite locking: a reading session never holds up a writer; writers of one process queue
without SQLite's busy-handler sleeps, and none of their writes is lost."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from sme_insure.storage.database import Database


def _db(tmp_path) -> Database:
    db = Database.sqlite_file(tmp_path / "lock.db")
    with db.transaction() as s:
        s.execute(text("CREATE TABLE counter (n INTEGER)"))
        s.execute(text("INSERT INTO counter VALUES (0)"))
    return db


def test_an_open_reading_session_does_not_block_a_writer(tmp_path):
    db = _db(tmp_path)
    with db.reading() as reader:
        assert reader.execute(text("SELECT n FROM counter")).scalar_one() == 0
        done = threading.Event()

        def write() -> None:
            with db.transaction() as s:
                s.execute(text("UPDATE counter SET n = n + 1"))
            done.set()

        threading.Thread(target=write).start()
        assert done.wait(5), "the writer waited for a reader"
        assert reader.execute(text("SELECT n FROM counter")).scalar_one() == 0  # its snapshot
    with db.reading() as reader:
        assert reader.execute(text("SELECT n FROM counter")).scalar_one() == 1


def test_concurrent_writers_queue_and_lose_nothing(tmp_path):
    db = _db(tmp_path)

    def bump(_: int) -> float:
        t0 = time.perf_counter()
        with db.transaction() as s:
            n = s.execute(text("SELECT n FROM counter")).scalar_one()
            s.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
        return time.perf_counter() - t0

    with ThreadPoolExecutor(8) as pool:
        waits = list(pool.map(bump, range(400)))
    with db.reading() as s:
        assert s.execute(text("SELECT n FROM counter")).scalar_one() == 400  # read-modify-write safe
    assert max(waits) < 5


def _bump_many(url: str, times: int) -> None:
    db = Database(url)
    for _ in range(times):
        with db.transaction() as s:
            n = s.execute(text("SELECT n FROM counter")).scalar_one()
            s.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})


def test_writers_in_several_processes_queue_on_the_lock_file(tmp_path):
    import multiprocessing

    db = _db(tmp_path)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_bump_many, args=(db.url, 150)) for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    with db.reading() as s:
        assert s.execute(text("SELECT n FROM counter")).scalar_one() == 450
    assert (tmp_path / "lock.db.writer-lock").exists()
