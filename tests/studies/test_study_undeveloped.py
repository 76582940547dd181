"""Claims of an accident period without a development factor are never developed silently: they
are taken at their latest, noted and flagged, and their period stays in the indication."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sme_insure.reserving import Basis, Grain
from sme_insure.studies.cells import SUMS
from sme_insure.studies.config import CredibilityConfig, IndicationConfig, TrendConfig
from sme_insure.studies.development import Development, _factors
from sme_insure.studies.indication import indicate, period_table
from sme_insure.studies.losses import developed_claims, undeveloped_note
from sme_insure.studies.presentation import view
from sme_insure.studies.report import ORIGINS

VALUATION = dt.date(2025, 12, 31)


def _claims() -> pd.DataFrame:
    return pd.DataFrame({
        "claim_id": ["C1", "C2"], "policy_id": ["P1", "P2"],
        "loss_date": pd.to_datetime(["2024-05-01", "2025-05-01"]),
        "transaction_date": pd.to_datetime(["2024-05-03", "2025-05-03"]),
        "paid_fen": [0, 0], "case_reserve_change_fen": [100_000, 200_000]})


def _development(origins: dict[str, float]) -> Development:
    frame = pd.DataFrame({"origin": list(origins), "loss_factor": list(origins.values()),
                          "count_factor": [1.0] * len(origins)})
    return Development(Basis.INCURRED, frame, None, ())  # type: ignore[arg-type]


def test_a_claim_of_an_origin_without_factor_is_flagged_not_developed():
    dev = _development({"2025": 1.5})  # 2024 is missing
    out = developed_claims(_claims(), dev, VALUATION, Grain.ANNUAL, TrendConfig(),
                           pd.Timestamp("2025-12-31"))
    by_claim = out.set_index("claim_id")
    assert by_claim.loc["C1", "developed_fen"] == by_claim.loc["C1", "latest_fen"] == 100_000
    assert by_claim.loc["C2", "developed_fen"] == 300_000
    assert by_claim["undeveloped"].tolist() == [True, False]
    (note,) = undeveloped_note(out)
    assert "1 claim(s) of accident period(s) 2024" in note and "1,000 CNY" in note


def test_a_non_finite_factor_is_flagged_too():
    out = developed_claims(_claims(), _development({"2024": np.nan, "2025": 1.0}), VALUATION,
                           Grain.ANNUAL, TrendConfig(), pd.Timestamp("2025-12-31"))
    assert out["undeveloped"].tolist() == [True, False]
    assert undeveloped_note(out.iloc[1:]) == []


def test_an_origin_without_projected_ultimate_keeps_no_factor_and_a_flag():
    frame = pd.DataFrame({"origin": ["2024", "2025"], "latest_fen": [100_000.0, 0.0],
                          "ultimate_fen": [np.nan, np.nan], "reported_count": [1.0, 0.0],
                          "ultimate_count": [1.0, 0.0]})
    out = _factors(frame)
    assert np.isnan(out["loss_factor"].iloc[0]) and out["loss_factor"].iloc[1] == 1.0
    assert out["flag"].tolist() == ["undeveloped", ""]
    assert out["unallocated_fen"].tolist() == [0.0, 0.0]
    table = view("Development", out, ORIGINS)  # a bare NaN would raise here
    assert "n/a — claims without a development factor" in table.rows[0][2]


def test_an_undeveloped_period_is_flagged_and_still_indicated():
    frame = pd.DataFrame({"period": pd.Categorical(["2024", "2025"]),
                          **{name: [10.0, 20.0] for name in SUMS}})
    unallocated = pd.Series([0.0, 0.0], index=["2024", "2025"])
    cfg = IndicationConfig(variable_expense_ratio=0.25, profit_ratio=0.05,
                           effective_from=dt.date(2027, 1, 1))
    plain = period_table(frame, unallocated)
    flagged = period_table(frame, unallocated, {"2024"})
    assert flagged["flag"].tolist() == ["undeveloped", ""]
    args = (cfg, TrendConfig(), CredibilityConfig(), dt.date(2026, 1, 1))
    assert indicate(flagged, *args).loss_ratio_change == indicate(plain, *args).loss_ratio_change
