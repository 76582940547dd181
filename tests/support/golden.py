"""Helpers of the golden-worksheet tests: steps and money of a rated risk, compared exactly."""

from __future__ import annotations

import pytest


def approx(x):
    """A worksheet figure to 1e-6 (figures are floats; money is compared in integer fen)."""
    return pytest.approx(x, abs=1e-6)


def steps(ws):
    """(coverage, step, tables, figure, running amount) of every rating step of a worksheet."""
    rows = ws[ws["coverage"] != "policy"]
    return [(r.coverage, int(r.step), r.tables, r.figure, r.after) for r in rows.itertuples()]


def money(result, columns):
    """The named fen columns of the first rated risk."""
    row = result.premiums.iloc[0]
    return {c: int(row[c]) for c in columns}
