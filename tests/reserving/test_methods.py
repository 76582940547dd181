"""Every configured method equals the chainladder estimator it composes (RAA, flat premium)."""

from __future__ import annotations

import chainladder as cl
import numpy as np
import pytest

from sme_insure.reserving import Line, MethodName, parse_config, run_reserving

pytestmark = pytest.mark.filterwarnings("ignore:Parsing integer or float values")
ELR = 0.6
PREMIUM_CNY = 4_000_000  # per year, as in the raa_frames fixture


def _reference(method: MethodName, raa: cl.Triangle) -> np.ndarray:
    premium = raa.latest_diagonal * 0 + PREMIUM_CNY
    estimators = {
        MethodName.CHAINLADDER: (cl.Chainladder(), None),
        MethodName.MACK: (cl.MackChainladder(), None),
        MethodName.BORNHUETTER_FERGUSON: (cl.BornhuetterFerguson(apriori=ELR), premium),
        MethodName.BENKTANDER: (cl.Benktander(apriori=ELR, n_iters=3), premium),
        MethodName.CAPE_COD: (cl.CapeCod(), premium),
        MethodName.EXPECTED_LOSS: (cl.ExpectedLoss(apriori=ELR), premium),
    }
    estimator, weight = estimators[method]
    return estimator.fit(raa, sample_weight=weight).ultimate_.values[0, 0, :, 0]


@pytest.mark.parametrize("method", list(MethodName))
def test_method_matches_chainladder(raa_frames, method):
    line = {"method": method.value, "basis": "paid", "benktander_iterations": 3}
    if method in (MethodName.BORNHUETTER_FERGUSON, MethodName.BENKTANDER, MethodName.EXPECTED_LOSS):
        line["apriori_loss_ratio"] = ELR
    result = run_reserving(*raa_frames, "1990-12-31", ["line"], parse_config({"default": line}))
    ours = result.origins["ultimate_fen"].to_numpy() / 100
    np.testing.assert_allclose(ours, _reference(method, cl.load_sample("raa")), rtol=1e-9)
    assert (result.origins["method"] == method.value).all()


def test_apriori_loss_ratios_from_products():
    config = parse_config({"lines": {"cargo": {"method": "chainladder"}}})
    updated = config.with_apriori_loss_ratios({Line.CARGO: 0.55, Line.PROPERTY: 0.5})
    assert updated.for_line(Line.CARGO).apriori_loss_ratio == 0.55
    assert updated.for_line(Line.CARGO).method is MethodName.CHAINLADDER
    assert updated.for_line(Line.PROPERTY).apriori_loss_ratio == 0.5
    assert config.for_line(Line.CARGO).apriori_loss_ratio is None  # the original is unchanged
