"""Shared fixtures: the shipped catalogue, loaded once per session."""

from __future__ import annotations

import pytest
from hypothesis import settings

from sme_insure.catalogue import Catalogue, load_checked
from sme_insure.rating import Rater
from support.paths import ROOT

# No per-example deadline: examples take microseconds, and a stall of the shared 2-core machine
# past Hypothesis's 200 ms would fail a property that holds. Speed lives in benchmarks/.
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_checked(ROOT / "products", ROOT / "rating_tables")  # as the server loads it


@pytest.fixture(scope="session")
def rater(catalogue: Catalogue) -> Rater:
    return Rater(catalogue)
