"""Fixtures of the reserving tests (builders live in ``reserving_builders``)."""

from __future__ import annotations

import warnings

import chainladder as cl
import numpy as np
import pandas as pd
import pytest
from reserving_builders import triangle_claims, yearly_premiums


@pytest.fixture(scope="session")
def raa_values() -> np.ndarray:
    """RAA (Mack 1994) cumulative paid, origins 1981–1990."""
    with warnings.catch_warnings():  # chainladder's own date parsing warns under pandas 3
        warnings.simplefilter("ignore", DeprecationWarning)
        return cl.load_sample("raa").values[0, 0]


@pytest.fixture
def raa_frames(raa_values: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Claims reproducing RAA in fen (RAA figures × 100) and 10 years of premium."""
    claims = pd.DataFrame(triangle_claims(raa_values * 100, 1981, "property"))
    premiums = pd.DataFrame(yearly_premiums("property", 1981, 1990, 4_000_000_00))
    return claims, premiums
