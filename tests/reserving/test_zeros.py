"""Zero-claim origins, zero cells, loss-free segments and thin lines give finite reserves."""

from __future__ import annotations

import chainladder as cl
import numpy as np
import pandas as pd
import pytest
from reserving_builders import claim_row, triangle_claims, yearly_premiums

from sme_insure.errors import InputError
from sme_insure.reserving import parse_config, run_reserving
from sme_insure.reserving.fallback import Fallback

pytestmark = pytest.mark.filterwarnings("ignore:Parsing integer or float values")
ESTIMATES = ["earned_premium_fen", "latest_fen", "ultimate_fen", "ibnr_fen", "cdf", "elr"]
P = 4_000_000_00


def _config(method: str = "mack", **line: object):
    return parse_config({"default": {"method": method, "basis": "paid", **line}})


def _no_nan(result) -> None:
    assert not result.origins[ESTIMATES].isna().any().any()
    assert np.isfinite(result.totals[["latest_fen", "ultimate_fen", "ibnr_fen"]]).all().all()


def _raa_without(raa_values: np.ndarray, years: list[int]) -> pd.DataFrame:
    values = raa_values * 100
    rows = triangle_claims(values, 1981, "property")
    return pd.DataFrame([r for r in rows if r["loss_date"].year not in years])


@pytest.mark.parametrize("method", ["chainladder", "mack"])
def test_zero_claim_origins_fall_back_to_bf(raa_values, method):
    claims = _raa_without(raa_values, [1985, 1990])
    premiums = pd.DataFrame(yearly_premiums("property", 1981, 1990, P))
    result = run_reserving(
        claims, premiums, "1990-12-31", ["line"], _config(method, apriori_loss_ratio=0.6)
    )
    _no_nan(result)
    rows = result.origins.set_index("origin")
    for year in ("1985", "1990"):
        row = rows.loc[year]
        assert row["latest_fen"] == 0
        assert row["fallback"] == Fallback.NO_LOSSES
        expected = 0.6 * row["earned_premium_fen"] * (1 - 1 / row["cdf"])
        assert row["ultimate_fen"] == pytest.approx(expected)
        assert row["ultimate_fen"] > 0
    assert (rows.drop(index=["1985", "1990"])["fallback"] == "").all()
    if method == "mack":
        assert result.table().set_index("origin").loc["1990", "std_err_fen"] is pd.NA


def test_zero_claim_origin_uses_cape_cod_ratio_without_apriori(raa_values):
    claims = _raa_without(raa_values, [1990])
    premiums = pd.DataFrame(yearly_premiums("property", 1981, 1990, P))
    result = run_reserving(claims, premiums, "1990-12-31", ["line"], _config())
    _no_nan(result)
    row = result.origins.set_index("origin").loc["1990"]
    assert 0 < row["elr"] < 1
    assert row["ultimate_fen"] == pytest.approx(row["elr"] * P * (1 - 1 / row["cdf"]))
    assert "Cape Cod" in row["elr_source"]


def test_losses_emerging_from_zero_cells_use_expected_loss(raa_values):
    """Every origin but the latest is zero at 12 months: the 12–24 factor cannot be estimated."""
    values = raa_values.copy() * 100
    values[:9, 0] = 0.0
    claims = pd.DataFrame(triangle_claims(values, 1981, "property"))
    premiums = pd.DataFrame(yearly_premiums("property", 1981, 1990, P))
    result = run_reserving(
        claims, premiums, "1990-12-31", ["line"], _config(apriori_loss_ratio=0.6)
    )
    _no_nan(result)
    rows = result.origins.set_index("origin")
    latest = rows.loc["1990"]
    assert latest["fallback"] == Fallback.UNESTIMABLE
    assert latest["ultimate_fen"] == pytest.approx(latest["latest_fen"] + 0.6 * P)
    assert (rows.drop(index="1990")["fallback"] == "").all()


def test_segment_without_losses_books_expected_loss(raa_values):
    claims = pd.DataFrame(triangle_claims(raa_values * 100, 1981, "property"))
    premiums = pd.DataFrame(
        yearly_premiums("property", 1981, 1990, P) + yearly_premiums("cargo", 1988, 1990, P)
    )
    config = parse_config(
        {
            "default": {"method": "mack", "basis": "paid"},
            "lines": {"cargo": {"method": "chainladder", "apriori_loss_ratio": 0.5}},
        }
    )
    result = run_reserving(claims, premiums, "1990-12-31", ["line"], config)
    _no_nan(result)
    cargo = result.origins.loc[result.origins["line"] == "cargo"]
    assert list(cargo["origin"]) == ["1988", "1989", "1990"]
    np.testing.assert_allclose(cargo["ultimate_fen"], 0.5 * cargo["earned_premium_fen"])
    assert (cargo["fallback"] == Fallback.UNESTIMABLE).all()


def test_monthly_grain_with_many_zero_cells(raa_values):
    claims = pd.DataFrame(triangle_claims(raa_values * 100, 1981, "property"))
    premiums = pd.DataFrame(yearly_premiums("property", 1981, 1990, P))
    result = run_reserving(
        claims, premiums, "1990-12-31", ["line"], _config(apriori_loss_ratio=0.6), grain="monthly"
    )
    _no_nan(result)
    assert len(result.origins) == 120
    latest_diagonal = [row[~np.isnan(row)][-1] for row in raa_values]
    assert result.totals.iloc[0]["latest_fen"] == pytest.approx(100 * sum(latest_diagonal))


def test_thin_liability_line_borrows_benchmark_pattern():
    claims = pd.DataFrame(
        [
            claim_row("L1", "public_liability", "2022-03-01", "2022-06-30", paid=80_000),
            claim_row("L1", "public_liability", "2022-03-01", "2023-06-30", paid=50_000),
            claim_row("L2", "public_liability", "2023-05-01", "2023-09-30", reserve=200_000),
            claim_row("L3", "public_liability", "2024-02-01", "2024-11-30", paid=30_000),
        ]
    )
    premiums = pd.DataFrame(yearly_premiums("public_liability", 2022, 2024, 1_000_000))
    config = parse_config({"default": {"method": "mack", "basis": "incurred"}})
    result = run_reserving(claims, premiums, "2024-12-31", ["line"], config)
    _no_nan(result)
    plan = result.plans[0]
    assert plan.source == "benchmark"
    assert plan.method == "chainladder"
    rows = result.origins.set_index("origin")
    assert rows["pattern"].str.contains("othliab").all()
    # chain ladder with the benchmark CDF at each origin's age
    np.testing.assert_allclose(rows["ultimate_fen"], rows["latest_fen"] * rows["cdf"])
    assert rows.loc["2024", "cdf"] > rows.loc["2022", "cdf"] > 1


def test_newer_line_in_a_longer_triangle_keeps_mack_errors(raa_values):
    """A line whose losses start in 1986 sits in a 1981–1990 triangle (premium from 1984)."""
    young = raa_values[5:, :5]  # RAA 1986–1990: a complete 5×5 triangle
    claims = pd.DataFrame(
        triangle_claims(raa_values * 100, 1981, "property", prefix="A")
        + triangle_claims(young * 100, 1986, "shop_package", prefix="B")
    )
    premiums = pd.DataFrame(
        yearly_premiums("property", 1981, 1990, P) + yearly_premiums("shop_package", 1984, 1990, P)
    )
    result = run_reserving(claims, premiums, "1990-12-31", ["line"], _config())
    _no_nan(result)
    totals = result.totals.set_index("line")
    assert totals.loc["property", "std_err_fen"] / 100 == pytest.approx(26880.74, abs=0.005)
    raa = cl.load_sample("raa")
    raa = raa[raa.origin >= "1986"]
    reference = cl.MackChainladder().fit(raa[raa.development <= 60])
    expected_se = float(reference.total_mack_std_err_.iloc[0, 0])
    assert totals.loc["shop_package", "std_err_fen"] / 100 == pytest.approx(expected_se)
    shop = result.origins.loc[result.origins["line"] == "shop_package"].set_index("origin")
    assert list(shop.index) == [str(y) for y in range(1984, 1991)]
    assert (shop.loc[["1984", "1985"], "ultimate_fen"] == 0).all()  # no losses, no tail
    assert shop.loc["1986":, "std_err_fen"].notna().all()


def test_one_origin_period_needs_a_finer_grain():
    claims = pd.DataFrame([claim_row("C1", "cargo", "2024-02-01", "2024-03-01", paid=100)])
    premiums = pd.DataFrame(yearly_premiums("cargo", 2024, 2024, P))
    with pytest.raises(InputError, match="finer grain"):
        run_reserving(claims, premiums, "2024-12-31", ["line"])
    result = run_reserving(claims, premiums, "2024-12-31", ["line"], grain="quarterly")
    _no_nan(result)
