"""Application factory for uvicorn: configuration from the environment.

``SME_INSURE_DATABASE_URL`` (default: an SQLite file ``var/sme-insure.db``), ``SME_INSURE_DATA_KEY``
(default for the demo: a key file beside the database), ``SME_INSURE_PRODUCTS`` and
``SME_INSURE_TABLES`` (default: the checkout's folders), ``SME_INSURE_LOG_LEVEL`` (default ``warning``).
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from sme_insure.http.app import create_app
from sme_insure.logs import configure_logging
from sme_insure.privacy import Vault
from sme_insure.services.context import Services
from sme_insure.settings import default_catalogue
from sme_insure.storage.database import Database


def data_dir() -> Path:
    """Where the default database and demo key live."""
    return Path(os.environ.get("SME_INSURE_DATA_DIR", "var"))


def database_url() -> str:
    """The configured database URL."""
    return os.environ.get("SME_INSURE_DATABASE_URL") or f"sqlite:///{data_dir() / 'sme-insure.db'}"


def build_services() -> Services:
    """Database (migrated), catalogue and vault from the environment."""
    url = database_url()
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    db = Database(url)
    db.migrate()
    return Services(db, default_catalogue(), Vault.from_env(data_dir() / "data.key"))


def app_factory() -> FastAPI:
    """What ``uvicorn --factory sme_insure.http.main:app_factory`` serves (personal data masked
    in every log handler, level from ``SME_INSURE_LOG_LEVEL``)."""
    configure_logging()
    return create_app(build_services())
