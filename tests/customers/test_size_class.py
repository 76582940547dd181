"""Size classification against every row of the 2011 standard, at every boundary.

``STANDARD`` is typed in from the reference (§1) independently of the package CSV, so these tests
check the table and the rule together.
"""

from __future__ import annotations

import pytest

from sme_insure.customers import (
    AmountUnit,
    IndustryGroup,
    Measure,
    SizeClass,
    classify_size,
    size_standard,
    size_standards,
)
from sme_insure.customers.size_class import Level
from sme_insure.errors import InputError

E, R, A = Measure.EMPLOYEES, Measure.REVENUE, Measure.ASSETS
# measure: (medium floor, small floor, SME ceiling), in persons and 万元
STANDARD: dict[IndustryGroup, dict[Measure, tuple[float, float, float]]] = {
    IndustryGroup.AGRICULTURE: {R: (500, 50, 20_000)},
    IndustryGroup.INDUSTRY: {E: (300, 20, 1_000), R: (2_000, 300, 40_000)},
    IndustryGroup.CONSTRUCTION: {R: (6_000, 300, 80_000), A: (5_000, 300, 80_000)},
    IndustryGroup.WHOLESALE: {E: (20, 5, 200), R: (5_000, 1_000, 40_000)},
    IndustryGroup.RETAIL: {E: (50, 10, 300), R: (500, 100, 20_000)},
    IndustryGroup.TRANSPORT: {E: (300, 20, 1_000), R: (3_000, 200, 30_000)},
    IndustryGroup.WAREHOUSING: {E: (100, 20, 200), R: (1_000, 100, 30_000)},
    IndustryGroup.POSTAL: {E: (300, 20, 1_000), R: (2_000, 100, 30_000)},
    IndustryGroup.ACCOMMODATION: {E: (100, 10, 300), R: (2_000, 100, 10_000)},
    IndustryGroup.CATERING: {E: (100, 10, 300), R: (2_000, 100, 10_000)},
    IndustryGroup.INFORMATION_TRANSMISSION: {E: (100, 10, 2_000), R: (1_000, 100, 100_000)},
    IndustryGroup.SOFTWARE_IT: {E: (100, 10, 300), R: (1_000, 50, 10_000)},
    IndustryGroup.REAL_ESTATE_DEVELOPMENT: {R: (1_000, 100, 200_000), A: (5_000, 2_000, 10_000)},
    IndustryGroup.PROPERTY_MANAGEMENT: {E: (300, 100, 1_000), R: (1_000, 500, 5_000)},
    IndustryGroup.LEASING_BUSINESS_SERVICES: {E: (100, 10, 300), A: (8_000, 100, 120_000)},
    IndustryGroup.OTHER: {E: (100, 10, 300)},
}
LEVELS = {Level.MEDIUM_FLOOR: 0, Level.SMALL_FLOOR: 1, Level.SME_CEILING: 2}
AT = {Level.SMALL_FLOOR: SizeClass.SMALL, Level.MEDIUM_FLOOR: SizeClass.MEDIUM,
      Level.SME_CEILING: SizeClass.LARGE}  # fmt: skip
BELOW = {Level.SMALL_FLOOR: SizeClass.MICRO, Level.MEDIUM_FLOOR: SizeClass.SMALL,
         Level.SME_CEILING: SizeClass.MEDIUM}  # fmt: skip
STEP = {E: 1, R: 0.01, A: 0.01}  # one person, CNY 100
CNY = 10_000


def _figures(group: IndustryGroup, level: Level) -> dict[str, float]:
    return {str(m): t[LEVELS[level]] for m, t in STANDARD[group].items()}


def _classify(group: IndustryGroup, figures: dict[str, float], unit: AmountUnit) -> SizeClass:
    if unit is AmountUnit.CNY:
        figures = {k: v * CNY if k != E else v for k, v in figures.items()}
    return classify_size(group, unit=unit, **figures)  # type: ignore[arg-type]


CASES = [
    (group, measure, level)
    for group, measures in STANDARD.items()
    for measure in measures
    for level in LEVELS
]


def test_the_package_table_is_the_standard() -> None:
    assert set(size_standards()) == set(STANDARD)
    for group, measures in STANDARD.items():
        table = size_standard(group).thresholds
        assert set(table) == set(measures), group
        for measure, values in measures.items():
            assert tuple(table[measure][lv] for lv in LEVELS) == values, (group, measure)


@pytest.mark.parametrize("unit", list(AmountUnit))
@pytest.mark.parametrize(("group", "measure", "level"), CASES)
def test_at_each_threshold(group: IndustryGroup, measure: Measure, level: Level,
                           unit: AmountUnit) -> None:  # fmt: skip
    assert _classify(group, _figures(group, level), unit) is AT[level]


@pytest.mark.parametrize("unit", list(AmountUnit))
@pytest.mark.parametrize(("group", "measure", "level"), CASES)
def test_just_below_each_threshold_drops_one_class(
    group: IndustryGroup, measure: Measure, level: Level, unit: AmountUnit
) -> None:
    figures = _figures(group, level)
    figures[str(measure)] -= STEP[measure]
    assert _classify(group, figures, unit) is BELOW[level]


TWO_MEASURES = [(g, m) for g, ms in STANDARD.items() if len(ms) == 2 for m in ms]


@pytest.mark.parametrize(("group", "measure"), TWO_MEASURES)
def test_micro_when_either_test_is_below_the_small_floor(
    group: IndustryGroup, measure: Measure
) -> None:
    figures = _figures(group, Level.SME_CEILING)  # the other measure says large
    figures[str(measure)] = STANDARD[group][measure][1] - STEP[measure]
    assert _classify(group, figures, AmountUnit.WAN_CNY) is SizeClass.MICRO


@pytest.mark.parametrize(("group", "measure"), TWO_MEASURES)
def test_sme_while_either_measure_is_below_its_ceiling(
    group: IndustryGroup, measure: Measure
) -> None:
    figures = {str(m): t[2] * 10 for m, t in STANDARD[group].items()}
    figures[str(measure)] = STANDARD[group][measure][2] - STEP[measure]
    assert _classify(group, figures, AmountUnit.WAN_CNY) is SizeClass.MEDIUM


def test_zero_is_micro_everywhere() -> None:
    for group, measures in STANDARD.items():
        figures = dict.fromkeys(map(str, measures), 0)
        assert _classify(group, figures, AmountUnit.WAN_CNY) is SizeClass.MICRO


def test_unused_measures_are_ignored() -> None:
    size = classify_size(IndustryGroup.OTHER, unit=AmountUnit.CNY, employees=50, revenue=None)
    assert size is SizeClass.SMALL


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"employees": 50}, "revenue"),  # retail needs revenue
        ({"employees": -1, "revenue": 10}, "employees"),
        ({"employees": 5.5, "revenue": 10}, "employees"),
        ({"employees": 5, "revenue": float("nan")}, "revenue"),
        ({"employees": True, "revenue": 10}, "employees"),
    ],
)
def test_bad_or_missing_figures_raise(kwargs: dict[str, float], field: str) -> None:
    with pytest.raises(InputError) as caught:
        classify_size(IndustryGroup.RETAIL, unit=AmountUnit.WAN_CNY, **kwargs)  # type: ignore[arg-type]
    assert [i.field for i in caught.value.issues] == [field]


def test_unknown_industry_raises_input_error_not_key_error() -> None:
    with pytest.raises(InputError, match="one of agriculture"):
        classify_size("fishing", unit=AmountUnit.WAN_CNY, employees=3)  # type: ignore[arg-type]
