"""Online, consistent backups of the SQLite default, and restore.

SQLite's backup API copies a live database page by page under its own locking, so the copy is a
consistent snapshot even while the server writes (WAL included). For PostgreSQL use
``pg_dump -Fc`` and ``pg_restore`` (see the README).
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from sme_insure.errors import InputError, Issue


def sqlite_path(url: str) -> Path:
    """The file of an ``sqlite:///`` URL; other databases are refused with a pointer."""
    if not url.startswith("sqlite:///"):
        raise InputError([Issue("database", url.split("@")[-1],
                                "backup/restore here is for SQLite; use pg_dump/pg_restore for PostgreSQL")])
    return Path(url.removeprefix("sqlite:///"))


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
    with sqlite3.connect(source) as check:
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise InputError([Issue("backup", str(source), "fails SQLite's integrity check")])
    target = sqlite_path(url)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return _digest(source)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
