"""Backup of a live SQLite database and restore, compared table by table."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from sme_insure.errors import InputError
from sme_insure.privacy import Vault
from sme_insure.services.context import Services
from sme_insure.services.demo import create_demo
from sme_insure.storage.backup import backup, restore
from sme_insure.storage.database import Database
from sme_insure.storage.schema import Base, Policy, PremiumTransaction


def _counts(db):
    with db.reading() as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def test_backup_restore_round_trip(tmp_path, catalogue):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    db = Database(url)
    db.migrate()
    services = Services(db, catalogue, Vault(Fernet.generate_key()))
    create_demo(services, customers=8)
    before = _counts(db)
    assert before["policies"] > 0
    digest = backup(url, tmp_path / "copy.db")
    assert len(digest) == 64
    with db.transaction() as s:  # damage the live database after the backup
        s.query(PremiumTransaction).delete()
        s.query(Policy).delete()
    assert _counts(db)["policies"] == 0
    db.engine.dispose()
    restore(url, tmp_path / "copy.db")
    assert _counts(Database(url)) == before


def test_refuses_postgres_and_missing_files(tmp_path):
    with pytest.raises(InputError, match="pg_dump"):
        backup("postgresql+psycopg://x@h/db", tmp_path / "x.db")
    with pytest.raises(InputError, match="no such backup"):
        restore(f"sqlite:///{tmp_path / 'a.db'}", tmp_path / "missing.db")


def _sqlite(path, *statements):
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(path)) as con, con:
        for sql in statements:
            con.execute(sql)
    return path


def test_restore_refuses_a_database_that_is_not_sme_insure(tmp_path):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    db = Database(url)
    db.migrate()
    db.engine.dispose()
    live_before = (tmp_path / "live.db").read_bytes()
    foreign = _sqlite(tmp_path / "z.db", "CREATE TABLE z (a)")
    with pytest.raises(InputError, match="not an sme-insure database"):
        restore(url, foreign)
    # an alembic_version row alone is not enough: the core tables must be there
    stub = _sqlite(tmp_path / "stub.db", "CREATE TABLE alembic_version (version_num TEXT)",
                   "INSERT INTO alembic_version VALUES ('0001')")
    with pytest.raises(InputError, match=r"tables \['customers', 'policies'"):
        restore(url, stub)
    text = tmp_path / "notes.txt"
    text.write_text("not a database")
    with pytest.raises(InputError, match="not an SQLite database"):
        restore(url, text)
    assert (tmp_path / "live.db").read_bytes() == live_before


def test_restore_refuses_a_newer_schema_revision(tmp_path):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    newer = Database(f"sqlite:///{tmp_path / 'newer.db'}")
    newer.migrate()
    with newer.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    newer.engine.dispose()
    with pytest.raises(InputError, match=r"revision \['9999_from_the_future'\], unknown"):
        restore(url, tmp_path / "newer.db")
    assert not (tmp_path / "live.db").exists()


def test_urls_are_read_as_sqlalchemy_reads_them(tmp_path):
    from sme_insure.storage.backup import sqlite_path

    assert sqlite_path(f"sqlite+pysqlite:///{tmp_path}/a.db?timeout=5") == tmp_path / "a.db"
    assert sqlite_path(f"sqlite:///{tmp_path}/a.db") == tmp_path / "a.db"
    with pytest.raises(InputError, match="SQLite file"):
        sqlite_path("sqlite://")
    db = Database(f"sqlite:///{tmp_path / 'live.db'}")
    db.migrate()
    db.engine.dispose()
    backup(f"sqlite+pysqlite:///{tmp_path / 'live.db'}?timeout=5", tmp_path / "copy.db")
    restore(f"sqlite+pysqlite:///{tmp_path / 'back.db'}?timeout=5", tmp_path / "copy.db")
    assert (tmp_path / "back.db").exists()
