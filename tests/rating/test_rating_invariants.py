"""Property-based invariants of the engine, with hypothesis."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

AS_OF = dt.date(2026, 3, 1)
# From 2027 the sum-insured size factor is interpolated (prop_si_size 2027.1): under the bands
# of 2026.1 a premium fell where the sum insured crossed a band edge (see the test below)
INTERPOLATED = dt.date(2027, 3, 1)
DATES = pytest.mark.parametrize("as_of", [AS_OF, INTERPOLATED], ids=["bands", "interpolated"])
CFG = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
OCC = ["office", "retail", "catering", "warehouse_general", "industrial_1", "industrial_4"]
DEDUCTIBLES = [1000, 2000, 5000, 10000, 20000]

risks = st.fixed_dictionaries(
    {
        "occupancy_class": st.sampled_from(OCC),
        "construction": st.sampled_from(["class_1", "class_2", "class_3"]),
        "province": st.sampled_from(["11", "33", "44", "51", "65"]),
        "sum_insured": st.integers(10_000, 199_000_000),
        "fire_protection": st.sampled_from(
            ["sprinklered", "hydrants", "extinguishers_only", "none"]
        ),
        "deductible": st.sampled_from(DEDUCTIBLES),
        "cover_earthquake": st.booleans(),
    }
)


def _premium(rater, risk, as_of=INTERPOLATED):
    return int(rater.quote("SME_PROPERTY", risk, as_of=as_of).premiums.iloc[0]["premium"])


@CFG
@given(risk=risks, extra=st.integers(1, 1_000_000))
def test_premium_never_falls_when_sum_insured_rises(rater, risk, extra):
    higher = {**risk, "sum_insured": min(risk["sum_insured"] + extra, 200_000_000)}
    assert _premium(rater, higher) >= _premium(rater, risk)


EDGES = [1_000_000, 5_000_000, 20_000_000, 100_000_000]
OFFICE = {"occupancy_class": "office", "construction": "class_1", "province": "11",
          "fire_protection": "sprinklered", "deductible": 1000, "cover_earthquake": True}


def test_band_edges_no_longer_lower_the_premium(rater):
    """Found by the invariant above: under 2026.1's bands one more yuan of cover at 1,000,000
    took the factor from 1.00 to 0.95 and the premium from 625.20 to 602.94 CNY. 2026.1 is
    kept as it was (its quotes re-rate identically) and closed; 2027.1 interpolates."""
    below = {**OFFICE, "sum_insured": 999_999}
    at = {**OFFICE, "sum_insured": 1_000_000}
    assert (_premium(rater, below, AS_OF), _premium(rater, at, AS_OF)) == (62_520, 60_294)
    for edge in EDGES:
        assert _premium(rater, {**OFFICE, "sum_insured": edge - 1}, AS_OF) > \
            _premium(rater, {**OFFICE, "sum_insured": edge}, AS_OF)
        assert _premium(rater, {**OFFICE, "sum_insured": edge - 1}) <= \
            _premium(rater, {**OFFICE, "sum_insured": edge})
    # 3,000,000 lies half-way from 1M (1.00) to 5M (0.95): 1.00 + 2/4 × (0.95 − 1.00) = 0.975
    ws = rater.quote("SME_PROPERTY", {**OFFICE, "sum_insured": 3_000_000}, as_of=INTERPOLATED,
                     worksheet=True).worksheet(0)
    size = ws[(ws.coverage == "fire") & (ws.description == "sum-insured size")].iloc[0]
    assert size.figure == pytest.approx(0.975) and size.tables == "prop_si_size@2027.1"


@CFG
@DATES
@given(risk=risks, step=st.integers(1, 4))
def test_premium_never_rises_when_deductible_rises(rater, as_of, risk, step):
    i = DEDUCTIBLES.index(risk["deductible"])
    higher = {**risk, "deductible": DEDUCTIBLES[min(i + step, 4)]}
    assert _premium(rater, higher, as_of) <= _premium(rater, risk, as_of)


@CFG
@DATES
@given(book=st.lists(risks, min_size=1, max_size=8))
def test_batch_equals_single_and_money_adds_up(rater, as_of, book):
    frame = pd.DataFrame(book)
    batch = rater.rate("SME_PROPERTY", frame, as_of=as_of).premiums
    for label, risk in zip(frame.index, book, strict=True):
        row = batch.loc[label]
        assert row.equals(rater.quote("SME_PROPERTY", risk, as_of=as_of).premiums.iloc[0])
        assert row["premium"] == row.filter(like="premium_").sum()
        assert row["premium"] >= 50_000  # policy minimum
        assert row["net_premium"] + row["vat"] == row["premium"]


@CFG
@DATES
@given(risk=risks)
def test_worksheet_steps_reproduce_the_premium(rater, as_of, risk):
    result = rater.quote("SME_PROPERTY", risk, as_of=as_of, worksheet=True)
    ws = result.worksheet(0)
    steps = ws[ws.coverage != "policy"]
    for cov, rows in steps.groupby("coverage", sort=False):
        amount = 0.0
        for r in rows.itertuples():
            assert r.before == amount
            if r.kind == "factor":
                amount = amount * r.figure
            elif r.kind == "base_rate":
                divisor = 1000 if r.unit == "per_mille" else 100 if r.unit == "percent" else 1
                amount = amount + risk["sum_insured"] * r.figure / divisor
            assert r.after == amount
        assert (
            round(amount * 100 + 1e-7) == result.premiums.iloc[0][f"premium_{cov}"]
            or result.premiums.iloc[0]["minimum_adjustment"] > 0
        )
