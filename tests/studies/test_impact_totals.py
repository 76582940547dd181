"""The impact's totals on hand-worked books (fake rating contexts: premiums given per row):
capping and 'beyond the threshold' use the same fen bounds."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pandas as pd

from sme_insure.studies.config import CapConfig
from sme_insure.studies.dislocation import summarise
from sme_insure.studies.impact import ImpactTask, beyond, cap

ON = dt.date(2025, 6, 1)
UP20_DOWN10 = CapConfig(up=0.2, down=0.1, apply=True)


class Rated:
    """A rating context whose premiums are given; ``-1`` is a row it cannot rate."""

    code = "P"

    def __init__(self, premiums: list[int]) -> None:
        self.premiums = np.array(premiums, dtype=np.int64)

    def rate(self, rows: pd.DataFrame) -> SimpleNamespace:
        pos = np.flatnonzero(self.premiums >= 0)
        frame = pd.DataFrame({"premium": self.premiums[pos]})
        return SimpleNamespace(positions=pos, premiums=frame, prepared=rows)


class Segment:
    """A segment read from the book's ``seg`` column (codes as given; −1: no level)."""

    input, levels = "seg", ("L0", "L1")

    def codes(self, prepared: pd.DataFrame) -> np.ndarray:
        return prepared["seg"].to_numpy(dtype=np.int64)


def book(n: int, seg: list[int] | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "policy_id": [f"P{i}" for i in range(n)],
            "product_code": "P",
            "effective_from": "2025-01-01",
            "effective_to": "2025-12-31",
            "written_fen": 1000,
            "exposure": 1.0,
            "seg": seg if seg is not None else [0] * n,
        }
    )


def impact(current: list[int], proposed: list[int], cfg: CapConfig = UP20_DOWN10, seg=None):
    task = ImpactTask(Rated(current), Rated(proposed), (Segment(),), ON, cfg)
    return summarise(task(book(len(current), seg)), (Segment(),), cfg)


def test_a_policy_is_beyond_exactly_when_the_cap_moves_it():
    # bounds of 100000 fen at +20 % / −10 %: lo = 90000, hi = 120000; the change rounded to
    # basis points is +20.00 % for 120004 and −10.00 % for 89996, yet capping moves both
    current = np.array([100000] * 6, dtype=np.int64)
    proposed = np.array([120004, 89996, 120000, 90000, 120001, 89999], dtype=np.int64)
    assert cap(current, proposed, UP20_DOWN10).tolist() == [120000, 90000, 120000, 90000,
                                                             120000, 90000]
    assert beyond(current, proposed, UP20_DOWN10).tolist() == [1, -1, 0, 0, 1, -1]
    result = impact(current.tolist(), proposed.tolist())
    out = result.beyond.iloc[0]
    assert out["policies"] == 4 and out["current_fen"] == 400000
    assert out["proposed_fen"] == 120004 + 89996 + 120001 + 89999
    assert out["capped_fen"] == 120000 + 90000 + 120000 + 90000
    assert out["share_of_policies"] == 4 / 6


def test_beyond_is_reported_with_the_same_bounds_when_capping_is_not_applied():
    cfg = CapConfig(up=0.2, down=0.1, apply=False)
    result = impact([100000, 100000], [120004, 89996], cfg)
    assert result.beyond["policies"].iloc[0] == 2
    assert result.beyond["capped_fen"].iloc[0] == 120004 + 89996  # not capped
