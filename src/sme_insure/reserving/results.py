"""The outcome of a reserving run and its outputs: DataFrame, CSV, Parquet, JSON, HTML.

Estimates are carried unrounded (fen as floats) and rounded once, at output, to whole fen by
half-up rounding as in :mod:`sme_insure.money`; totals are summed before rounding, so a total may
differ by a fen from the sum of its rounded rows. ``std_err_fen`` and ``ibnr_p…_fen`` are empty
(null) where the method does not estimate them (only Mack gives standard errors; only a configured
bootstrap gives percentiles).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sme_insure.errors import InputError, Issue
from sme_insure.reserving.config import ReservingConfig
from sme_insure.reserving.plan import SegmentPlan
from sme_insure.reserving.triangles import TriangleSet

OUTPUT_SUFFIXES = (".csv", ".parquet", ".json", ".html")


def round_fen(values: pd.Series) -> pd.Series:
    """Half-up to whole fen, as nullable Int64 (NaN stays missing): floor(round(x, 6) + 0.5)."""
    rounded = np.floor(np.round(values.to_numpy(dtype=float), 6) + 0.5)
    return pd.Series(rounded, index=values.index).astype("Int64")


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for name in out.columns:
        if name.endswith("_fen"):
            out[name] = round_fen(out[name])
    if "reported_count" in out.columns:
        out["reported_count"] = out["reported_count"].round().astype("Int64")
    return out


@dataclass(frozen=True)
class ReservingResult:
    """Everything a run produced, with the assumptions that produced it."""

    as_of: pd.Timestamp
    config: ReservingConfig
    triangles: TriangleSet
    plans: tuple[SegmentPlan, ...]
    origins: pd.DataFrame
    totals: pd.DataFrame
    development: pd.DataFrame
    issues: tuple[Issue, ...] = field(default=())

    @property
    def by(self) -> tuple[str, ...]:
        """Segment columns."""
        return self.triangles.by

    def table(self) -> pd.DataFrame:
        """Per segment and origin: latest, ultimate, IBNR, errors, method; fen rounded."""
        return _rounded(self.origins)

    def totals_table(self) -> pd.DataFrame:
        """Per segment, then the grand total (keys ``"total"``); fen rounded."""
        return _rounded(self.totals)

    def assumptions(self) -> pd.DataFrame:
        """Per segment: line, basis, method, pattern source and the notes of the plan."""
        rows = [
            {
                "segment": p.label,
                "line": str(p.line) if p.line is not None else "mixed",
                "basis": p.cfg.basis.value,
                "method": p.method.value,
                "pattern_source": p.source.value,
                "apriori_loss_ratio": p.cfg.apriori_loss_ratio,
                "tail": p.cfg.tail.kind.value,
                "active_origins": p.n_origins,
                "notes": "; ".join(p.notes),
            }
            for p in self.plans
        ]
        return pd.DataFrame(rows)

    def to_frame(self) -> pd.DataFrame:
        """Origin rows followed by segment totals and the grand total (``origin == "total"``)."""
        totals = self.totals_table().assign(origin="total")
        return pd.concat([self.table(), totals], ignore_index=True)[self.table().columns]

    def to_json(self) -> str:
        """All tables and the configuration as one JSON document."""
        doc = {
            "as_of": self.as_of.date().isoformat(),
            "by": list(self.by),
            "grain": self.triangles.grain.value,
            "config": self.config.model_dump(mode="json"),
            "origins": _records(self.table()),
            "totals": _records(self.totals_table()),
            "development": _records(self.development),
            "assumptions": _records(self.assumptions()),
            "issues": [
                {"row": i.row, "field": i.field, "value": _jsonable(i.value), "reason": i.reason}
                for i in self.issues
            ],
        }
        return json.dumps(doc, ensure_ascii=False, indent=2)

    def write(self, path: str | Path) -> Path:
        """Write to ``path``; the suffix picks the format (.csv, .parquet, .json, .html)."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            self.to_frame().to_csv(path, index=False)
        elif suffix == ".parquet":
            self.to_frame().to_parquet(path, index=False)
        elif suffix == ".json":
            path.write_text(self.to_json(), encoding="utf-8")
        elif suffix == ".html":
            from sme_insure.reserving.report import render_report

            path.write_text(render_report(self), encoding="utf-8")
        else:
            reason = "unsupported output type; use " + ", ".join(OUTPUT_SUFFIXES)
            raise InputError([Issue("out", str(path), reason)])
        return path


def _jsonable(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows as dicts with JSON-ready values (nulls for missing)."""
    clean = frame.astype(object).where(frame.notna(), None)
    return [{k: _jsonable(v) for k, v in row.items()} for row in clean.to_dict("records")]
