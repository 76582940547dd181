"""Engines, sessions and migrations.

SQLite (the default, a file in WAL mode) serialises writers: each transaction starts with
``BEGIN IMMEDIATE`` so that two concurrent writers queue on the lock instead of failing on an
upgrade, and writers queue first on a lock of their own across threads and processes
(:mod:`sme_insure.storage.writer_lock`). Reading sessions begin
deferred and take no lock: in WAL mode they read the last commit and never hold up a writer (a
read that must record something, e.g. the audit of a personal-data read, writes in a
transaction of its own). PostgreSQL runs at READ COMMITTED; the few races that matter (binding a quote, using an
idempotency key) are closed by conditional updates and unique constraints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from sme_insure.storage.writer_lock import WriterLock, sqlite_path

READ_ONLY = "sme_insure_read_only"
AFTER_READ = "sme_insure_after_read"  # session.info: callables to run after a reading session
AFTER_COMMIT = "sme_insure_after_commit"  # session.info: callables to run once a transaction commits


def after_read(session: Session, action: Callable[[], None]) -> None:
    """Run ``action`` once the reading ``session`` has closed (see :meth:`Database.reading`)."""
    session.info.setdefault(AFTER_READ, []).append(action)


def after_commit(session: Session, action: Callable[[], None]) -> None:
    """Run ``action`` once the transaction of ``session`` (see :meth:`Database.transaction`) has
    committed and released its connection and lock; never if it rolls back. For what cannot be
    undone, e.g. deleting a file that only the committed state no longer needs."""
    session.info.setdefault(AFTER_COMMIT, []).append(action)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record) -> None:  # noqa: ANN001
        dbapi_conn.isolation_level = None  # let SQLAlchemy's BEGIN below take over
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:  # noqa: ANN001
        # readers take no lock (WAL: they see the last commit and never block a writer)
        read_only = conn.get_execution_options().get(READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (``sqlite:///path.db`` or ``postgresql+psycopg://...``)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _sqlite_setup(engine)
        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def alembic_config(url: str) -> Config:
    """Alembic configuration pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("sme_insure.storage") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser escaping
    return cfg


class Database:
    """A database: engine, session factory, and the unit of work."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, info={"database": self})
        self._readers = sessionmaker(self.engine.execution_options(**{READ_ONLY: True}),
                                     expire_on_commit=False, info={"database": self, READ_ONLY: True})
        # SQLite has one writer: threads and processes queue here and wake the moment the
        # writer commits, instead of polling in SQLite's busy handler (sleeps of up to 100 ms)
        sqlite = url.startswith("sqlite")
        self._write_lock = WriterLock(sqlite_path(url)) if sqlite else nullcontext()

    @classmethod
    def sqlite_file(cls, path: Path) -> Database:
        """The default: an SQLite file (created on first use)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        return cls(f"sqlite:///{path}")

    def migrate(self) -> None:
        """Bring the schema to the latest migration."""
        cfg = alembic_config(self.url)
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work: commits when the block ends, rolls everything back on any error;
        then runs what ``after_commit`` asked for (an error or a failed commit skips it)."""
        with self._write_lock, self._sessions() as session, session.begin():
            yield session
        for action in session.info.pop(AFTER_COMMIT, []):
            action()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session (no write lock on SQLite: a deferred ``BEGIN``). Writes a read
        must cause (``after_read``, e.g. the audit of a personal-data read) run once the session
        has given its connection back, so a read never holds two connections."""
        with self._readers() as session:
            yield session
            pending = session.info.pop(AFTER_READ, [])
        for action in pending:
            action()
