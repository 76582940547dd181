"""Helpers of the browser tests (a module of its own: test files never import conftest)."""

from __future__ import annotations

from pathlib import Path

from support.paths import ROOT

ARTIFACTS = ROOT / "test-artifacts"


def shot(page, name: str) -> Path:
    """Save a named screenshot of the current page as a test artefact."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
