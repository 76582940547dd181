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
