"""Shared fixtures: the shipped catalogue, loaded once per session."""

from __future__ import annotations

import pytest

from sme_insure.catalogue import Catalogue
from sme_insure.rating import Rater
from support.paths import ROOT


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return Catalogue.load(ROOT / "products", ROOT / "rating_tables")


@pytest.fixture(scope="session")
def rater(catalogue: Catalogue) -> Rater:
    return Rater(catalogue)
