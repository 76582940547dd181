"""Publishing statistics: CSV, Excel (with a definitions sheet) and an HTML dashboard with charts
(PNG embedded, viewable offline)."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from sme_insure.statistics import measures
from sme_insure.statistics.period import Period


def definitions() -> list[str]:
    """The published definitions, one per measure (from the measures module)."""
    text = (measures.__doc__ or "").split("Definitions (each published table states them):")[-1]
    return [" ".join(item.split()) for item in text.split("* ") if item.strip()]


def _chart(table: pd.DataFrame, columns: list[str], title: str) -> str:
    fig, ax = plt.subplots(figsize=(7, 3.2))
    (table[columns] / 100).plot.bar(ax=ax)
    ax.set_title(title)
    ax.set_ylabel("CNY")
    ax.tick_params(axis="x", labelrotation=30)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _labels(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    out.index = [" / ".join(map(str, i)) if isinstance(i, tuple) else str(i) for i in table.index]
    return out


def render_html(table: pd.DataFrame, period: Period, by: list[str], scope: str) -> str:
    """The dashboard page."""
    env = Environment(loader=PackageLoader("sme_insure.statistics", "templates"),
                      undefined=StrictUndefined, autoescape=select_autoescape(["html"]))
    shown = _labels(table)
    charts = [_chart(shown, ["written_premium_fen", "earned_premium_fen"], "Premium"),
              _chart(shown, ["claims_paid_fen", "outstanding_fen"], "Claims")] if len(shown) else []
    return env.get_template("dashboard.html").render(
        table=shown, period=period, by=by, scope=scope, charts=charts, definitions=definitions())


def write(table: pd.DataFrame, path: Path, period: Period, by: list[str], scope: str) -> None:
    """CSV, Excel or HTML by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table.to_csv(path)
    elif suffix == ".xlsx":
        with pd.ExcelWriter(path, engine="openpyxl") as xl:
            table.to_excel(xl, sheet_name="statistics")
            pd.DataFrame({"definition": definitions()}).to_excel(xl, sheet_name="definitions", index=False)
    else:
        path.write_text(render_html(table, period, by, scope), encoding="utf-8")
