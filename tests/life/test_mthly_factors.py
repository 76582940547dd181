"""α(m), β(m) of m-thly annuities under UDD: the published values at 5 %, and accurate down to
i = 0 (the direct formula cancels catastrophically near zero: β was −82 at i = 1e-9)."""

from __future__ import annotations

import numpy as np
import pytest

from sme_insure.life.annuities import MthlyMethod, mthly_alpha_beta


def test_published_values_at_five_percent():
    # Dickson, Hardy & Waters, Actuarial Mathematics for Life Contingent Risks, Table 5.x (i = 5 %)
    alpha, beta = mthly_alpha_beta(np.array([0.05]), 12, MthlyMethod.UDD)
    assert alpha[0] == pytest.approx(1.000197, abs=1e-6)
    assert beta[0] == pytest.approx(0.466508, abs=1e-6)


def test_small_rates_approach_the_limits_smoothly():
    rates = np.array([0.0, 5e-324, 1e-200, 1e-12, 1e-9, 1e-7, 1e-5, 1e-3, 0.0999, 0.1001])
    alpha, beta = mthly_alpha_beta(rates, 12, MthlyMethod.UDD)
    assert np.all(np.isfinite(alpha)) and np.all(np.isfinite(beta))
    assert np.allclose(alpha[:6], 1.0, atol=1e-12) and np.allclose(beta[:6], 11 / 24, atol=1e-6)
    assert np.all(np.diff(beta) >= 0)  # β(m) rises with the rate
    assert beta[-1] - beta[-2] < 1e-4  # the series and the direct formula meet at δ = 0.1
