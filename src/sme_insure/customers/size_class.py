"""Enterprise size class under 《中小企业划型标准规定》(工信部联企业〔2011〕300号).

The thresholds are data, one row per industry group in ``data/size_thresholds.csv`` (persons and
万元); this module only holds the rule that reads them. For the measures an industry uses (one or
two of employees, revenue, total assets):

* **large** when every measure is at or above its SME ceiling (the standard makes an enterprise
  an SME when *any* measure is below its ceiling: "从业人员1000人以下或营业收入40000万元以下");
* otherwise **medium** when every measure is at or above its medium floor (both tests);
* otherwise **small** when every measure is at or above its small floor (both tests);
* otherwise **micro**: either test below the small floor is enough.

Floors are inclusive ("及以上"), ceilings exclusive ("以下"). Amounts may be given in 万元 or in
CNY; the ``unit`` argument is required, never assumed. Only enterprises have a size class: see
:mod:`.entity` for individual business households, cooperatives and natural persons.

:func:`classify_size` (one enterprise) and :func:`classify_sizes` (a DataFrame) apply the same
ladder and agree row by row.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from sme_insure.customers._data import read_table
from sme_insure.customers.entity import SizeClass
from sme_insure.customers.industry import IndustryGroup, as_industry_group
from sme_insure.errors import InputError, Issue, TableError


class AmountUnit(StrEnum):
    """Unit of revenue and asset figures: 万元 (CNY 10,000, the standard's unit) or CNY."""

    WAN_CNY = "wan_cny"
    CNY = "cny"


CNY_PER_UNIT: Mapping[AmountUnit, int] = MappingProxyType(
    {AmountUnit.WAN_CNY: 10_000, AmountUnit.CNY: 1}
)


class Measure(StrEnum):
    """A size measure; the value is also the DataFrame column name :func:`classify_sizes` reads."""

    EMPLOYEES = "employees"
    REVENUE = "revenue"
    ASSETS = "assets"


class Level(StrEnum):
    """The three thresholds of a measure, suffixes of the CSV column names."""

    SME_CEILING = "sme_ceiling"
    MEDIUM_FLOOR = "medium_floor"
    SMALL_FLOOR = "small_floor"


MONETARY: frozenset[Measure] = frozenset({Measure.REVENUE, Measure.ASSETS})

# Tried top-down: the first level whose thresholds every used measure meets gives the class.
LADDER: tuple[tuple[Level, SizeClass], ...] = (
    (Level.SME_CEILING, SizeClass.LARGE),
    (Level.MEDIUM_FLOOR, SizeClass.MEDIUM),
    (Level.SMALL_FLOOR, SizeClass.SMALL),
)
FLOOR_CLASS = SizeClass.MICRO


@dataclass(frozen=True, slots=True)
class IndustryStandard:
    """One row of the size standard: thresholds per measure used, in persons and 万元."""

    group: IndustryGroup
    name_zh: str
    thresholds: Mapping[Measure, Mapping[Level, float]]

    def threshold(self, measure: Measure, level: Level, unit: AmountUnit) -> float:
        """A threshold in the unit of the figures (persons for employees)."""
        scale = CNY_PER_UNIT[AmountUnit.WAN_CNY] / CNY_PER_UNIT[unit] if measure in MONETARY else 1
        return self.thresholds[measure][level] * scale


def _row_thresholds(
    row: Mapping[str, str],
) -> tuple[dict[Measure, Mapping[Level, float]], list[str]]:
    """One CSV row as thresholds per measure used, and what is wrong with it."""
    thresholds: dict[Measure, Mapping[Level, float]] = {}
    problems = []
    for measure in Measure:
        cells = {level: row[f"{measure}_{level}"] for level in Level}
        if not any(cells.values()):
            continue
        if not all(cells.values()):
            problems.append(f"{measure}: fill all three thresholds or none")
            continue
        try:
            values = {level: float(text) for level, text in cells.items()}
        except ValueError:
            problems.append(f"{measure}: thresholds must be numbers")
            continue
        ordered = (
            values[Level.SMALL_FLOOR] <= values[Level.MEDIUM_FLOOR] <= values[Level.SME_CEILING]
        )
        if not ordered:
            problems.append(f"{measure}: need small floor <= medium floor <= SME ceiling")
        thresholds[measure] = MappingProxyType(values)
    if not thresholds:
        problems.append("no measure")
    return thresholds, problems


@cache
def size_standards() -> Mapping[IndustryGroup, IndustryStandard]:
    """The size standard, one :class:`IndustryStandard` per :class:`IndustryGroup`."""
    table = read_table("size_thresholds.csv")
    issues: list[Issue] = []
    standards: dict[IndustryGroup, IndustryStandard] = {}
    known = {g.value for g in IndustryGroup}
    for i, row in enumerate(table.to_dict("records")):
        thresholds, problems = _row_thresholds(row)
        issues += [Issue("industry_group", row["industry_group"], p, row=i) for p in problems]
        if row["industry_group"] in known:
            group = IndustryGroup(row["industry_group"])
            standards[group] = IndustryStandard(group, row["name_zh"], MappingProxyType(thresholds))
    missing = set(IndustryGroup) - set(standards)
    if missing or len(standards) != len(table):
        issues.append(Issue("industry_group", sorted(missing), "one row per IndustryGroup"))
    if issues:
        raise TableError(issues)
    return MappingProxyType(standards)


def size_standard(group: IndustryGroup) -> IndustryStandard:
    """The thresholds for one industry group (:class:`InputError` for an unknown group)."""
    return size_standards()[as_industry_group(group)]


def figure_issues(measure: Measure, value: float | None) -> list[Issue]:
    """Problems with one figure: missing, not a finite number, negative, fractional persons."""
    if value is None:
        return [Issue(measure, None, "required by the size standard for this industry")]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return [Issue(measure, value, "must be a finite number")]
    if value < 0:
        return [Issue(measure, value, "must not be negative")]
    if measure is Measure.EMPLOYEES and value != int(value):
        return [Issue(measure, value, "must be a whole number of persons")]
    return []


def classify_size(
    industry: IndustryGroup,
    *,
    unit: AmountUnit,
    employees: int | None = None,
    revenue: float | None = None,
    assets: float | None = None,
) -> SizeClass:
    """Size class of one enterprise (see the module docstring for the rule).

    ``employees`` in persons; ``revenue`` (营业收入) and ``assets`` (资产总额) in ``unit``. A
    measure the industry does not use is ignored; one it uses must be given, else
    :class:`InputError`. Not for individual business households (no size class).
    """
    standard = size_standard(industry)
    figures = {Measure.EMPLOYEES: employees, Measure.REVENUE: revenue, Measure.ASSETS: assets}
    issues = [i for m in standard.thresholds for i in figure_issues(m, figures[m])]
    if issues:
        raise InputError(issues, context=f"size class ({standard.group})")
    for level, size in LADDER:
        if all(figures[m] >= standard.threshold(m, level, unit) for m in standard.thresholds):
            return size
    return FLOOR_CLASS


@cache
def threshold_array(unit: AmountUnit) -> npt.NDArray[np.float64]:
    """Thresholds as ``[group, measure, level]`` in ``unit`` (NaN where a measure is unused).

    Axes follow the declaration order of :class:`IndustryGroup`, :class:`Measure`, :class:`Level`.
    """
    array = np.full((len(IndustryGroup), len(Measure), len(Level)), np.nan)
    for g, group in enumerate(IndustryGroup):
        standard = size_standard(group)
        for m, measure in enumerate(Measure):
            if measure in standard.thresholds:
                array[g, m] = [standard.threshold(measure, lv, unit) for lv in Level]
    array.flags.writeable = False
    return array
