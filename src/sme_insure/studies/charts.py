"""Charts of a study as PNG bytes (matplotlib, Agg backend), embedded in the HTML report.

Missing figures (flagged levels) are simply not drawn; the tables beside each chart say why.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

WIDTH, HEIGHT, DPI = 8.0, 3.6, 80


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.subplots_adjust(left=0.1, right=0.88, bottom=0.28, top=0.9)  # fixed: no layout search
    fig.savefig(buffer, format="png", dpi=DPI)
    plt.close(fig)
    return buffer.getvalue()


def _x(levels: pd.Series) -> tuple[np.ndarray, list[str]]:
    labels = [str(v) for v in levels]
    return np.arange(len(labels)), labels


def one_way_chart(table: pd.DataFrame, exposure_label: str) -> bytes:
    """Exposure bars; loss-ratio and pure-premium relativities and the current ones as lines."""
    fig, ax = plt.subplots(figsize=(WIDTH, HEIGHT))
    x, labels = _x(table["level"])
    ax.bar(x, table["exposure"], color="#d9d9d9", label="exposure")
    ax.set_ylabel(exposure_label)
    ax.set_xticks(x, labels, rotation=30, ha="right", fontsize=8)
    right = ax.twinx()
    right.plot(x, table["lr_relativity"], "o-", color="#1f77b4", label="LR relativity")
    right.plot(x, table["pp_relativity"], "s--", color="#2ca02c", label="PP relativity")
    right.plot(x, table["current_relativity"], "x:", color="#d62728", label="current")
    right.set_ylabel("relativity")
    right.legend(loc="upper left", fontsize=8)
    ax.set_title(f"One-way: {table['factor'].iloc[0]}")
    return _png(fig)


def glm_chart(table: pd.DataFrame) -> bytes:
    """Indicated relativities with their intervals, blended ones and the current ones."""
    fig, ax = plt.subplots(figsize=(WIDTH, HEIGHT))
    x, labels = _x(table["level"])
    ind = table["indicated"].to_numpy()
    err = np.vstack([ind - table["lower"].to_numpy(), table["upper"].to_numpy() - ind])
    ax.errorbar(x, ind, yerr=err, fmt="o", color="#1f77b4", capsize=3, label="indicated (CI)")
    ax.plot(x, table["blended"], "D", mfc="none", color="#ff7f0e", label="blended")
    ax.plot(x, table["current_relativity"], "x", color="#d62728", ms=9, label="current")
    ax.axhline(1.0, color="#888888", lw=0.6)
    ax.set_xticks(x, labels, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("relativity")
    ax.legend(fontsize=8)
    ax.set_title(f"GLM relativities: {table['factor'].iloc[0]}")
    return _png(fig)


def ave_chart(table: pd.DataFrame) -> bytes:
    """Actual ÷ expected by level: GLM and current rates."""
    fig, ax = plt.subplots(figsize=(WIDTH, HEIGHT))
    x, labels = _x(table["level"])
    ax.bar(x - 0.2, table["ae_glm"], 0.4, label="actual / GLM expected", color="#1f77b4")
    ax.bar(
        x + 0.2, table["ae_current"], 0.4, label="actual / current-rate expected", color="#ff7f0e"
    )
    ax.axhline(1.0, color="#333333", lw=0.8)
    ax.set_xticks(x, labels, rotation=30, ha="right", fontsize=8)
    ax.legend(fontsize=8)
    ax.set_title(f"Actual vs expected: {table['factor'].iloc[0]}")
    return _png(fig)


def impact_histogram(distribution: pd.DataFrame, up: float, down: float) -> bytes:
    """Policies by premium change (bins of 2.5 %), with the capping thresholds."""
    change = distribution["change_bp"].to_numpy() / 10_000
    lo, hi = min(change.min(), -down) - 0.025, max(change.max(), up) + 0.025
    bins = np.arange(np.floor(lo / 0.025) * 0.025, hi + 0.025, 0.025)
    fig, ax = plt.subplots(figsize=(WIDTH, HEIGHT))
    ax.hist(change, bins=bins, weights=distribution["policies"], color="#1f77b4")
    for t in (up, -down):
        ax.axvline(t, color="#d62728", ls="--", lw=1)
    ax.set_xlabel("premium change per policy")
    ax.set_ylabel("policies")
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_title("Impact: distribution of premium change")
    return _png(fig)


def period_chart(periods: pd.DataFrame) -> bytes:
    """Loss ratio (developed, trended, on-level) by period, on earned premium bars."""
    fig, ax = plt.subplots(figsize=(WIDTH, HEIGHT))
    x, labels = _x(periods["period"])
    ax.bar(x, periods["projected_premium"], color="#d9d9d9")
    ax.set_ylabel("on-level earned premium (CNY)")
    ax.set_xticks(x, labels)
    right = ax.twinx()
    right.plot(x, periods["loss_ratio"], "o-", color="#1f77b4")
    right.set_ylabel("loss ratio")
    right.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_title("Experience by period")
    return _png(fig)
