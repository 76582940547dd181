"""Pension terms as validated data: the example file, a product section, and bad terms."""

from __future__ import annotations

import copy

import pytest
import yaml

from sme_insure.errors import ConfigurationError
from sme_insure.pension import MemberPlan, illustrate, load_terms, terms_from_mapping


def test_example_terms_load(terms):
    assert terms.retirement.minimum_age == 60
    assert terms.retirement.minimum_fixed_term_years == 10
    assert terms.annuity.tables["male"] == "CL5"
    assert terms.sleeves["aggressive"].credited("high") == 0.06
    assert terms.surrender_charge(1) == 0.03 and terms.surrender_charge(6) == 0.0


def test_terms_load_as_a_section_of_a_product_file(tmp_path, example_data):
    product = {"product": {"id": "flex-pension"}, "pension": example_data}
    path = tmp_path / "product.yaml"
    path.write_text(yaml.safe_dump(product, allow_unicode=True))
    assert load_terms(path, section="pension") == terms_from_mapping(example_data)
    with pytest.raises(ConfigurationError, match="not found"):
        load_terms(path, section="annuity")


def mutate(data: dict, path: tuple, value: object) -> dict:
    data = copy.deepcopy(data)
    node = data
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "fragment"),
    [
        (("fees", "initial_charge_pct"), 0.01, "(?i)extra"),
        (("sleeves", "aggressive"), KeyError, "missing"),
        (("sleeves", "steady", "low"), 0.09, "low ≤ medium ≤ high"),
        (("surrender_charges",), {1: 0.03, 3: 0.01}, "policy years"),
        (("fees", "initial_charge"), 1.5, "initial_charge"),
        (("annuity", "method"), "simpson", "method"),
    ],
)
def test_bad_terms_raise_configuration_error(example_data, path, value, fragment):
    with pytest.raises(ConfigurationError, match=fragment):
        terms_from_mapping(mutate(example_data, path, value))


def test_annuity_table_must_be_an_annuity_table(example_data):
    terms = terms_from_mapping(mutate(example_data, ("annuity", "tables", "male"), "CL1"))
    with pytest.raises(ConfigurationError, match="not an annuity"):
        illustrate(terms, MemberPlan("x", "male", 50, 60, "steady", monthly_contribution=100))
