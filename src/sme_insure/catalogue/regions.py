"""Province-level divisions of GB/T 2260 (the first two digits of a division code)."""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd


@cache
def provinces() -> pd.DataFrame:
    """Code (2 digits, text), Chinese and English names, from package data."""
    with resources.files("sme_insure.catalogue").joinpath("data/regions.csv").open("rb") as fh:
        return pd.read_csv(fh, dtype=str)


def province_codes() -> list[str]:
    """The valid 2-digit province codes."""
    return provinces()["code"].tolist()
