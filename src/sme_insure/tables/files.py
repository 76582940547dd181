"""Reading and writing table versions: CSV + YAML side by side, or one Excel workbook.

CSV is read with every column as text (``dtype=str``) so that levels like ``"01"`` survive, and
written back the same way: a table exported and re-imported is unchanged, cell for cell. An Excel
workbook holds the figures in sheet ``table`` and the metadata as key/value rows in sheet ``meta``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml
from pydantic import ValidationError

from sme_insure.errors import Issue, TableError
from sme_insure.tables.metadata import TableMeta
from sme_insure.tables.table import RatingTable


def _meta_issues(exc: ValidationError, source: str) -> list[Issue]:
    return [
        Issue(".".join(map(str, e["loc"])), e.get("input"), e["msg"], source=source)
        for e in exc.errors()
    ]


def read_meta(path: Path) -> TableMeta:
    """Parse and validate one metadata YAML file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return TableMeta.model_validate(raw)
    except ValidationError as exc:
        raise TableError(_meta_issues(exc, str(path))) from exc
    except yaml.YAMLError as exc:
        raise TableError([Issue("", None, f"not valid YAML: {exc}", source=str(path))]) from exc


def read_csv(path: Path) -> pd.DataFrame:
    """Read a table's figures as text, blank cells as empty strings."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def load_version(meta_path: Path) -> RatingTable:
    """Load ``<version>.yaml`` and its ``<version>.csv`` into a checked :class:`RatingTable`."""
    meta = read_meta(meta_path)
    csv_path = meta_path.with_suffix(".csv")
    if not csv_path.exists():
        raise TableError(
            [Issue("csv", str(csv_path), "the figures file is missing", source=str(meta_path))]
        )
    return RatingTable.from_frame(meta, read_csv(csv_path), path=csv_path)


def write_version(table: RatingTable, folder: Path) -> Path:
    """Write a table version as ``folder/<table>/<version>.{csv,yaml}``; returns the YAML path.

    Names are built by concatenation: a version like ``2027.1`` has a dot that
    ``Path.with_suffix`` would take for a suffix."""
    target = folder / table.meta.table
    target.mkdir(parents=True, exist_ok=True)
    csv_path = target / f"{table.meta.version}.csv"
    yaml_path = target / f"{table.meta.version}.yaml"
    table.frame.to_csv(csv_path, index=False, encoding="utf-8")
    meta = table.meta.model_dump(mode="json", exclude_none=True)
    yaml_path.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return yaml_path


def to_excel(table: RatingTable, path: Path) -> None:
    """Export for business users: sheet ``table`` (figures as text) and sheet ``meta``."""
    meta = yaml.safe_dump(
        table.meta.model_dump(mode="json", exclude_none=True), allow_unicode=True, sort_keys=False
    )
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        table.frame.to_excel(xl, sheet_name="table", index=False)
        pd.DataFrame({"meta_yaml": meta.splitlines()}).to_excel(xl, sheet_name="meta", index=False)


def from_excel(path: Path) -> RatingTable:
    """Re-import a workbook written by :func:`to_excel` (possibly edited) as a checked table."""
    frame = pd.read_excel(path, sheet_name="table", dtype=str, keep_default_na=False)
    lines = pd.read_excel(path, sheet_name="meta", dtype=str, keep_default_na=False)["meta_yaml"]
    try:
        meta = TableMeta.model_validate(yaml.safe_load("\n".join(lines)))
    except ValidationError as exc:
        raise TableError(_meta_issues(exc, str(path))) from exc
    return RatingTable.from_frame(meta, frame, path=path)
