"""Canonical text of key values, so that ``1``, ``1.0`` and ``"1"`` name the same table level."""

from __future__ import annotations

import math

import pandas as pd


def canonical(value: object) -> str:
    """The text a level is matched by: integral numbers without a decimal point, others as text.

    ``canonical(400000.0) == canonical("400000") == "400000"``; ``canonical("A") == "A"``.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value):
            return str(int(value))
        return repr(value)
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return text
    if (
        math.isfinite(number)
        and number == int(number)
        and text.lstrip("+-").replace(".", "", 1).isdigit()
    ):
        return str(int(number))
    return text


def canonical_index(values: list[object]) -> pd.Index:
    """An index of canonical level texts, in the given order."""
    return pd.Index([canonical(v) for v in values], dtype=object)
