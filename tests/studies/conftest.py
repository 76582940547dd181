"""Synthetic books with known truth, written once per session (builders in ``study_support``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from study_support import write_book

from support.paths import ROOT


@pytest.fixture(scope="session")
def large_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200,000 policies: the recovery tests."""
    return write_book(tmp_path_factory.mktemp("large"), 200_000, 7)


@pytest.fixture(scope="session")
def small_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20,000 policies: engines, proposal, report, bad input."""
    return write_book(tmp_path_factory.mktemp("small"), 20_000, 11)


@pytest.fixture
def tables_copy(tmp_path: Path) -> Path:
    """A private copy of the rating tables, for tests that write draft versions."""
    target = tmp_path / "rating_tables"
    shutil.copytree(ROOT / "rating_tables", target)
    return target


@pytest.fixture(scope="session")
def tiny_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """6,000 policies: bad input."""
    return write_book(tmp_path_factory.mktemp("tiny"), 6_000, 3)
