"""The worksheet: every step of every coverage, per row, and the policy-level lines."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from sme_insure.rating.frame import Prepared

WORKSHEET_COLUMNS = [
    "coverage",
    "step",
    "kind",
    "description",
    "inputs",
    "tables",
    "figure",
    "unit",
    "before",
    "after",
]


@dataclass(frozen=True)
class StepTrace:
    """One step for all rows: the figure applied and the running amount before and after (CNY)."""

    coverage: str
    step: int
    kind: str
    description: str
    inputs: tuple[str, ...]
    tables: tuple[str, ...]
    unit: str
    figure: npt.NDArray[np.float64]
    before: npt.NDArray[np.float64]
    after: npt.NDArray[np.float64]


def _shown(prep: Prepared, name: str, pos: int) -> str:
    col = prep.columns[name]
    value = col[pos]
    text = (
        "—"
        if value is None or (isinstance(value, float) and np.isnan(value))
        else format(value, ",.10g")
        if isinstance(value, float)
        else str(value)
    )
    if name in prep.defaulted and prep.defaulted[name][pos]:
        text += " (product default)"
    return f"{name}={text}"


def step_rows(
    traces: list[StepTrace], prep: Prepared, pos: int, selected: dict[str, npt.NDArray[np.bool_]]
) -> list[dict[str, object]]:
    """Worksheet rows of one risk (by position), skipping coverages it does not select."""
    rows = []
    for t in traces:
        if not selected[t.coverage][pos]:
            continue
        rows.append(
            {
                "coverage": t.coverage,
                "step": t.step,
                "kind": t.kind,
                "description": t.description,
                "inputs": ", ".join(_shown(prep, n, pos) for n in t.inputs),
                "tables": ", ".join(t.tables),
                "figure": float(t.figure[pos]),
                "unit": t.unit,
                "before": float(t.before[pos]),
                "after": float(t.after[pos]),
            }
        )
    return rows


def money_rows(totals: pd.Series, coverages: list[str]) -> list[dict[str, object]]:
    """Policy-level worksheet lines (fen shown as CNY): rounding, minimum, VAT, fees, subsidy."""

    def line(kind: str, description: str, figure: float, before: float, after: float) -> dict:
        return {
            "coverage": "policy",
            "step": None,
            "kind": kind,
            "description": description,
            "inputs": "",
            "tables": "",
            "figure": figure,
            "unit": "cny",
            "before": before / 100,
            "after": after / 100,
        }

    cov_sum = sum(int(totals[f"premium_{c}"]) for c in coverages)
    technical, premium = int(totals["technical_premium"]), int(totals["premium"])
    return [
        line(
            "round",
            "sum of coverage premiums, each rounded half up to fen",
            technical / 100,
            0,
            technical,
        ),
        line(
            "policy_minimum",
            "policy minimum premium top-up (shared among coverages)",
            (premium - technical) / 100,
            technical,
            premium,
        ),
        line(
            "vat",
            "VAT included in premium (net = gross / (1 + rate), half up)",
            int(totals["vat"]) / 100,
            premium,
            premium,
        ),
        line(
            "fees", "policy fees", int(totals["fees"]) / 100, premium, premium + int(totals["fees"])
        ),
        line(
            "subsidy",
            "premium share paid by the scheme",
            int(totals["subsidy"]) / 100,
            int(totals["total_payable"]),
            int(totals["customer_pays"]),
        ),
        line("check", "coverage premiums add up to the premium", cov_sum / 100, cov_sum, premium),
    ]
