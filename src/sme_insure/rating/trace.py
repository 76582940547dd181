"""The worksheet: every step of every coverage, per row, and the policy-level lines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sme_insure.catalogue.steps import AdjustmentStep, Step, step_lookups
from sme_insure.rating.frame import Prepared
from sme_insure.rating.steps import StepContext, unit_of

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


_PLANS: dict[int, tuple[Step | AdjustmentStep, tuple[str, ...], tuple[str, ...]]] = {}
_MAX_PLANS = 4096  # product versions are few; views made per call (schedules) share their steps


def _plan(step: Step | AdjustmentStep) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What a step's worksheet line names, fixed by the step: its inputs (keys, then exposure or
    units) and its tables. Kept per step object (with it, so that its id cannot be reused);
    an adjustment, made per call, names neither."""
    if isinstance(step, AdjustmentStep):
        return (), ()
    cached = _PLANS.get(id(step))
    if cached is None or cached[0] is not step:
        lookups = step_lookups(step)
        inputs = [n for lk in lookups for n in lk.inputs]
        for attr in ("exposure", "units"):
            if getattr(step, attr, None):
                inputs.append(getattr(step, attr))
        if len(_PLANS) >= _MAX_PLANS:
            _PLANS.clear()
        cached = _PLANS[id(step)] = (step, tuple(dict.fromkeys(inputs)),
                                     tuple(lk.table for lk in lookups))
    return cached[1], cached[2]


def make_trace(coverage: str, i: int, step: Step | AdjustmentStep, ctx: StepContext,
               figure: npt.NDArray[np.float64], before: npt.NDArray[np.float64],
               after: npt.NDArray[np.float64]) -> StepTrace:
    """The worksheet record of one step over all rows: what it names (inputs, table versions,
    the unit of its figure) and the figure and amounts before and after."""
    inputs, table_ids = _plan(step)
    labels = tuple(ctx.table(t).label for t in table_ids)
    return StepTrace(coverage, i, step.kind, step.description or step.kind, inputs, labels,
                     str(unit_of(step, ctx)), figure, before, after)


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


def money_rows(totals: Mapping[str, int], coverages: list[str]) -> list[dict[str, object]]:
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
