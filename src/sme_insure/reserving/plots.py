"""Figures for the HTML report, drawn with matplotlib's Agg canvas and returned as base64 PNG.

``matplotlib.figure.Figure`` is used directly (no ``pyplot``), so no global state or display
backend is involved and the report is viewable offline (``<img src="data:image/png;base64,…">``).
"""

from __future__ import annotations

import base64
import io

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sme_insure.money import FEN_PER_CNY

_SIZE = (7.0, 3.6)
MAX_BARS = 40


def _png(fig: Figure) -> str:
    """The figure as base64-encoded PNG text (fixed margins: one drawing pass, not two)."""
    FigureCanvasAgg(fig)
    fig.subplots_adjust(left=0.12, right=0.98, top=0.9, bottom=0.2)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def development_plot(cumulative: pd.DataFrame, title: str) -> str:
    """Cumulative losses (CNY) by age, one line per origin (rows: origins, columns: ages)."""
    fig = Figure(figsize=_SIZE)
    ax = fig.add_subplot()
    ages = np.asarray(cumulative.columns, dtype=float)
    for origin, row in cumulative.iterrows():
        values = row.to_numpy(dtype=float) / FEN_PER_CNY
        if np.isfinite(values).any():
            ax.plot(ages, values, marker="o", markersize=2, linewidth=1, label=str(origin))
    ax.set_xlabel("development age (months)")
    ax.set_ylabel("cumulative (CNY)")
    ax.set_title(title, fontsize=10)
    if len(cumulative) <= 15:
        ax.legend(fontsize=6, ncol=2, loc="lower right")
    return _png(fig)


def ultimate_plot(origins: pd.DataFrame, title: str) -> str:
    """Latest and IBNR (CNY) by origin, with ±1 standard error where known.

    Stacked bars up to :data:`MAX_BARS` origins; beyond that (monthly grain) lines with a shaded
    error band, which read better and draw in a fraction of the time.
    """
    fig = Figure(figsize=_SIZE)
    ax = fig.add_subplot()
    x = np.arange(len(origins))
    latest = origins["latest_fen"].to_numpy(dtype=float) / FEN_PER_CNY
    ibnr = origins["ibnr_fen"].to_numpy(dtype=float) / FEN_PER_CNY
    se = origins["std_err_fen"].to_numpy(dtype=float) / FEN_PER_CNY
    ultimate = latest + ibnr
    if len(x) <= MAX_BARS:
        ax.bar(x, latest, label="latest", color="#4c72b0")
        ax.bar(x, ibnr, bottom=latest, label="IBNR", color="#dd8452")
        if np.isfinite(se).any():
            ax.errorbar(x, ultimate, yerr=np.nan_to_num(se), fmt="none", ecolor="black", lw=1)
    else:
        ax.plot(x, latest, color="#4c72b0", label="latest")
        ax.plot(x, ultimate, color="#dd8452", label="ultimate")
        if np.isfinite(se).any():
            band = np.nan_to_num(se)
            ax.fill_between(x, ultimate - band, ultimate + band, color="#dd8452", alpha=0.25)
    step = max(1, len(x) // 12)
    ax.set_xticks(x[::step], origins["origin"].to_numpy()[::step], rotation=45, fontsize=7)
    ax.set_ylabel("ultimate (CNY)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7)
    return _png(fig)
