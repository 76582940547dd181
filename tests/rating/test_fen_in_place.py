"""The engine's in-place money arithmetic (rating/fen.py) is money.py's, element for element."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sme_insure.money import share_fen_array, split_vat_array, to_fen_array
from sme_insure.rating.fen import BLOCK, share_fen_of, to_fen_owned, vat_of

EDGES = [0.0, -0.0, 0.005, 0.015, 1.005, 2.675, 1.115, 0.125, 99.995, 1e-9, 123456.785,
         5e12, 0.004999999, 0.00500001, 1.0049999999, 8.345]


def _amounts(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1e6, n)
    x[::3] = np.round(x[::3], 3)  # on and near the half-fen
    x[1::7] = np.round(x[1::7], 2) + 0.005
    return np.concatenate([x, EDGES])


@pytest.mark.parametrize("n", [0, 1, 7, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 5])
def test_to_fen_owned_is_to_fen_array(n):
    x = _amounts(n, n)
    assert np.array_equal(to_fen_owned(x.copy()), to_fen_array(x))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 1e9, allow_nan=False), min_size=1, max_size=40))
def test_to_fen_owned_on_any_amounts(values):
    x = np.array(values)
    assert to_fen_owned(x.copy()).tolist() == to_fen_array(x).tolist()


@pytest.mark.parametrize("rate", [0.06, 0.09, 0.13, 0.0, 0.15, 0.333])
def test_vat_and_share_are_money_py(rate):
    gross = to_fen_array(_amounts(5000, 3))
    assert np.array_equal(vat_of(gross, rate), split_vat_array(gross, rate)[1])
    scratch = np.empty_like(gross)
    assert vat_of(gross, rate, out=scratch) is scratch
    assert np.array_equal(scratch, split_vat_array(gross, rate)[1])
    assert np.array_equal(share_fen_of(gross, rate), share_fen_array(gross, rate))
