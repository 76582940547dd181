"""One writer at a time on an SQLite file, across the threads and processes that share it.

SQLite allows one writer; a second one polls in its busy handler, sleeping in steps of up to
100 ms, which is where tail latency comes from when several threads or server workers write.
Writers queue here instead: a thread lock inside the process, and an exclusive ``flock`` on a
file next to the database across processes (server workers, job processes). Both wake the next
writer the moment the lock is released. Re-entrant within a thread.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path
from types import TracebackType

from sqlalchemy.engine import make_url


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL, or ``None`` for an in-memory database or another backend."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


class WriterLock:
    """A re-entrant lock held for the length of a write transaction."""

    def __init__(self, database_file: Path | None) -> None:
        self._thread = threading.RLock()
        self._file = None if database_file is None else database_file.with_name(
            database_file.name + ".writer-lock")
        self._fd: int | None = None
        self._depth = 0

    def __enter__(self) -> WriterLock:
        self._thread.acquire()
        if self._depth == 0 and self._file is not None:
            try:
                if self._fd is None:
                    self._fd = os.open(self._file, os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(self._fd, fcntl.LOCK_EX)  # blocks (without the GIL) until free
            except BaseException:
                self._thread.release()
                raise
        self._depth += 1
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._thread.release()
