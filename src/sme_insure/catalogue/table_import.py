"""Adding rating-table versions to a tables folder, as ``sme-insure tables import`` does.

A version's figures are never changed: quotes record ``table@version`` and must re-rate to the
same figures. Its life-cycle metadata may be (``LIFECYCLE``: status, the end of its validity,
approval and filing), so a version moves draft → approved → active → retired in place, and the
version it replaces is given an ``effective_to`` together with its successor: the workbooks of
one import are staged and checked together. The same content again is a no-op. Before anything
is written the folder is checked as ``products validate`` checks it (table dates, product
references), on a staged copy: a problem the import would add refuses all of it.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sme_insure.catalogue.catalogue import Catalogue
from sme_insure.catalogue.checks import check_catalogue
from sme_insure.errors import Issue, SmeInsureError, TableError
from sme_insure.tables import RatingTable, write_version
from sme_insure.tables.files import existing_version, same_content, version_paths

#: Metadata an import may change on an existing version: none of it changes a figure.
LIFECYCLE = frozenset({"status", "effective_to", "approved_by", "approved_on", "filing_ref"})


class Change(StrEnum):
    """What an import does to one version."""

    NEW = "new"
    LIFECYCLE = "life-cycle"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class ImportOutcome:
    """Where the version's YAML is, and what this import did to it."""

    path: Path
    change: Change

    @property
    def written(self) -> bool:
        return self.change is not Change.UNCHANGED


def import_version(table: RatingTable, tables: Path, products: Path) -> ImportOutcome:
    """One workbook's version: :func:`import_versions` of one."""
    return import_versions([table], tables, products)[0]


def import_versions(batch: list[RatingTable], tables: Path, products: Path) -> list[ImportOutcome]:
    """Write the versions of ``batch`` into ``tables`` together, or refuse with a
    :class:`TableError` naming every problem (nothing is then written)."""
    changes = [_change(table, tables) for table in batch]
    todo = [t for t, c in zip(batch, changes, strict=True) if c is not Change.UNCHANGED]
    if todo:
        added = added_problems(todo, tables, products)
        if added:
            raise TableError([Issue("catalogue", ", ".join(t.meta.label for t in todo), p) for p in added])
        for table in todo:
            _write(table, tables)
    return [ImportOutcome(version_paths(t.meta, tables)[1], c) for t, c in zip(batch, changes, strict=True)]


def _change(table: RatingTable, tables: Path) -> Change:
    existing = existing_version(table.meta, tables)
    if existing is None:
        return Change.NEW
    if same_content(existing, table):
        return Change.UNCHANGED
    changed = {k for k, v in table.meta.model_dump().items() if existing.meta.model_dump()[k] != v}
    if existing.frame.equals(table.frame) and changed <= LIFECYCLE:
        return Change.LIFECYCLE
    raise TableError(
        [Issue("version", table.meta.label, "already exists with other figures or terms "
               f"({', '.join(sorted(changed - LIFECYCLE)) or 'figures'}); recorded quotes name it, "
               f"so they need a new version name (an existing version may change only "
               f"{', '.join(sorted(LIFECYCLE))})", source=str(version_paths(table.meta, tables)[1]))]
    )


def _write(table: RatingTable, folder: Path) -> Path:
    """A new version, or an existing one's metadata replaced (its CSV, the figures, is kept)."""
    csv_path, yaml_path = version_paths(table.meta, folder)
    if csv_path.exists() and yaml_path.exists():
        yaml_path.unlink()
        csv_path.rename(csv_path.with_suffix(".keep"))
        try:
            written = write_version(table, folder)
        finally:
            csv_path.with_suffix(".keep").replace(csv_path)
        return written
    return write_version(table, folder)


def added_problems(batch: list[RatingTable], tables: Path, products: Path) -> list[str]:
    """The :func:`check_catalogue` lines present with ``batch`` written and absent without it."""
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / "tables"
        if tables.is_dir():
            shutil.copytree(tables, staged)
        else:
            staged.mkdir()
        before = set(_problems(products, staged))
        for table in batch:
            _write(table, staged)
        after = _problems(products, staged)
    return [p for p in after if p not in before]


def _problems(products: Path, tables: Path) -> list[str]:
    """What ``products validate`` reports; a folder it cannot load is one problem."""
    try:
        return check_catalogue(Catalogue.load(products, tables))
    except SmeInsureError as exc:  # an empty or unloadable folder
        return [str(exc)]
