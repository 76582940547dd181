"""Transactions that rebuild the RAA triangle reproduce Mack (1994)'s published figures."""

from __future__ import annotations

import chainladder as cl
import numpy as np
import pytest

from sme_insure.reserving import (
    Basis,
    build_triangles,
    parse_config,
    run_reserving,
    validate_claim_transactions,
    validate_premium_transactions,
)

pytestmark = pytest.mark.filterwarnings("ignore:Parsing integer or float values")


def _config(method: str, **development: object):
    return parse_config(
        {"default": {"method": method, "basis": "paid", "development": development}}
    )


def test_paid_triangle_is_exactly_raa(raa_frames, raa_values):
    claims, premiums = raa_frames
    good = validate_claim_transactions(claims)
    assert good.issues == ()
    tri = build_triangles(
        good.frame, validate_premium_transactions(premiums).frame, "1990-12-31", ("line",)
    )
    paid = tri.losses(Basis.PAID)
    np.testing.assert_array_equal(paid.values[0, 0] / 100, raa_values)
    assert [str(o) for o in paid.origin] == [str(y) for y in range(1981, 1991)]
    assert list(paid.development) == list(range(12, 121, 12))


def test_chain_ladder_total_ibnr_52135(raa_frames):
    result = run_reserving(*raa_frames, "1990-12-31", ["line"], _config("chainladder"))
    segment = result.totals.iloc[0]
    assert round(segment["ibnr_fen"] / 100) == 52135
    assert result.totals.iloc[-1]["ibnr_fen"] == pytest.approx(segment["ibnr_fen"])


def test_mack_standard_error_log_linear(raa_frames):
    result = run_reserving(*raa_frames, "1990-12-31", ["line"], _config("mack"))
    assert result.totals.iloc[0]["std_err_fen"] / 100 == pytest.approx(26880.74, abs=0.005)
    assert round(result.totals.iloc[0]["ibnr_fen"] / 100) == 52135


def test_mack_standard_error_mack_interpolation(raa_frames):
    config = _config("mack", sigma_interpolation="mack")
    result = run_reserving(*raa_frames, "1990-12-31", ["line"], config)
    assert result.totals.iloc[0]["std_err_fen"] / 100 == pytest.approx(26909.01, abs=0.005)


def test_origin_rows_match_chainladder(raa_frames):
    result = run_reserving(*raa_frames, "1990-12-31", ["line"], _config("mack"))
    mack = cl.MackChainladder().fit(cl.load_sample("raa"))
    expected = np.nan_to_num(mack.ibnr_.values[0, 0, :, 0])  # 1981's zero IBNR shows as NaN
    np.testing.assert_allclose(result.origins["ibnr_fen"] / 100, expected, atol=1e-6)
    # the fully developed year has IBNR 0 and standard error 0, not NaN
    first = result.table().iloc[0]
    assert first["origin"] == "1981"
    assert first["ibnr_fen"] == 0
    assert first["std_err_fen"] == 0
