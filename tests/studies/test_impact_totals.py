"""The impact's totals on hand-worked books (fake rating contexts: premiums given per row):
capping and 'beyond the threshold' use the same fen bounds; a policy not rated at both tables is
counted, named and kept out of the changes, never silently dropped."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sme_insure.errors import InputError
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


def test_unrated_policies_are_counted_listed_and_kept_out_of_the_changes():
    # P0 rated; P1 not at proposed; P2 not at current; P3 zero current premium; P4 rated, its
    # segment code matching no level
    current, proposed = [1000, 1000, -1, 0, 2000], [1100, -1, 900, 500, 2100]
    result = impact(current, proposed, seg=[0, 1, 0, 1, -1])
    overall = result.overall.iloc[0]
    assert (overall["policies"], overall["current_fen"], overall["proposed_fen"]) == (2, 3000, 3200)
    assert overall["capped_fen"] == 3200 and overall["proposed_change"] == 3200 / 3000 - 1
    assert overall["unrated_policies"] == 3
    assert overall["unrated_current_fen"] == 1000  # P1's; P2 has none, P3's is 0
    assert overall["unrated_proposed_fen"] == 900 + 500  # P2's and P3's
    issues = result.issues
    assert issues["policy_id"].tolist() == ["P1", "P2", "P3"]
    assert issues["reason"].str.split(":").str[0].tolist() == [
        "not rated at the proposed tables",
        "not rated at the current tables",
        "zero current premium (no change can be measured)",
    ]
    segs = result.segments.set_index("level")
    assert segs.loc["L0", ["policies", "current_fen", "unrated_policies"]].tolist() == [1, 1000, 1]
    assert segs.loc["L0", "unrated_proposed_fen"] == 900
    assert segs.loc["L1", ["policies", "unrated_policies", "unrated_current_fen"]].tolist() == [
        0, 2, 1000]
    assert segs.loc["L1", "flag"] == "no_rated" and np.isnan(segs.loc["L1", "proposed_change"])
    assert segs.loc["(no level)", ["policies", "current_fen"]].tolist() == [1, 2000]
    for column in ("policies", "current_fen", "proposed_fen", "unrated_policies",
                   "unrated_current_fen", "unrated_proposed_fen"):
        assert segs[column].sum() == overall[column], column
    assert result.distribution["policies"].sum() == 2  # change per policy: rated ones only


def test_no_policy_rated_at_both_tables_is_an_error_naming_them():
    with pytest.raises(InputError, match="none of the 2 in-force policies is rated") as error:
        impact([1000, 1000], [-1, -1])
    assert [i.field for i in error.value.issues] == ["impact (policy P0)", "impact (policy P1)"]
