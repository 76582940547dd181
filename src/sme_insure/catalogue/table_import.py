"""Adding a rating-table version to a tables folder, as ``sme-insure tables import`` does.

A version already in the folder is never changed: quotes record ``table@version`` and must
re-rate to the same figures. The same content again is a no-op. Before anything is written the
folder is checked as ``products validate`` checks it (table dates, product references), on a
staged copy: a problem the new version would add refuses the import.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sme_insure.catalogue.catalogue import Catalogue
from sme_insure.catalogue.checks import check_catalogue
from sme_insure.errors import Issue, TableError
from sme_insure.tables import RatingTable, write_version
from sme_insure.tables.files import existing_version, same_content, version_paths


@dataclass(frozen=True)
class ImportOutcome:
    """Where the version's YAML is, and whether this import wrote it (``False``: unchanged)."""

    path: Path
    written: bool


def import_version(table: RatingTable, tables: Path, products: Path) -> ImportOutcome:
    """Write ``table`` into ``tables`` as a new version, or refuse with a :class:`TableError`."""
    yaml_path = version_paths(table.meta, tables)[1]
    existing = existing_version(table.meta, tables)
    if existing is not None:
        if same_content(existing, table):
            return ImportOutcome(yaml_path, written=False)
        raise TableError(
            [Issue("version", table.meta.label, "already exists with other content; recorded "
                   "quotes name it, so changed figures need a new version name",
                   source=str(yaml_path))]
        )
    added = added_problems(table, tables, products)
    if added:
        raise TableError([Issue("catalogue", table.meta.label, p) for p in added])
    return ImportOutcome(write_version(table, tables), written=True)


def added_problems(table: RatingTable, tables: Path, products: Path) -> list[str]:
    """The :func:`check_catalogue` lines present with ``table`` added and absent without it."""
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / "tables"
        if tables.is_dir():
            shutil.copytree(tables, staged)
        else:
            staged.mkdir()
        before = set(check_catalogue(Catalogue.load(products, staged)))
        write_version(table, staged)
        after = check_catalogue(Catalogue.load(products, staged))
    return [p for p in after if p not in before]
