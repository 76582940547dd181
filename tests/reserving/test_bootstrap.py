"""Bootstrap ODP percentiles, with chainladder's hat-matrix bug worked around."""

from __future__ import annotations

import chainladder as cl
import numpy as np
import pytest

from sme_insure.reserving.bootstrap import HatSafeBootstrapODPSample, bootstrap_ibnr
from sme_insure.reserving.config import BootstrapConfig

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(scope="module")
def raa() -> cl.Triangle:
    return cl.load_sample("raa")


def test_hat_factors_equal_chainladders_where_it_is_initialised(raa):
    ours = HatSafeBootstrapODPSample(n_sims=10, hat_adj=True, random_state=1).fit(raa).hat_
    theirs = cl.BootstrapODPSample(n_sims=10, hat_adj=True, random_state=1).fit(raa).hat_
    # where leverage is 1 chainladder leaves uninitialised memory (any value); elsewhere equal
    inner = np.isfinite(ours) & (ours != 0)
    np.testing.assert_allclose(ours[inner], theirs[inner], rtol=1e-12)
    assert np.isnan(ours).sum() == np.isnan(theirs).sum()
    assert ours[0, -1] == 0 and ours[-1, 0] == 0  # corners: leverage 1, factor 0
    assert np.nanmax(ours) < 3


@pytest.mark.parametrize("scale", [1, 30, 0.37])
def test_percentiles_are_sane_at_any_scale(raa, scale):
    config = BootstrapConfig(n_sims=500, percentiles=(0.5, 0.75, 0.995))
    result = bootstrap_ibnr(raa * scale, config)
    chain_ladder = float(np.nansum(cl.Chainladder().fit(raa).ibnr_.values)) * scale
    median, p75, p995 = result.total
    assert 0.7 * chain_ladder < median < 1.3 * chain_ladder
    assert median < p75 < p995 < 5 * chain_ladder
    assert result.by_origin.shape == (3, 10)
    np.testing.assert_array_equal(result.by_origin[:, 0], 0)  # fully developed year


def test_percentiles_are_reproducible(raa):
    config = BootstrapConfig(n_sims=200, random_state=7)
    first, second = bootstrap_ibnr(raa, config), bootstrap_ibnr(raa, config)
    np.testing.assert_array_equal(first.total, second.total)
