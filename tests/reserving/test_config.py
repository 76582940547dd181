"""The reserving configuration: typed, closed (extra="forbid"), loadable from YAML."""

from __future__ import annotations

import pytest

from sme_insure.errors import ConfigurationError
from sme_insure.reserving import Line, MethodName, load_config, parse_config
from sme_insure.reserving.config import DEFAULT_BENCHMARKS

YAML = """
grain: quarterly
default: {method: mack, basis: incurred}
lines:
  public_liability:
    method: bornhuetter_ferguson
    apriori_loss_ratio: 0.55
    tail: {kind: exponential}
  cargo:
    method: chainladder
    development: {average: simple, n_periods: 5}
    bootstrap: {n_sims: 200, percentiles: [0.9]}
"""


def test_yaml_round_trip(tmp_path):
    path = tmp_path / "reserving.yaml"
    path.write_text(YAML, encoding="utf-8")
    config = load_config(path)
    assert config.grain == "quarterly"
    liability = config.for_line(Line.PUBLIC_LIABILITY)
    assert liability.method is MethodName.BORNHUETTER_FERGUSON
    assert liability.apriori_loss_ratio == 0.55
    assert config.for_line(Line.PROPERTY) == config.default
    assert config.for_line(Line.CARGO).bootstrap.percentiles == (0.9,)
    assert config.benchmarks == DEFAULT_BENCHMARKS


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"default": {"method": "mack", "colour": "red"}}, "default.colour"),
        ({"lines": {"motor": {}}}, "lines.motor"),
        ({"default": {"method": "bornhuetter_ferguson"}}, "default"),
        ({"default": {"method": "witchcraft"}}, "default.method"),
        ({"default": {"apriori_loss_ratio": -1}}, "default.apriori_loss_ratio"),
        ({"default": {"development": {"n_periods": 0}}}, "default.development"),
        ({"default": {"bootstrap": {"percentiles": [1.5]}}}, "default.bootstrap"),
    ],
)
def test_invalid_configuration_names_the_field(data, where):
    with pytest.raises(ConfigurationError) as error:
        parse_config(data)
    assert any(i.field.startswith(where) for i in error.value.issues), error.value.issues


def test_bad_yaml_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("default: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigurationError):
        load_config(path)
