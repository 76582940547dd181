"""Tables for the HTML report as plain data (cells of text and colour), escaped by Jinja2.

Building the cells here keeps markup out of Python and formatting out of the template. Amounts are
shown in CNY (fen / 100) without decimals, factors with three decimals.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sme_insure.money import FEN_PER_CNY


@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell: its text and an optional CSS background colour."""

    text: str
    background: str = ""


@dataclass(frozen=True)
class TableView:
    """A header row, and body rows whose first cell is a row label."""

    columns: list[str]
    rows: list[list[Cell]]


def cny(value: float) -> str:
    """Fen as whole CNY with thousands separators; blank when missing."""
    return "" if not np.isfinite(value) else f"{value / FEN_PER_CNY:,.0f}"


def number(value: float, digits: int = 3) -> str:
    """A factor or ratio; blank when missing."""
    return "" if not np.isfinite(value) else f"{value:,.{digits}f}"


def triangle_view(frame: pd.DataFrame, fmt: str = "cny") -> TableView:
    """A triangle (rows: origins, columns: ages) as a table of amounts or counts."""
    show = cny if fmt == "cny" else (lambda v: number(v, 0))
    rows = [
        [Cell(str(origin)), *(Cell(show(float(v))) for v in row.to_numpy(dtype=float))]
        for origin, row in frame.iterrows()
    ]
    return TableView(["origin", *map(str, frame.columns)], rows)


def _heat(z: float) -> str:
    """Blue (below the age's mean) to white to red (above), by z-score clipped at ±2."""
    if not np.isfinite(z):
        return ""
    t = float(np.clip(z / 2.0, -1.0, 1.0))
    if t >= 0:
        r, g, b = 255, int(255 - 120 * t), int(255 - 120 * t)
    else:
        r, g, b = int(255 + 120 * t), int(255 + 120 * t), 255
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap_view(links: pd.DataFrame) -> TableView:
    """Age-to-age link ratios coloured by how far each lies from its age's mean (z-score)."""
    values = links.to_numpy(dtype=float)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an age with no ratio: mean of nothing
        mean = np.nanmean(values, axis=0)
        std = np.nanstd(values, axis=0)
        z = np.where(std > 0, (values - mean) / std, 0.0)
    rows = [
        [Cell(str(origin)), *(Cell(number(v), _heat(s)) for v, s in zip(vals, zs, strict=True))]
        for origin, vals, zs in zip(links.index, values, z, strict=True)
    ]
    return TableView(["origin", *map(str, links.columns)], rows)


def frame_view(frame: pd.DataFrame, amounts: tuple[str, ...] = ()) -> TableView:
    """A results frame: ``*_fen`` columns in CNY, floats with three decimals, the rest as text."""

    def show(name: str, value: object) -> str:
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            return ""
        if name.endswith("_fen") or name in amounts:
            return cny(float(value))  # type: ignore[arg-type]
        if isinstance(value, float):
            return number(value)
        return str(value)

    rows = [
        [Cell(show(name, value)) for name, value in zip(frame.columns, row, strict=True)]
        for row in frame.itertuples(index=False)
    ]
    columns = [c.replace("_fen", " (CNY)") for c in frame.columns]
    return TableView(columns, rows)
