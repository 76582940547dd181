"""Where the configuration lives: ``SME_INSURE_PRODUCTS`` / ``SME_INSURE_TABLES`` if set, else
``./products`` and ``./rating_tables`` if present, else the folders beside the source checkout."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from sme_insure.catalogue import Catalogue, load_checked

_CHECKOUT = Path(__file__).resolve().parents[2]


def _folder(env: str, name: str) -> Path:
    if os.environ.get(env):
        return Path(os.environ[env])
    here = Path.cwd() / name
    return here if here.is_dir() else _CHECKOUT / name


def products_dir() -> Path:
    """Folder of product YAML files."""
    return _folder("SME_INSURE_PRODUCTS", "products")


def tables_dir() -> Path:
    """Folder of rating tables."""
    return _folder("SME_INSURE_TABLES", "rating_tables")


@cache
def default_catalogue() -> Catalogue:
    """The catalogue from the configured folders, loaded once per process; it must pass every
    cross-check of ``products validate`` (else ConfigurationError lists the problems)."""
    return load_checked(products_dir(), tables_dir())
