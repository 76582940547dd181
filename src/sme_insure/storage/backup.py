"""Online, consistent backups of the SQLite default, and restore.

SQLite's backup API copies a live database page by page under its own locking, so the copy is a
consistent snapshot even while the server writes (WAL included). For PostgreSQL use
``pg_dump -Fc`` and ``pg_restore`` (see the README).
"""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

from alembic.script import ScriptDirectory

from sme_insure.errors import InputError, Issue
from sme_insure.storage.database import alembic_config
from sme_insure.storage.writer_lock import sqlite_path as _url_path

# created by the first migration, so present in a backup of any revision
CORE_TABLES = frozenset({"tenants", "customers", "quotes", "policies", "premium_transactions"})


def sqlite_path(url: str) -> Path:
    """The file of an SQLite URL (any driver, query parameters allowed, as SQLAlchemy reads it);
    other databases, and in-memory SQLite, are refused with a pointer."""
    path = _url_path(url)
    if path is None:
        raise InputError([Issue("database", url.split("@")[-1],
                                "backup/restore here is for an SQLite file; use pg_dump/pg_restore for PostgreSQL")])
    return path


def backup(url: str, target: Path) -> str:
    """Copy the live database to ``target``; returns the SHA-256 of the copy."""
    source = sqlite_path(url)
    if not source.exists():
        raise InputError([Issue("database", str(source), "no such database file")])
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return _digest(target)


def restore(url: str, source: Path) -> str:
    """Replace the database with a backup (the server must be stopped); returns its SHA-256."""
    if not source.exists():
        raise InputError([Issue("backup", str(source), "no such backup file")])
    target = sqlite_path(url)
    _check_backup(source)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return _digest(source)


def _check_backup(source: Path) -> None:
    """Refuse a file that is not a sound sme-insure database: SQLite's integrity check, an
    ``alembic_version`` row naming a migration this code ships (an unknown one is a newer release's
    or another application's schema), and the core tables of the first migration."""
    def refuse(reason: str) -> InputError:
        return InputError([Issue("backup", str(source), reason)])

    try:
        with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as check:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise refuse("fails SQLite's integrity check")
            tables = {r[0] for r in check.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            rows = check.execute("SELECT version_num FROM alembic_version").fetchall() if (
                "alembic_version" in tables) else []
    except sqlite3.DatabaseError as exc:
        raise refuse(f"is not an SQLite database ({exc})") from exc
    if not rows:
        raise refuse("is not an sme-insure database (no alembic_version revision)")
    known = _known_revisions()
    unknown = sorted({r[0] for r in rows} - known)
    if unknown:
        raise refuse(f"has schema revision {unknown}, unknown to this version of sme-insure "
                     f"(known: {sorted(known)}); restore it with the release that wrote it")
    missing = sorted(CORE_TABLES - tables)
    if missing:
        raise refuse(f"is not an sme-insure database: tables {missing} are missing")


def _known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return {rev.revision for rev in script.walk_revisions()}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
