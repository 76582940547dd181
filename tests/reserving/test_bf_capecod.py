"""Bornhuetter–Ferguson identity and Cape Cod pairing of losses with premium by segment."""

from __future__ import annotations

import chainladder as cl
import numpy as np
import pandas as pd
import pytest
from reserving_builders import triangle_claims, yearly_premiums

from sme_insure.errors import InputError
from sme_insure.reserving import parse_config, run_reserving
from sme_insure.reserving.triangles import check_aligned

ELR = 0.65
pytestmark = pytest.mark.filterwarnings("ignore:Parsing integer or float values")


def test_bf_identity(raa_frames):
    """U = C + ELR · P · (1 − 1/CDF) for every origin, with the ELR a parameter."""
    config = parse_config(
        {"default": {"method": "bornhuetter_ferguson", "basis": "paid", "apriori_loss_ratio": ELR}}
    )
    rows = run_reserving(*raa_frames, "1990-12-31", ["line"], config).origins
    expected = rows["latest_fen"] + ELR * rows["earned_premium_fen"] * (1 - 1 / rows["cdf"])
    np.testing.assert_allclose(rows["ultimate_fen"], expected, rtol=1e-10)
    assert (rows["elr"] == ELR).all()
    assert (rows["fallback"] == "").all()


def test_bf_premium_is_not_scaled(raa_frames):
    """Doubling the ELR doubles the IBNR (premium data untouched)."""

    def ibnr(elr: float) -> float:
        default = {"method": "bornhuetter_ferguson", "basis": "paid", "apriori_loss_ratio": elr}
        result = run_reserving(
            *raa_frames, "1990-12-31", ["line"], parse_config({"default": default})
        )
        return result.totals.iloc[-1]["ibnr_fen"]

    assert ibnr(0.8) == pytest.approx(2 * ibnr(0.4))


def _two_segments(raa_values: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two lines: RAA as is, and RAA halved, each with its own premium level."""
    claims = pd.DataFrame(
        triangle_claims(raa_values * 100, 1981, "property", prefix="A")
        + triangle_claims(raa_values * 50, 1981, "cargo", prefix="B")
    )
    premiums = pd.DataFrame(
        yearly_premiums("property", 1981, 1990, 4_000_000_00)
        + yearly_premiums("cargo", 1981, 1990, 9_000_000_00)
    )
    return claims, premiums


CAPE_COD = parse_config({"default": {"method": "cape_cod", "basis": "paid"}})


def test_cape_cod_independent_of_frame_order(raa_values):
    claims, premiums = _two_segments(raa_values)
    same = run_reserving(claims, premiums, "1990-12-31", ["line"], CAPE_COD)
    # losses listed property first, premium cargo first: chainladder would pair by position
    reordered = run_reserving(
        claims, premiums.iloc[::-1].reset_index(drop=True), "1990-12-31", ["line"], CAPE_COD
    )
    shuffled = run_reserving(
        claims.sample(frac=1, random_state=1), premiums, "1990-12-31", ["line"], CAPE_COD
    )
    for other in (reordered, shuffled):
        pd.testing.assert_frame_equal(same.origins, other.origins)


def test_cape_cod_matches_per_segment_fit(raa_values):
    """Each segment's Cape Cod equals chainladder's on that segment alone."""
    claims, premiums = _two_segments(raa_values)
    result = run_reserving(claims, premiums.iloc[::-1], "1990-12-31", ["line"], CAPE_COD)
    raa = cl.load_sample("raa")
    for line, scale, written in (("property", 100, 4_000_000_00), ("cargo", 50, 9_000_000_00)):
        premium = raa.latest_diagonal * 0 + written
        alone = cl.CapeCod().fit(raa * scale, sample_weight=premium)
        rows = result.origins.loc[result.origins["line"] == line]
        np.testing.assert_allclose(
            rows["ultimate_fen"], alone.ultimate_.values[0, 0, :, 0], rtol=1e-9
        )


def test_misaligned_triangles_are_refused():
    losses = cl.load_sample("clrd").iloc[:2]["CumPaidLoss"]
    premium = cl.load_sample("clrd").iloc[:2]["EarnedPremNet"].latest_diagonal
    check_aligned(losses, premium)
    with pytest.raises(InputError, match="not aligned"):
        check_aligned(losses, premium.iloc[::-1])
