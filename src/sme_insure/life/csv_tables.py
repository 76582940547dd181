"""Read an insurer's own life table from CSV: columns ``age``, ``qx`` and optionally ``sex``.

Ages must be consecutive integers, q_x numbers in [0, 1]. With a ``sex`` column, ``sex=`` picks
the rows (``male``/``female``/``unisex`` or ``m``/``f``/``u``). Every problem is reported with
its CSV row (0-based data row) in one :class:`~sme_insure.errors.TableError`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sme_insure.errors import Issue, TableError
from sme_insure.life.tables import LifeTable, Sex, TableKind

REQUIRED = ("age", "qx")


def _select_sex(frame: pd.DataFrame, sex: Sex | None, source: str) -> tuple[pd.DataFrame, Sex]:
    """Rows of one sex when the file has a ``sex`` column; otherwise the whole frame."""
    if "sex" not in frame.columns:
        return frame, sex or Sex.UNISEX
    try:
        sexes = frame["sex"].map(Sex.parse)
    except ValueError as exc:
        raise TableError(
            [Issue("sex", str(exc), "must be male/female/unisex", source=source)]
        ) from None
    if sex is None:
        if sexes.nunique() != 1:
            reason = "the file holds several sexes: pass sex="
            raise TableError([Issue("sex", sorted(set(sexes)), reason, source=source)])
        sex = sexes.iloc[0]
    return frame[sexes == sex].reset_index(drop=True), sex


def _age_issues(ages: pd.Series, source: str) -> list[Issue]:
    """Ages must be integers, consecutive and ascending."""
    numeric = pd.to_numeric(ages, errors="coerce")
    bad = numeric.isna() | (numeric % 1 != 0)
    issues = [
        Issue("age", ages[k], "must be an integer", row=int(k), source=source)
        for k in np.flatnonzero(bad)
    ]
    if issues or numeric.empty:
        return issues or [Issue("age", None, "the table has no rows", source=source)]
    steps = np.flatnonzero(np.diff(numeric.to_numpy()) != 1) + 1
    reason = "ages must be consecutive and ascending"
    return [Issue("age", ages[k], reason, row=int(k), source=source) for k in steps]


def read_table_csv(
    path: str | Path,
    *,
    table_id: str,
    kind: TableKind,
    name: str | None = None,
    sex: Sex | None = None,
    source: str | None = None,
    close: bool = False,
) -> LifeTable:
    """A :class:`LifeTable` from a CSV file; provenance defaults to the file path."""
    path = Path(path)
    where = source or f"CSV file {path}"
    try:
        frame = pd.read_csv(path)
    except (OSError, pd.errors.ParserError) as exc:
        raise TableError([Issue("path", str(path), f"cannot read CSV: {exc}")]) from None
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise TableError(
            [Issue("columns", list(frame.columns), f"missing {missing}", source=where)]
        )
    frame, sex = _select_sex(frame, sex, where)
    issues = _age_issues(frame["age"], where)
    qx = pd.to_numeric(frame["qx"], errors="coerce")
    issues += [
        Issue("qx", frame["qx"][k], "must be a number", row=int(k), source=where)
        for k in np.flatnonzero(qx.isna())
    ]
    if issues:
        raise TableError(issues)
    return LifeTable.from_qx(
        qx.to_numpy(dtype=np.float64),
        min_age=int(frame["age"].iloc[0]),
        table_id=table_id,
        name=name or table_id,
        kind=kind,
        sex=sex,
        source=where,
        close=close,
    )
