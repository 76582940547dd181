"""Reading and writing table versions: CSV + YAML side by side, or one Excel workbook.

CSV is read with every column as text (``dtype=str``) so that levels like ``"01"`` survive, and
written back the same way: a table exported and re-imported is unchanged, cell for cell. An Excel
workbook holds the figures in sheet ``table`` and the metadata as key/value rows in sheet ``meta``.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import yaml
from openpyxl.utils import get_column_letter
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


def version_paths(meta: TableMeta, folder: Path) -> tuple[Path, Path]:
    """``folder/<table>/<version>.csv`` and ``.yaml``, built by concatenation (a version like
    ``2027.1`` has a dot that ``Path.with_suffix`` would take for a suffix). A path that resolves
    outside ``folder`` is refused, whatever the metadata patterns let through."""
    root = folder.resolve()
    paths = (folder / meta.table / f"{meta.version}.csv", folder / meta.table / f"{meta.version}.yaml")
    for path in paths:
        if not path.resolve().is_relative_to(root):
            raise TableError(
                [Issue("version", meta.label, f"would be written outside the tables folder {root}")]
            )
    return paths


def existing_version(meta: TableMeta, folder: Path) -> RatingTable | None:
    """The version of the same table and name already in ``folder``, if either file exists."""
    csv_path, yaml_path = version_paths(meta, folder)
    if not (csv_path.exists() or yaml_path.exists()):
        return None
    return load_version(yaml_path)


def same_content(a: RatingTable, b: RatingTable) -> bool:
    """Same metadata and the same cells, as text."""
    return a.meta == b.meta and a.frame.equals(b.frame)


def write_version(table: RatingTable, folder: Path) -> Path:
    """Write a new table version as ``folder/<table>/<version>.{csv,yaml}``; returns the YAML path.

    An existing version is never overwritten: quotes record ``table@version`` and must re-rate
    to the same figures, so changed figures need a new version name."""
    csv_path, yaml_path = version_paths(table.meta, folder)
    if csv_path.exists() or yaml_path.exists():
        raise TableError(
            [Issue("version", table.meta.label, "already exists; give changed figures a new "
                   "version name", source=str(yaml_path))]
        )
    csv_path.parent.mkdir(parents=True, exist_ok=True)
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
    """Re-import a workbook written by :func:`to_excel` (possibly edited) as a checked table.
    Problems name the workbook, the sheet and the Excel cell (header in row 1, data from row 2)."""
    frame = _read_sheet(path, "table")
    lines = _read_sheet(path, "meta")
    if "meta_yaml" not in lines.columns:
        raise TableError(
            [Issue("meta_yaml", list(map(str, lines.columns)), "sheet meta needs this column "
                   "(header in cell A1)", source=str(path))]
        )
    meta = _excel_meta(lines["meta_yaml"], path)
    try:
        return RatingTable.from_frame(meta, frame, path=path)
    except TableError as exc:
        raise TableError([_at_cell(i, frame, path) for i in exc.issues]) from exc


def _read_sheet(path: Path, sheet: str) -> pd.DataFrame:
    if not path.is_file():
        raise TableError([Issue("workbook", str(path), "no such file")])
    try:
        return pd.read_excel(path, sheet_name=sheet, dtype=str, keep_default_na=False)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise TableError(
            [Issue(f"sheet {sheet}", str(path), f"cannot be read: {exc}; the workbook needs "
                   "sheets 'table' and 'meta'", source=str(path))]
        ) from exc


def _excel_meta(lines: pd.Series, path: Path) -> TableMeta:
    """The YAML held one line per row of sheet ``meta`` (line n is cell A(n+1))."""
    try:
        return TableMeta.model_validate(yaml.safe_load("\n".join(lines)))
    except ValidationError as exc:
        raise TableError(_meta_issues(exc, f"{path}: sheet meta")) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}: sheet meta" + (f", cell A{mark.line + 2}" if mark else "")
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise TableError([Issue("meta_yaml", None, f"not valid YAML: {what}", source=where)]) from exc


def _at_cell(issue: Issue, frame: pd.DataFrame, path: Path) -> Issue:
    """Name the Excel cell of a row issue: data row r (0-based) is sheet row r + 2."""
    if issue.row is None:
        return Issue(issue.field, issue.value, issue.reason, source=f"{path}: sheet table")
    row = issue.row + 2
    columns = list(frame.columns)
    cell = (
        f"cell {get_column_letter(columns.index(issue.field) + 1)}{row}"
        if issue.field in columns
        else f"row {row}"
    )
    return Issue(issue.field, issue.value, issue.reason, source=f"{path}: sheet table, {cell}")
