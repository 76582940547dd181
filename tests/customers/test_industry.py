"""GB/T 4754-2017 codes to the size standard's industry groups."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from sme_insure.customers import (
    IndustryGroup,
    candidate_groups,
    industry_group_for,
    industry_groups_for,
)
from sme_insure.customers.industry import as_industry_group, sections
from sme_insure.errors import InputError

G = IndustryGroup


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("A", G.AGRICULTURE), ("01", G.AGRICULTURE),
        ("B", G.INDUSTRY), ("C", G.INDUSTRY), ("C1311", G.INDUSTRY), ("D", G.INDUSTRY),
        ("44", G.INDUSTRY), ("E", G.CONSTRUCTION), ("4710", G.CONSTRUCTION),
        ("51", G.WHOLESALE), ("F5110", G.WHOLESALE), ("52", G.RETAIL),
        ("53", G.TRANSPORT), ("58", G.TRANSPORT), ("59", G.WAREHOUSING), ("60", G.POSTAL),
        ("61", G.ACCOMMODATION), ("62", G.CATERING),
        ("63", G.INFORMATION_TRANSMISSION), ("64", G.INFORMATION_TRANSMISSION),
        ("65", G.SOFTWARE_IT), ("I6510", G.SOFTWARE_IT),
        ("7010", G.REAL_ESTATE_DEVELOPMENT), ("K7020", G.PROPERTY_MANAGEMENT),
        ("7030", G.OTHER), ("7040", G.OTHER),
        ("L", G.LEASING_BUSINESS_SERVICES), ("71", G.LEASING_BUSINESS_SERVICES),
        ("72", G.LEASING_BUSINESS_SERVICES),
        ("J", G.OTHER), ("66", G.OTHER), ("M", G.OTHER), ("O8011", G.OTHER), ("T", G.OTHER),
        (" c13 ", G.INDUSTRY),
    ],
)  # fmt: skip
def test_codes_map_to_groups(code: str, group: IndustryGroup) -> None:
    assert industry_group_for(code) is group


@pytest.mark.parametrize(
    ("code", "groups"),
    [
        ("F", {G.WHOLESALE, G.RETAIL}),
        ("G", {G.TRANSPORT, G.WAREHOUSING, G.POSTAL}),
        ("H", {G.ACCOMMODATION, G.CATERING}),
        ("I", {G.INFORMATION_TRANSMISSION, G.SOFTWARE_IT}),
        ("K", {G.REAL_ESTATE_DEVELOPMENT, G.PROPERTY_MANAGEMENT, G.OTHER}),
        ("70", {G.REAL_ESTATE_DEVELOPMENT, G.PROPERTY_MANAGEMENT, G.OTHER}),
    ],
)
def test_coarse_codes_are_refused_not_guessed(code: str, groups: set[IndustryGroup]) -> None:
    assert candidate_groups(code) == groups
    with pytest.raises(InputError, match="finer code"):
        industry_group_for(code)


@pytest.mark.parametrize("code", ["", "X", "U", "1", "98", "00", "C5", "A13", "C12345", "C-13"])
def test_invalid_codes_raise_input_error(code: str) -> None:
    with pytest.raises(InputError):
        industry_group_for(code)


def test_every_division_but_real_estate_resolves() -> None:
    for section in sections().values():
        for division in range(section.first_division, section.last_division + 1):
            code = f"{division:02d}"
            if code != "70":
                assert isinstance(industry_group_for(code), IndustryGroup)


def test_sections_cover_divisions_01_to_97_without_gaps() -> None:
    spans = sorted((s.first_division, s.last_division) for s in sections().values())
    assert spans[0][0] == 1 and spans[-1][1] == 97
    assert all(b[0] == a[1] + 1 for a, b in itertools.pairwise(spans))
    assert len(sections()) == 20


def test_vectorised_mapping_lists_every_bad_row() -> None:
    codes = pd.Series(["C13", "51", "51", "7010"], index=[4, 5, 6, 7])
    assert industry_groups_for(codes).tolist() == [
        "industry", "wholesale", "wholesale", "real_estate_development"
    ]  # fmt: skip
    with pytest.raises(InputError) as caught:
        industry_groups_for(pd.Series(["C13", None, "F", "Q", "F"]))
    assert [i.row for i in caught.value.issues] == [1, 2, 4]


def test_unknown_group_name_is_an_input_error() -> None:
    with pytest.raises(InputError, match="one of agriculture"):
        as_industry_group("fishing")
