"""Writing proposed draft versions and checking them as ``products validate`` would.

``check_catalogue`` skips draft versions (they are not chosen by date), so a draft is also checked
*as if approved*: a copy with status ``active`` replaces its table's versions in a scratch
catalogue, and every cross-check (levels, band ranges, keys) runs against it. Files are written
as :func:`sme_insure.tables.write_version` writes them (which cannot be used as is: it names the
files with ``Path.with_suffix``, so version ``2027.2`` would become ``2027.csv``) and read back; when the target folder holds a whole
table set, the reloaded catalogue must pass ``check_catalogue`` too.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from sme_insure.catalogue import Catalogue, check_catalogue
from sme_insure.errors import ConfigurationError, Issue
from sme_insure.tables import RatingTable, TableStatus, TableStore, load_version


def _as_active(table: RatingTable) -> RatingTable:
    meta = table.meta.model_copy(
        update={"status": TableStatus.ACTIVE, "approved_by": "rate study check"}
    )
    return RatingTable.from_frame(meta, table.frame)


def problems_as_if_active(catalogue: Catalogue, drafts: tuple[RatingTable, ...]) -> list[str]:
    """Cross-check problems of the drafts, each taken as the only version of its table."""
    ids = {d.meta.table for d in drafts}
    tables = [t for t in catalogue.tables if t.meta.table not in ids]
    scratch = Catalogue(catalogue.products, TableStore([*tables, *map(_as_active, drafts)]))
    labels = [d.meta.table for d in drafts]
    # dates are not checked here: the draft stands in for all its table's versions
    return [p for p in check_catalogue(scratch, cover=False) if any(t in p for t in labels)]


def write_table(table: RatingTable, folder: Path) -> Path:
    """``folder/<table>/<version>.csv`` and ``.yaml`` (the version label kept whole)."""
    target = folder / table.meta.table
    target.mkdir(parents=True, exist_ok=True)
    table.frame.to_csv(target / f"{table.meta.version}.csv", index=False, encoding="utf-8")
    meta = table.meta.model_dump(mode="json", exclude_none=True)
    path = target / f"{table.meta.version}.yaml"
    path.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def write_drafts(drafts: tuple[RatingTable, ...], folder: Path, products_dir: Path) -> list[Path]:
    """Write each draft to ``folder/<table>/<version>.{csv,yaml}``, read it back, and run
    ``check_catalogue`` on the folder when it is a whole table set."""
    paths = []
    for draft in drafts:
        target = folder / draft.meta.table / f"{draft.meta.version}.yaml"
        if target.exists():
            raise ConfigurationError(
                [Issue("proposal.version", draft.label, f"{target} exists already")]
            )
        paths.append(write_table(draft, folder))
        load_version(paths[-1])
    whole = all((folder / t.meta.table).is_dir() for t in drafts) and any(
        p.is_dir() and p.name not in {d.meta.table for d in drafts} for p in folder.iterdir()
    )
    if whole:
        problems = check_catalogue(Catalogue.load(products_dir, folder))
        if problems:
            raise ConfigurationError([Issue("tables", str(folder), p) for p in problems])
    return paths
