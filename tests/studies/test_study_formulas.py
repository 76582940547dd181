"""The formulas of a study on small hand-worked examples."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sme_insure.reserving import Grain
from sme_insure.studies.config import (
    CapConfig,
    CredibilityConfig,
    IndicationConfig,
    RateChange,
    TrendConfig,
)
from sme_insure.studies.credibility import blend, buhlmann_straub_k, classical_z, full_standard
from sme_insure.studies.impact import cap, change_bp
from sme_insure.studies.indication import _quantities, complement
from sme_insure.studies.losses import future_dates
from sme_insure.studies.onlevel import parallelogram_factors
from sme_insure.studies.periods import PeriodGrid, split_by_period
from sme_insure.studies.proposal import solve_off_balance

INDICATION = IndicationConfig(
    lae_ratio=0.1,
    variable_expense_ratio=0.25,
    profit_ratio=0.05,
    fixed_expense_ratio=0.05,
    effective_from=dt.date(2027, 1, 1),
)


def test_classical_full_standard_is_1082_claims():
    cfg = CredibilityConfig()
    assert full_standard(cfg) == pytest.approx(1082.2, abs=0.1)  # (1.6449 / 0.05)²
    assert classical_z(np.array([0.0, 1082.2 / 4, 5000.0]), cfg) == pytest.approx(
        [0.0, 0.5, 1.0], abs=1e-4
    )


def test_buhlmann_straub_on_a_hand_example():
    # X̄ = (2, 5), EPV = 4/4 = 1, VHM = (13.5 − 1)/(6 − 3) = 25/6, K = 0.24, Z = 3/3.24
    k = buhlmann_straub_k(np.array([[1.0, 2, 3], [4, 5, 6]]), np.ones((2, 3)))
    assert k == pytest.approx(0.24)
    assert buhlmann_straub_k(np.array([[1.0, 2, 3], [1, 2, 3]]), np.ones((2, 3))) == np.inf


def test_blend_keeps_current_where_nothing_is_indicated():
    blended, z = blend(np.array([1.5, np.nan]), np.array([1.0, 1.2]), np.array([0.5, 0.9]))
    assert blended == pytest.approx([1.25, 1.2]) and z == pytest.approx([0.5, 0.0])


def test_loss_ratio_and_pure_premium_methods_agree_by_construction():
    q = _quantities({"loss": 600.0, "premium": 1000.0, "exposure": 100.0}, INDICATION)
    assert q["loss_ratio_change"] == pytest.approx((0.66 + 0.05) / 0.70 - 1)
    assert q["F_bar"] == pytest.approx(0.5)
    assert q["indicated_pure_premium"] == pytest.approx((6.6 + 0.5) / 0.7)
    assert q["pure_premium_change"] == pytest.approx(q["loss_ratio_change"])


def test_trended_present_rates_complement_and_future_dates():
    trend = TrendConfig(frequency=0.01, severity=0.04)
    years = (dt.date(2027, 1, 1) - dt.date(2026, 1, 1)).days / 365.25
    assert complement(INDICATION, trend, dt.date(2026, 1, 1)) == pytest.approx(
        (1.01 * 1.04) ** years - 1
    )
    written, accident = future_dates(INDICATION)
    assert written == pd.Timestamp("2027-07-03") and accident == pd.Timestamp("2028-01-01")


def test_earning_is_pro_rata_to_the_day():
    grid = PeriodGrid.between(dt.date(2024, 1, 1), dt.date(2025, 12, 31), Grain.ANNUAL)
    rows = pd.DataFrame(
        {
            "effective_from": pd.to_datetime(["2024-07-01"]),
            "effective_to": pd.to_datetime(["2025-06-30"]),
        }
    )
    split = split_by_period(rows, grid)
    assert split.period.tolist() == [0, 1]
    assert split.share == pytest.approx([184 / 365, 181 / 365])


def test_parallelogram_factors_match_the_textbook_geometry():
    grid = PeriodGrid.between(dt.date(2022, 1, 1), dt.date(2024, 12, 31), Grain.ANNUAL)
    olf = parallelogram_factors(
        grid, [RateChange(date=dt.date(2023, 7, 1), change=0.10)], dt.date(2026, 1, 1)
    )
    # 2023 earns 1/8 of its premium at the new level, 2024 earns 7/8
    assert olf == pytest.approx([1.1, 1.1 / 1.0125, 1.1 / 1.0875], abs=2e-3)


def test_off_balance_solver_reaches_the_target_with_minimum_premiums():
    tech = np.array([100.0, 400.0, 900.0])

    def premium(k: float) -> int:
        return int(np.maximum(np.round(k * tech), 300).sum())

    off = solve_off_balance(premium, current_fen=premium(1.0), change=0.10)
    assert abs(off.achieved_fen / off.target_fen - 1) < 1e-3


def test_change_in_basis_points_and_capping():
    current = np.array([1000.0, 1000.0, 1000.0])
    proposed = np.array([1300.0, 950.0, 500.0])
    assert change_bp(current, proposed).tolist() == [3000, -500, -5000]
    capped = cap(
        current.astype(np.int64),
        proposed.astype(np.int64),
        CapConfig(up=0.25, down=0.2, apply=True),
    )
    assert capped.tolist() == [1250, 950, 800]
