"""Turning a DataFrame of risks into typed arrays, with every bad value reported.

Category-like inputs become :class:`Coded` over the product's declared levels (so table lookups
work on integer codes); numbers become float64 arrays. A missing optional input takes the
product's stated default, if any; otherwise it stays missing and is an error only where a selected
coverage needs it. Nothing is silently defaulted.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from sme_insure.catalogue.product import Product
from sme_insure.catalogue.regions import province_codes
from sme_insure.catalogue.terms import Coverage, InputSpec
from sme_insure.catalogue.vocabulary import InputType
from sme_insure.rating.issues import IssueLog
from sme_insure.tables.coded import Coded
from sme_insure.tables.keys import canonical

Column = Coded | npt.NDArray[np.float64]
_TRUE = {"true", "1", "yes", "y", "是"}
_FALSE = {"false", "0", "no", "n", "否"}


@dataclass
class Prepared:
    """Typed input columns (by name), which coverage each row selects, and the problems found."""

    n: int
    columns: dict[str, Column] = field(default_factory=dict)
    defaulted: dict[str, npt.NDArray[np.bool_]] = field(default_factory=dict)
    given: dict[str, npt.NDArray[np.bool_]] = field(default_factory=dict)
    selected: dict[str, npt.NDArray[np.bool_]] = field(default_factory=dict)
    log: IssueLog = field(init=False)
    _any_missing: dict[str, bool] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.log = IssueLog(self.n)

    @classmethod
    def concat(cls, parts: list[Prepared]) -> Prepared:
        """Consecutive chunks of one batch as a single prepared batch (same product)."""
        out = cls(sum(p.n for p in parts))
        first = parts[0]
        out.columns = {k: _concat_column([p.columns[k] for p in parts]) for k in first.columns}
        for name in ("defaulted", "given", "selected"):
            setattr(out, name, {k: np.concatenate([getattr(p, name)[k] for p in parts])
                                for k in getattr(first, name)})
        out.log = IssueLog.concat([p.log for p in parts])
        return out

    def missing(self, name: str) -> npt.NDArray[np.bool_]:
        """Rows where an input (or derived number) has no value."""
        col = self.columns[name]
        return col.missing if isinstance(col, Coded) else np.isnan(col)

    def any_missing(self, name: str) -> bool:
        """Whether any row lacks the input (cached: steps skip their checks when none does)."""
        found = self._any_missing.get(name)
        if found is None:
            col = self.columns[name]
            found = self._any_missing[name] = (
                col.any_missing() if isinstance(col, Coded) else bool(np.isnan(col).any()))
        return found


def _concat_column(parts: list[Column]) -> Column:
    """Chunks of one column: coded ones share their levels (the product's, or the table's)."""
    first = parts[0]
    if isinstance(first, Coded) and all(isinstance(p, Coded) and p.levels == first.levels
                                         for p in parts):
        return Coded(np.concatenate([p.codes for p in parts]), first.levels)  # type: ignore[union-attr]
    if isinstance(first, Coded):  # e.g. industry codes, levels of their own per chunk
        texts = [t for p in parts for t in p.texts(slice(None))]  # type: ignore[union-attr]
        return Coded.from_values(texts)
    return np.concatenate(parts)  # type: ignore[arg-type]


_LEVELS: dict[int, tuple[InputSpec, tuple[str, ...], dict[str, int]]] = {}


def _levels(spec: InputSpec) -> tuple[tuple[str, ...], dict[str, int]]:
    """The declared levels as canonical texts, and their positions (cached per input spec; the
    cache keeps the spec itself so that its id cannot be reused by another object)."""
    cached = _LEVELS.get(id(spec))
    if cached is None or cached[0] is not spec:
        if spec.type is InputType.BOOLEAN:
            levels: tuple[str, ...] = ("true", "false")
        elif spec.type is InputType.REGION:
            levels = tuple(province_codes())
        else:
            levels = tuple(canonical(v) for v in spec.levels or [])
        cached = _LEVELS[id(spec)] = (spec, levels, {t: i for i, t in enumerate(levels)})
    return cached[1], cached[2]


def _hashable(value: object) -> object:
    """The value, or its text when it cannot be a level (a list, a dict): never a TypeError."""
    return value if isinstance(value, Hashable) else repr(value)


def _factorize(raw: pd.Series) -> tuple[npt.NDArray[np.int64], list[object]]:
    """Codes of distinct values (−1 for missing); plain Python for small batches."""
    if isinstance(raw.dtype, pd.CategoricalDtype):  # already coded
        return raw.cat.codes.to_numpy(dtype=np.int64), list(raw.cat.categories)
    if raw.dtype == np.bool_:  # true → 0, false → 1, as the boolean levels
        return (~raw.to_numpy()).astype(np.int64), [True, False]
    if len(raw) > 64:
        try:
            codes, uniques = pd.factorize(raw, use_na_sentinel=True)
        except TypeError:  # unhashable values (lists, dicts): coded by their text, then refused
            codes, uniques = pd.factorize(raw.map(_hashable), use_na_sentinel=True)
        return codes.astype(np.int64), list(uniques)
    seen: dict[object, int] = {}
    codes_list = []
    for v in raw.tolist():
        if v is None or (isinstance(v, float) and v != v):
            codes_list.append(-1)
        else:
            codes_list.append(seen.setdefault(_hashable(v), len(seen)))
    return np.array(codes_list, dtype=np.int64), list(seen)


def level_text(spec: InputSpec, value: object) -> str:
    """The text a value is matched to the declared levels by: canonical, and for a boolean input
    the words for yes and no read as ``true`` / ``false``."""
    text = canonical(value)
    if spec.type is InputType.BOOLEAN:
        low = text.lower()
        return "true" if low in _TRUE else "false" if low in _FALSE else text
    return text


def _to_categorical(raw: pd.Series, spec: InputSpec, log: IssueLog) -> Coded:
    """Factorise once, map the few distinct values to declared levels, report unknown ones.

    The per-row work is one gather through a small mapper, skipped when the column's codes are
    already the declared levels in order (a Categorical written by the system)."""
    levels, position = _levels(spec)
    codes, uniques = _factorize(raw)
    texts = [level_text(spec, u) for u in uniques]
    mapped = [position.get(t, -1) for t in texts]
    if mapped == list(range(len(mapped))):
        return Coded(codes, levels)
    mapper = np.array([*mapped, -1], dtype=np.int64)
    level_codes = mapper[codes]
    if -1 in mapped:
        unknown = (level_codes < 0) & (codes >= 0)
        shown = list(levels) if len(levels) <= 40 else [*levels[:40], "…"]
        log.add(unknown, spec.name, raw, f"not an allowed level; allowed: {shown}")
    return Coded(level_codes, levels)


def _to_number(raw: pd.Series, spec: InputSpec, log: IssueLog) -> npt.NDArray[np.float64]:
    """Float64 values, NaN where missing; not a number, not finite, not whole (integer inputs)
    or outside [min, max] are reported. The usual column (finite numbers within range) costs one
    finiteness pass and a min/max: the masks are built only when some row can fail."""
    numeric = pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype)
    if numeric:
        values = raw.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        log.add(np.isnan(values) & raw.notna().to_numpy(), spec.name, raw,
                f"not a number ({spec.type})")
    finite = np.isfinite(values)
    all_finite = bool(finite.all())
    if not all_finite:
        log.add(np.isinf(values), spec.name, raw, "must be finite")
    if spec.type is InputType.INTEGER:
        whole = values == np.round(values)
        log.add((finite & ~whole) if not all_finite else ~whole, spec.name, raw,
                "must be a whole number")
    lo = -np.inf if spec.min is None else spec.min
    hi = np.inf if spec.max is None else spec.max
    if not (all_finite and _within(values, lo, hi)):
        unit = f" {spec.unit}" if spec.unit else (" CNY" if spec.type is InputType.MONEY else "")
        log.add(finite & ((values < lo) | (values > hi)), spec.name, raw,
                f"must be between {lo:,.10g} and {hi:,.10g}{unit}")
    return values.copy() if all_finite else np.where(finite, values, np.nan)


def _within(values: npt.NDArray[np.float64], lo: float, hi: float) -> bool:
    """Whether every (finite) value lies in [lo, hi]: two reductions instead of two masks."""
    return values.size == 0 or bool(values.min() >= lo and values.max() <= hi)


def _to_date(raw: pd.Series, spec: InputSpec, log: IssueLog) -> npt.NDArray[np.float64]:
    """Dates become days since 1970-01-01 (float, NaN when missing)."""
    parsed = pd.to_datetime(raw, errors="coerce", format="ISO8601")
    log.add(
        parsed.isna().to_numpy() & raw.notna().to_numpy(),
        spec.name,
        raw,
        "not a date (YYYY-MM-DD)",
    )
    days = parsed.to_numpy(dtype="datetime64[D]").astype("float64")
    return np.where(parsed.isna().to_numpy(), np.nan, days)


def _industry(raw: pd.Series, spec: InputSpec, log: IssueLog) -> Coded:
    text = raw.astype("string").str.strip().str.upper()
    ok = text.str.fullmatch(r"[A-T](\d{2})?").fillna(False).to_numpy(dtype=bool)
    log.add(
        ~ok & raw.notna().to_numpy(),
        spec.name,
        raw,
        "not a GB/T 4754 industry code (section A–T, optionally with a 2-digit division)",
    )
    return Coded.from_values(text.where(ok).astype(object).tolist())


def _coerce(raw: pd.Series, spec: InputSpec, log: IssueLog) -> Column:
    if spec.type is InputType.INDUSTRY:
        return _industry(raw, spec, log)
    if spec.type.is_level:
        return _to_categorical(raw, spec, log)
    if spec.type is InputType.DATE:
        return _to_date(raw, spec, log)
    return _to_number(raw, spec, log)


def _blank_to_missing(raw: pd.Series) -> pd.Series:
    """Empty or blank text counts as missing; checked on the distinct values only."""
    if raw.dtype != object and not pd.api.types.is_string_dtype(raw.dtype):
        return raw
    # lists or dicts are kept as their text, which no input type accepts
    if len(raw) <= 64:  # a quote: no pandas call
        if not all(isinstance(v, Hashable) for v in raw.tolist()):
            raw = raw.map(_hashable)
        distinct = raw.tolist()
    else:
        try:
            distinct = pd.unique(raw)
        except TypeError:
            raw = raw.map(_hashable)
            distinct = pd.unique(raw)
    blanks = list({u for u in distinct if isinstance(u, str) and not u.strip()})
    return raw.replace(blanks, None) if blanks else raw


def _raw(df: pd.DataFrame, spec: InputSpec) -> tuple[pd.Series, npt.NDArray[np.bool_],
                                                       npt.NDArray[np.bool_]]:
    """The column with the product's stated default where the value is missing; the rows still
    missing after that, and the rows that took the default (one missing-value pass)."""
    raw = _blank_to_missing(df[spec.name])
    missing = raw.isna().to_numpy()
    if spec.default is None or not missing.any():
        return raw, missing, np.zeros(len(missing), dtype=bool)
    return raw.astype(object).where(~missing, spec.default), np.zeros(len(missing), dtype=bool), missing


_ABSENT: dict[int, tuple[InputSpec, Column]] = {}


def _absent(spec: InputSpec, n: int, log: IssueLog) -> Column:
    """A column the frame does not have: the stated default (or missing) on every row, typed once
    per input spec on a single value and broadcast (a read-only view: prepared columns are only
    ever read)."""
    cached = _ABSENT.get(id(spec))
    if cached is None or cached[0] is not spec:
        one = _coerce(pd.Series([spec.default], dtype=object), spec, IssueLog(1))
        cached = _ABSENT[id(spec)] = (spec, one)
    one = cached[1]
    if spec.required:
        log.add(np.ones(n, dtype=bool), spec.name, None, "required")
    if n <= 64:  # a quote: a small array is quicker to make than a view
        if isinstance(one, Coded):
            return Coded(np.full(n, one.codes[0], dtype=np.int64), one.levels)
        return np.full(n, one[0], dtype=np.float64)
    if isinstance(one, Coded):  # read-only views of one value: no memory per row
        return Coded(np.broadcast_to(np.int64(one.codes[0]), (n,)), one.levels)
    return np.broadcast_to(np.float64(one[0]), (n,))


def prepare(product: Product, df: pd.DataFrame) -> Prepared:
    """Validate and type every declared input, derived number and coverage selection."""
    prep = Prepared(len(df))
    for spec in product.inputs:
        if spec.name not in df.columns:
            prep.columns[spec.name] = _absent(spec, prep.n, prep.log)
            prep.defaulted[spec.name] = np.full(prep.n, spec.default is not None)
            prep.given[spec.name] = prep.defaulted[spec.name]
            continue
        raw, missing, defaulted = _raw(df, spec)
        prep.given[spec.name] = ~missing
        prep.columns[spec.name] = _coerce(raw, spec, prep.log)
        prep.defaulted[spec.name] = defaulted
        if spec.required:
            prep.log.add(missing, spec.name, None, "required")
    derive(product, prep)
    for cov in product.coverages:
        prep.selected[cov.code] = _selection(
            df, cov.selector, cov.optional, cov.selected_by_default, prep.log
        )
        check_requires(cov, prep)
    return prep


def derive(product: Product, prep: Prepared) -> None:
    """Derived numbers: times × the product of the named inputs, row by row."""
    for d in product.derived:
        value = np.full(prep.n, d.times)
        for name in d.product_of:
            value = value * prep.columns[name]  # type: ignore[operator]
        prep.columns[d.name] = value


def check_requires(cov: Coverage, prep: Prepared) -> None:
    """Report the inputs a selected coverage needs and a row does not give."""
    for name in cov.requires:
        prep.log.add(
            prep.selected[cov.code] & ~prep.given.get(name, np.zeros(prep.n, dtype=bool)),
            name,
            None,
            f"required when coverage {cov.code} is selected",
        )


_SELECTORS: dict[str, InputSpec] = {}


def selector_spec(selector: str) -> InputSpec:
    """The boolean input a coverage selector is read as (made once per selector name)."""
    spec = _SELECTORS.get(selector)
    if spec is None:
        label = {"zh": selector, "en": selector}
        spec = _SELECTORS[selector] = InputSpec(
            name=selector, type=InputType.BOOLEAN, label=label, required=False  # type: ignore[arg-type]
        )
    return spec


def _selection(
    df: pd.DataFrame, selector: str, optional: bool, default: bool, log: IssueLog
) -> npt.NDArray[np.bool_]:
    n = len(df)
    if not optional:
        return np.ones(n, dtype=bool)
    if selector not in df.columns:
        return np.full(n, default)
    spec = selector_spec(selector)
    if df[selector].dtype == np.bool_:  # already what a selection is
        return df[selector].to_numpy(copy=True)
    cat = _to_categorical(df[selector], spec, log)
    codes = np.asarray(cat.codes)
    return np.where(codes < 0, default, codes == 0)
