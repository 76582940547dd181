"""A quote's inputs typed straight from its dict: :func:`prepare` without a DataFrame.

An online quote is a batch of one. Building a one-row DataFrame and typing it column by column
through pandas costs far more than rating the risk, so :func:`prepare_record` types the values of
the dict directly, for the values whose typing it can state exactly as the DataFrame path does:

* ``None``, a float NaN, or text that is empty or blank: missing (the stated default, if any);
* a level input (category, region, boolean): ``str``, ``int``, ``float`` or ``bool``, matched by
  its canonical text (:func:`~sme_insure.rating.frame.level_text`) to a declared level;
* a number input: an ``int`` below 2⁵³ in size or a ``float`` (exactly as float64), finite, whole
  for an integer input, within [min, max];
* an industry code: ASCII text already of the form ``C`` or ``C13`` (any case);
* a coverage selector: as a level of a boolean input, missing meaning the coverage's default.

Anything else (another type, text in a number, a date, an unknown level, a missing required
input, a value out of range) returns ``None``, and the caller rates the risk through the
DataFrame path, which reports every problem exactly as a batch does. So this path only ever
produces what that path would: a clean row typed the same way (tests/rating/test_quote_path.py).

:func:`with_defaults` gives a stored risk's inputs as they were rated, the product's stated
defaults filled in the same way (claims read their deductibles and limits from it).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import numpy as np

from sme_insure.catalogue.product import Product
from sme_insure.catalogue.terms import InputSpec
from sme_insure.catalogue.vocabulary import InputType
from sme_insure.rating.frame import (
    Column,
    Prepared,
    _absent,
    _levels,
    check_requires,
    derive,
    level_text,
    selector_spec,
)
from sme_insure.tables.coded import Coded

_INDUSTRY = re.compile(r"[A-Ta-t](?:[0-9]{2})?")
_EXACT = 2.0**53  # ints up to this size are exact in float64
_MISSING = object()


class NeedsFrame(Exception):
    """The value is one whose typing (or reporting) is left to the DataFrame path."""


def _is_missing(value: object) -> bool:
    """None, a float NaN or blank text: what the DataFrame path reads as missing here."""
    kind = type(value)
    if value is None or (kind is float and math.isnan(value)):  # type: ignore[arg-type]
        return True
    return kind is str and not value.strip()  # type: ignore[attr-defined]


def _level(spec: InputSpec, value: object) -> Coded:
    levels, position = _levels(spec)
    if value is _MISSING:
        return Coded(np.array([-1], dtype=np.int64), levels)
    if type(value) not in (str, int, float, bool):
        raise NeedsFrame
    code = position.get(level_text(spec, value), -1)
    if code < 0:
        raise NeedsFrame
    return Coded(np.array([code], dtype=np.int64), levels)


def _number(spec: InputSpec, value: object) -> np.ndarray:
    if value is _MISSING:
        return np.array([np.nan])
    kind = type(value)
    if kind is not float and not (kind is int and abs(value) < _EXACT):  # type: ignore[arg-type]
        raise NeedsFrame
    x = float(value)  # type: ignore[arg-type]
    if not math.isfinite(x) or (spec.type is InputType.INTEGER and x != round(x)):
        raise NeedsFrame
    if (spec.min is not None and x < spec.min) or (spec.max is not None and x > spec.max):
        raise NeedsFrame
    return np.array([x])


def _industry(value: object) -> Coded:
    if value is _MISSING:
        return Coded.from_values([None])
    if type(value) is not str or not _INDUSTRY.fullmatch(value):  # type: ignore[arg-type]
        raise NeedsFrame
    return Coded.from_values([value.upper()])  # type: ignore[attr-defined]


def _typed(spec: InputSpec, value: object) -> Column:
    """One value typed as the DataFrame path types a one-row column of it."""
    if spec.type is InputType.INDUSTRY:
        return _industry(value)
    if spec.type.is_level:
        return _level(spec, value)
    if spec.type is InputType.DATE:
        if value is _MISSING:
            return np.array([np.nan])
        raise NeedsFrame
    return _number(spec, value)


def _given(spec: InputSpec, risk: Mapping[str, object]) -> tuple[object, bool]:
    """The value rating reads for ``spec`` from ``risk`` and whether it is the product's stated
    default: a missing value (absent, ``None``, NaN, blank text) takes the default, if any;
    with none it stays ``_MISSING``."""
    value = risk.get(spec.name, _MISSING)
    if value is not _MISSING and not _is_missing(value):
        return value, False
    if spec.default is not None:
        return spec.default, True
    return _MISSING, False


def with_defaults(product: Product, risk: Mapping[str, object]) -> dict[str, object]:
    """``risk`` with each missing input that has a stated default set to it: the values the
    risk was rated on (shown as "(product default)" in the worksheet). Others as given."""
    out = dict(risk)
    for spec in product.inputs:
        value, defaulted = _given(spec, risk)
        if defaulted:
            out[spec.name] = value
    return out


def _input(prep: Prepared, spec: InputSpec, risk: Mapping[str, object]) -> None:
    value, defaulted = _given(spec, risk)
    if value is _MISSING and spec.required:
        raise NeedsFrame
    if spec.name not in risk:
        prep.columns[spec.name] = _absent(spec, 1, prep.log)
    else:
        prep.columns[spec.name] = _typed(spec, value)
    prep.given[spec.name] = _flag(value is not _MISSING)
    prep.defaulted[spec.name] = _flag(defaulted)


def _flag(value: bool) -> np.ndarray:
    return np.array([value], dtype=bool)


def _selected(selector: str, default: bool, risk: Mapping[str, object]) -> np.ndarray:
    """A selector as :func:`~sme_insure.rating.frame._selection` reads a one-row column (blank
    text is a level there, not missing: it is refused, so it goes to the DataFrame path)."""
    value = risk.get(selector, _MISSING)
    if value is _MISSING or value is None or (type(value) is float and math.isnan(value)):
        return _flag(default)
    if type(value) is bool:
        return _flag(value)
    code = _level(selector_spec(selector), value).codes[0]
    return np.array([code == 0])


def prepare_record(product: Product, risk: Mapping[str, object]) -> Prepared | None:
    """The :class:`Prepared` of a one-row batch of ``risk``, or ``None`` when some value is left
    to the DataFrame path (see the module text)."""
    prep = Prepared(1)
    try:
        for spec in product.inputs:
            _input(prep, spec, risk)
        derive(product, prep)
        for cov in product.coverages:
            prep.selected[cov.code] = (
                _selected(cov.selector, cov.selected_by_default, risk) if cov.optional
                else _flag(True))
            check_requires(cov, prep)
    except NeedsFrame:
        return None
    return None if prep.log.bad.any() else prep
