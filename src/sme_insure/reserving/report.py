"""The HTML reserving report: Jinja2 (``StrictUndefined``, autoescape) over plain view data.

Per segment it shows the paid, case-incurred and reported-count triangles, a heat map of the
age-to-age link ratios, the selected development factors, plots of development and of ultimates
by origin (base64 PNG, viewable offline) and the results by origin; then totals and assumptions.
Triangles with more than :data:`MAX_DISPLAY_ORIGINS` origins are shown at annual grain (the
figures are the same losses summed; the model itself ran at the requested grain).
"""

from __future__ import annotations

from typing import Any

import chainladder as cl
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from sme_insure.reserving.plan import SegmentPlan
from sme_insure.reserving.plots import development_plot, ultimate_plot
from sme_insure.reserving.results import ReservingResult
from sme_insure.reserving.triangles import regrain
from sme_insure.reserving.views import frame_view, heatmap_view, triangle_view
from sme_insure.reserving.vocabulary import Grain

MAX_DISPLAY_ORIGINS = 40
ORIGIN_COLUMNS = (
    "origin",
    "earned_premium_fen",
    "reported_count",
    "latest_fen",
    "cdf",
    "ultimate_fen",
    "ibnr_fen",
    "std_err_fen",
    "method",
    "fallback",
)


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("sme_insure.reserving", "templates"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _display(tri: cl.Triangle) -> tuple[cl.Triangle, str]:
    """The triangle to show and a note when it was summed to annual grain for display."""
    if tri.shape[2] > MAX_DISPLAY_ORIGINS:
        return regrain(tri, Grain.ANNUAL), "shown at annual grain (too many origins to display)"
    return tri, ""


def _frame(tri: cl.Triangle) -> pd.DataFrame:
    """A single-segment, single-measure Triangle as origins × ages, origins labelled as periods."""
    frame = tri.to_frame()
    frame.index = [str(p) for p in tri.origin]
    return frame


def _segment_rows(result: ReservingResult, plan: SegmentPlan) -> pd.DataFrame:
    keys = result.triangles.segments.iloc[plan.position]
    table = result.table()
    mask = pd.Series(True, index=table.index)
    for name in result.by:
        mask &= table[name] == keys[name]
    return table.loc[mask]


def _segment(result: ReservingResult, plan: SegmentPlan) -> dict[str, Any]:
    tri = result.triangles.triangle.iloc[[plan.position]]
    shown, note = _display(tri)
    basis = plan.cfg.basis.value
    rows = _segment_rows(result, plan)
    percentile_cols = [c for c in rows.columns if c.startswith("ibnr_p")]
    development = result.development.loc[result.development["segment"] == plan.label]
    return {
        "label": plan.label,
        "method": plan.method.value,
        "basis": basis,
        "notes": list(plan.notes),
        "pattern": development["pattern"].iloc[0] if len(development) else "",
        "display_note": note,
        "paid": triangle_view(_frame(shown["paid"])),
        "incurred": triangle_view(_frame(shown["incurred"])),
        "counts": triangle_view(_frame(shown["reported_count"]), fmt="count"),
        "links": heatmap_view(_frame(shown[basis].link_ratio)),
        "factors": frame_view(development[["age_months", "ldf", "cdf", "unestimable"]]),
        "results": frame_view(rows[[*ORIGIN_COLUMNS, *percentile_cols]]),
        "development_png": development_plot(_frame(shown[basis]), f"{plan.label}: {basis}"),
        "ultimate_png": ultimate_plot(rows, f"{plan.label}: ultimate by origin"),
    }


def render_report(result: ReservingResult) -> str:
    """The complete, self-contained HTML document."""
    template = _environment().get_template("report.html.j2")
    context = {
        "as_of": result.as_of.date().isoformat(),
        "grain": result.triangles.grain.value,
        "by": ", ".join(result.by),
        "n_issues": len(result.issues),
        "issues": [str(i) for i in result.issues[:50]],
        "totals": frame_view(result.totals_table()),
        "assumptions": frame_view(result.assumptions()),
        "segments": [_segment(result, plan) for plan in result.plans],
    }
    return template.render(**context)
