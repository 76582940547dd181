"""Check a batch of members against the terms; the valid members become numpy arrays.

Every problem becomes an :class:`~sme_insure.errors.Issue` with ``row`` = the member's position
in the ``members`` frame; a member with any issue is left out and the rest are still illustrated.
Structural problems (unknown or missing columns) stop the whole batch with an ``InputError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from sme_insure.errors import InputError, Issue
from sme_insure.life import DEFAULT_REGISTRY, Sex, TableRegistry
from sme_insure.money import to_fen_array
from sme_insure.pension.members import AD_HOC, MONEY, OPTIONAL, REQUIRED, SWITCHES
from sme_insure.pension.terms import PayoutKind, PensionTerms, Sleeve

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
SLEEVES = list(Sleeve)


@dataclass(frozen=True)
class MemberArrays:
    """Valid members as aligned arrays; money in integer fen, ``sleeve_by_year`` indexes SLEEVES."""

    rows: IntArray
    member_id: npt.NDArray[np.object_]
    sex: npt.NDArray[np.object_]
    age: IntArray
    retirement_age: IntArray
    fixed_term: IntArray
    monthly: IntArray
    annual: IntArray
    topup_monthly: IntArray
    topup_annual: IntArray
    sleeve_by_year: npt.NDArray[np.int8]
    ad_hoc_member: IntArray
    ad_hoc_month: IntArray
    ad_hoc_fen: IntArray

    @property
    def years(self) -> IntArray:
        """Accumulation years: retirement age − age at entry."""
        return self.retirement_age - self.age

    @property
    def is_fixed_term(self) -> BoolArray:
        """True where the payout is an annuity certain."""
        return self.fixed_term > 0

    def __len__(self) -> int:
        return int(self.rows.size)


class _Checks:
    """Collects issues and marks the rows that have any."""

    def __init__(self, n: int) -> None:
        self.bad = np.zeros(n, dtype=bool)
        self.issues: list[Issue] = []

    def flag(self, mask: Any, name: str, given: pd.Series, reason: str, rows: Any = None) -> None:
        """Record ``reason`` for every True in ``mask`` (rows default to the mask positions)."""
        hits = np.flatnonzero(np.asarray(mask, dtype=bool))
        where = hits if rows is None else np.asarray(rows)[hits]
        self.bad[where] = True
        self.issues += [
            Issue(name, _plain(given.iloc[k]), reason, row=int(r))
            for k, r in zip(hits, where, strict=True)
        ]


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value, for readable issues."""
    return value.item() if isinstance(value, np.generic) else value


def _blank(series: pd.Series) -> BoolArray:
    """Missing or empty-text cells."""
    missing = series.isna().to_numpy()
    if pd.api.types.is_numeric_dtype(series):
        return missing
    return missing | (series.astype(str).str.strip() == "").to_numpy()


def _numbers(series: pd.Series) -> tuple[npt.NDArray[np.float64], BoolArray]:
    """Float values and a mask of cells that are given but not finite numbers."""
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    return values, ~_blank(series) & ~np.isfinite(values)


def _integers(series: pd.Series) -> tuple[npt.NDArray[np.float64], BoolArray]:
    """Values and a mask of cells that are not whole numbers (blank included)."""
    values, _ = _numbers(series)
    ok = np.isfinite(values) & (np.mod(np.nan_to_num(values), 1.0) == 0.0)
    return values, ~ok


def _enum(series: pd.Series, parse: Any) -> tuple[npt.NDArray[np.object_], BoolArray]:
    """Parsed enum members (None where invalid) and the invalid mask; each distinct text once."""
    codes, uniques = pd.factorize(series)

    def one(value: Any) -> Any:
        try:
            return parse(str(value).strip().lower())
        except ValueError:
            return None

    table = np.array([one(v) for v in uniques] + [None], dtype=object)
    parsed = table[codes]
    return parsed, np.array([p is None for p in table], dtype=bool)[codes]


def check_columns(
    frame: pd.DataFrame, required: tuple[str, ...], known: tuple[str, ...], name: str
) -> None:
    """Unknown or missing columns stop the batch (a typo must not become a silent zero)."""
    issues = [
        Issue(f"{name}.columns", c, "unknown column") for c in frame.columns if c not in known
    ]
    issues += [
        Issue(f"{name}.columns", c, "required column missing")
        for c in required
        if c not in frame.columns
    ]
    if issues:
        raise InputError(issues, context=f"{name} frame")


def _check_identity(frame: pd.DataFrame, chk: _Checks) -> None:
    """member_id given and unique (later duplicates are the ones flagged)."""
    ids = frame["member_id"]
    chk.flag(_blank(ids), "member_id", ids, "must be given")
    chk.flag(ids.duplicated().to_numpy() & ~_blank(ids), "member_id", ids, "must be unique")


def _check_enums(
    frame: pd.DataFrame, chk: _Checks, terms: PensionTerms
) -> tuple[npt.NDArray[np.object_], ...]:
    """sex (one the annuity basis prices), sleeve and payout from their closed vocabularies."""
    sex, bad = _enum(frame["sex"], Sex.parse)
    priced = set(terms.annuity.tables)
    bad |= np.array([s not in priced for s in sex], dtype=bool)
    chk.flag(bad, "sex", frame["sex"], f"must be one of {sorted(v.value for v in priced)}")
    sleeve, bad = _enum(frame["sleeve"], Sleeve)
    chk.flag(bad, "sleeve", frame["sleeve"], f"must be one of {[s.value for s in Sleeve]}")
    payout, bad = _enum(frame["payout"], PayoutKind)
    chk.flag(bad, "payout", frame["payout"], f"must be one of {[p.value for p in PayoutKind]}")
    return sex, sleeve, payout


def _check_ages(
    frame: pd.DataFrame, chk: _Checks, terms: PensionTerms, sex: Any, registry: TableRegistry
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Whole-year ages inside the annuity table; retirement ≥ the minimum and after entry."""
    age, bad_age = _integers(frame["age"])
    ret, bad_ret = _integers(frame["retirement_age"])
    chk.flag(bad_age, "age", frame["age"], "must be a whole number of years")
    chk.flag(bad_ret, "retirement_age", frame["retirement_age"], "must be a whole number of years")
    for s, table_id in terms.annuity.tables.items():
        table, rows = registry.get(table_id), sex == s
        outside = rows & ~bad_age & ((age < table.min_age) | (age > table.max_age))
        span = f"[{table.min_age}, {table.max_age}] of annuity table {table_id}"
        chk.flag(outside, "age", frame["age"], f"must be in {span}")
        late = rows & ~bad_ret & (ret > table.max_age)
        chk.flag(late, "retirement_age", frame["retirement_age"], f"must be in {span}")
    low = terms.retirement.minimum_age
    chk.flag(~bad_ret & (ret < low), "retirement_age", frame["retirement_age"], f"must be ≥ {low}")
    early = ~bad_ret & ~bad_age & (ret <= age)
    chk.flag(early, "retirement_age", frame["retirement_age"], "must be after the current age")
    return age, ret


def _check_money(frame: pd.DataFrame, chk: _Checks) -> dict[str, IntArray]:
    """Non-negative CNY amounts (blank = 0), as fen rounded half up."""
    out: dict[str, IntArray] = {}
    for col in MONEY:
        if col not in frame.columns:
            out[col] = np.zeros(len(frame), dtype=np.int64)
            continue
        values, text = _numbers(frame[col])
        chk.flag(text, col, frame[col], "must be a number (an amount in CNY)")
        chk.flag(values < 0, col, frame[col], "must be ≥ 0")
        bad = text | (values < 0)
        out[col] = to_fen_array(np.where(bad | ~np.isfinite(values), 0.0, values))
    return out


def _check_term(frame: pd.DataFrame, chk: _Checks, terms: PensionTerms, payout: Any) -> IntArray:
    """fixed_term_years: whole years ≥ the minimum for a fixed term, empty for a life annuity."""
    col = frame.get("fixed_term_years", pd.Series([None] * len(frame), dtype=object))
    term, bad = _integers(col)
    fixed = payout == PayoutKind.FIXED_TERM
    low = terms.retirement.minimum_fixed_term_years
    short = fixed & (bad | (np.nan_to_num(term) < low))
    chk.flag(short, "fixed_term_years", col, f"a fixed-term payout needs whole years ≥ {low}")
    life = (payout == PayoutKind.LIFE) & ~_blank(col)
    chk.flag(life, "fixed_term_years", col, "must be empty for a life annuity payout")
    return np.where(fixed & ~short, np.nan_to_num(term), 0).astype(np.int64)


def _member_positions(side: pd.DataFrame, ids: pd.Series, chk: _Checks, name: str) -> Any:
    """Position of each side-table row's member; unknown ids are issues of their own."""
    first = ids[~ids.duplicated()]
    found = pd.Index(first.to_numpy()).get_indexer(side["member_id"].to_numpy())
    pos = np.where(found >= 0, first.index.to_numpy()[np.maximum(found, 0)], -1)
    chk.issues += [
        Issue(
            f"{name}.member_id",
            _plain(side["member_id"].iloc[k]),
            "no such member",
            source=f"{name} row {k}",
        )
        for k in np.flatnonzero(pos < 0)
    ]
    return pos


def _check_policy_year(side: pd.DataFrame, pos: Any, years: Any, chk: _Checks, name: str) -> Any:
    """policy_year: whole number in 1..years of the member's accumulation."""
    known = pos >= 0
    py, bad = _integers(side["policy_year"])
    limit = years[np.where(known, pos, 0)]
    bad |= ~bad & np.isfinite(limit) & ((py < 1) | (py > limit))
    chk.flag(
        known & bad,
        f"{name}.policy_year",
        side["policy_year"],
        "must be a policy year before retirement",
        rows=np.where(known, pos, 0),
    )
    return py, known & ~bad


def _check_ad_hoc(side: pd.DataFrame, pos: Any, years: Any, chk: _Checks) -> Any:
    """Ad hoc rows: policy year, month 1–12 and a non-negative amount; month index and fen."""
    py, ok = _check_policy_year(side, pos, years, chk, "ad_hoc")
    rows, known = np.where(pos >= 0, pos, 0), pos >= 0
    month, bad = _integers(side["month"])
    bad |= ~bad & ((month < 1) | (month > 12))
    chk.flag(known & bad, "ad_hoc.month", side["month"], "must be a month 1–12", rows=rows)
    amount, bad_amount = _numbers(side["amount"])
    bad_amount |= ~np.isfinite(amount) | (amount < 0)
    chk.flag(
        known & bad_amount,
        "ad_hoc.amount",
        side["amount"],
        "must be a non-negative amount in CNY",
        rows=rows,
    )
    ok &= ~bad & ~bad_amount
    index = (np.nan_to_num(py) - 1) * 12 + np.nan_to_num(month) - 1
    return ok, index.astype(np.int64), to_fen_array(np.where(ok, amount, 0.0))


def _check_switches(side: pd.DataFrame, pos: Any, years: Any, chk: _Checks) -> Any:
    """Switch rows: policy year and a known sleeve."""
    py, ok = _check_policy_year(side, pos, years, chk, "switches")
    sleeve, bad = _enum(side["sleeve"], Sleeve)
    rows, known = np.where(pos >= 0, pos, 0), pos >= 0
    chk.flag(
        known & bad,
        "switches.sleeve",
        side["sleeve"],
        f"must be one of {[s.value for s in Sleeve]}",
        rows=rows,
    )
    return ok & ~bad, np.nan_to_num(py).astype(np.int64), sleeve


def _sleeve_matrix(
    start: Any, years: IntArray, switch_pos: Any, switch_year: Any, switch_sleeve: Any
) -> npt.NDArray[np.int8]:
    """Sleeve index by (member, policy year): the initial sleeve, then switches in year order."""
    codes = {s: k for k, s in enumerate(SLEEVES)}
    width = int(years.max(initial=0))
    matrix = np.repeat(np.array([codes[s] for s in start], dtype=np.int8)[:, None], width, axis=1)
    for year in np.unique(switch_year):
        at = switch_year == year
        for p, s in zip(switch_pos[at], switch_sleeve[at], strict=True):
            matrix[p, year - 1 :] = codes[s]
    return matrix


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})


def _check_members(
    members: pd.DataFrame, chk: _Checks, terms: PensionTerms, registry: TableRegistry
) -> dict[str, Any]:
    """Every per-member check; the parsed columns by name."""
    _check_identity(members, chk)
    sex, sleeve, payout = _check_enums(members, chk, terms)
    age, ret = _check_ages(members, chk, terms, sex, registry)
    money = _check_money(members, chk)
    term = _check_term(members, chk, terms, payout)
    return {"sex": sex, "sleeve": sleeve, "age": age, "ret": ret, "term": term, **money}


def _assemble(
    members: pd.DataFrame, col: dict[str, Any], keep: IntArray, ad_hoc: tuple, switches: tuple
) -> MemberArrays:
    """The kept members' arrays; side-table rows as (member position, month or year, value)."""
    years = (col["ret"] - col["age"])[keep].astype(np.int64)
    a_member, a_month, a_fen = ad_hoc
    s_member, s_year, s_sleeve = switches
    return MemberArrays(
        rows=keep,
        member_id=members["member_id"].to_numpy(dtype=object)[keep],
        sex=col["sex"][keep],
        age=col["age"][keep].astype(np.int64),
        retirement_age=col["ret"][keep].astype(np.int64),
        fixed_term=col["term"][keep],
        monthly=col["monthly_contribution"][keep],
        annual=col["annual_contribution"][keep],
        topup_monthly=col["topup_monthly"][keep],
        topup_annual=col["topup_annual"][keep],
        sleeve_by_year=_sleeve_matrix(col["sleeve"][keep], years, s_member, s_year, s_sleeve),
        ad_hoc_member=a_member,
        ad_hoc_month=a_month,
        ad_hoc_fen=a_fen,
    )


def validate_book(
    terms: PensionTerms,
    members: pd.DataFrame,
    ad_hoc: pd.DataFrame | None = None,
    switches: pd.DataFrame | None = None,
    *,
    registry: TableRegistry = DEFAULT_REGISTRY,
) -> tuple[MemberArrays, list[Issue]]:
    """Valid members as :class:`MemberArrays`, and every issue found (sorted by member row)."""
    ad_hoc = (_empty(AD_HOC) if ad_hoc is None else ad_hoc).reset_index(drop=True)
    switches = (_empty(SWITCHES) if switches is None else switches).reset_index(drop=True)
    check_columns(members, REQUIRED, (*REQUIRED, *OPTIONAL), "members")
    check_columns(ad_hoc, AD_HOC, AD_HOC, "ad_hoc")
    check_columns(switches, SWITCHES, SWITCHES, "switches")
    members = members.reset_index(drop=True)
    chk = _Checks(len(members))
    col = _check_members(members, chk, terms, registry)
    years = np.where(chk.bad, np.nan, col["ret"] - col["age"])
    a_pos = _member_positions(ad_hoc, members["member_id"], chk, "ad_hoc")
    a_ok, a_month, a_fen = _check_ad_hoc(ad_hoc, a_pos, years, chk)
    s_pos = _member_positions(switches, members["member_id"], chk, "switches")
    s_ok, s_year, s_sleeve = _check_switches(switches, s_pos, years, chk)
    keep = np.flatnonzero(~chk.bad)
    remap = np.full(len(members), -1, dtype=np.int64)
    remap[keep] = np.arange(keep.size)
    a_ok &= remap[np.maximum(a_pos, 0)] >= 0
    s_ok &= remap[np.maximum(s_pos, 0)] >= 0
    side_a = (remap[a_pos[a_ok]], a_month[a_ok], a_fen[a_ok])
    side_s = (remap[s_pos[s_ok]], s_year[s_ok], s_sleeve[s_ok])
    arrays = _assemble(members, col, keep, side_a, side_s)
    return arrays, sorted(chk.issues, key=lambda i: (i.row is None, i.row or 0))
