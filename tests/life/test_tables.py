"""Life tables: CL1–CL6 from pymort, laws, CSV input, the registry, and input errors."""

from __future__ import annotations

import numpy as np
import pytest

from sme_insure import life
from sme_insure.errors import ConfigurationError, InputError, NotFoundError, TableError
from sme_insure.life import Sex, TableId, TableKind, get_table


@pytest.mark.parametrize(
    ("table_id", "sex", "kind"),
    [
        ("CL1", Sex.MALE, TableKind.NON_ANNUITY),
        ("CL2", Sex.FEMALE, TableKind.NON_ANNUITY),
        ("CL3", Sex.MALE, TableKind.NON_ANNUITY),
        ("CL4", Sex.FEMALE, TableKind.NON_ANNUITY),
        ("CL5", Sex.MALE, TableKind.ANNUITY),
        ("CL6", Sex.FEMALE, TableKind.ANNUITY),
    ],
)
def test_china_tables_load_with_metadata(table_id, sex, kind):
    table = get_table(table_id)
    assert (table.min_age, table.max_age) == (0, 105)
    assert (table.sex, table.kind) == (sex, kind)
    assert "2010-2013" in table.name
    assert "pymort" in table.source
    assert table.qx[-1] == 1.0
    assert np.all(np.diff(table.qx[60:]) > 0), "q_x increases at old ages"


def test_china_tables_are_plausible():
    assert get_table("CL1").q(60) > get_table("CL2").q(60)
    assert get_table("CL5").q(60) > get_table("CL6").q(60)
    assert get_table("CL1").q(60) > get_table("CL5").q(60), "annuitants live longer"
    assert get_table("CL1").q(60) == pytest.approx(0.009161)
    e60 = life.complete_expectation(get_table("CL6"), 60)
    assert 25 < float(e60) < 35


def test_registry_covers_the_manifest_and_rejects_unknown_ids():
    registry = life.TableRegistry()
    assert set(life.registry.manifest()) == {t.value for t in TableId}
    assert registry.get("cl5") is get_table("CL5")
    with pytest.raises(NotFoundError, match="CL9"):
        registry.get("CL9")


def test_insurer_csv_table_registers_and_prices(tmp_path):
    male = [f"{a},{0.01 * (a - 59):.2f},m" for a in range(60, 100)] + ["100,1,m"]
    female = [f"{a},{q},f" for a, q in ((60, 0.5), (61, 1))]
    path = tmp_path / "own.csv"
    path.write_text("\n".join(["age,qx,sex", *female, *male]))
    table = life.read_table_csv(path, table_id="OWN-M", kind=TableKind.ANNUITY, sex=Sex.MALE)
    assert (table.min_age, table.max_age, table.sex) == (60, 100, Sex.MALE)
    assert str(path) in table.source
    registry = life.TableRegistry()
    registry.register(table)
    assert registry.get("OWN-M") is table
    assert float(life.whole_life_annuity_due(table, 100, interest=0.03)) == 1.0
    with pytest.raises(ConfigurationError, match="already taken"):
        registry.register(table)


def test_csv_errors_name_rows(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("age,qx\n60,0.1\n61,abc\n63,1.5\n")
    with pytest.raises(TableError) as info:
        life.read_table_csv(path, table_id="BAD", kind=TableKind.NON_ANNUITY)
    found = {(i.field, i.row) for i in info.value.issues}
    assert ("qx", 1) in found
    assert ("age", 2) in found


def test_unclosed_table_is_refused_unless_closed():
    with pytest.raises(TableError, match="close=True"):
        life.LifeTable.from_qx(
            [0.1, 0.2],
            min_age=0,
            table_id="T",
            name="t",
            kind=TableKind.STANDARD,
            sex=Sex.UNISEX,
            source="test",
        )
    closed = life.LifeTable.from_qx(
        [0.1, 0.2],
        min_age=0,
        table_id="T",
        name="t",
        kind=TableKind.STANDARD,
        sex=Sex.UNISEX,
        source="test",
        close=True,
    )
    assert closed.qx.tolist() == [0.1, 1.0]
    assert "closed" in closed.source


def test_gompertz_law_table():
    law = life.gompertz(0.0001, 1.1)
    table = life.table_from_law(law, min_age=20, max_age=110, table_id="G", name="g", source="t")
    assert float(life.survival_probability(table, 30, 10)) == pytest.approx(
        float(law.survival(30, 10))
    )
    with pytest.raises(ConfigurationError):
        life.MakehamLaw(0.0, -1.0, 1.1)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda t: life.whole_life_annuity_due(t, 121, interest=0.05), "age"),
        (lambda t: life.whole_life_annuity_due(t, [30, 10], interest=0.05), "age"),
        (lambda t: life.whole_life_annuity_due(t, 40.5, interest=0.05), "age"),
        (lambda t: life.temporary_annuity_due(t, 40, term=-1, interest=0.05), "term"),
        (lambda t: life.deferred_annuity_due(t, 40, deferral=-2, interest=0.05), "deferral"),
        (lambda t: life.term_assurance(t, 40, term=2.5, interest=0.05), "term"),
        (lambda t: life.whole_life_assurance(t, 40, interest=-1.5), "interest"),
        (lambda t: life.whole_life_annuity_due(t, 40, interest="five"), "interest"),
        (lambda t: life.survival_probability(t, 40, -0.5), "t"),
        (lambda t: life.whole_life_annuity_due(t, 40, interest=0.05, m=0), "m"),
    ],
)
def test_bad_arguments_raise_input_error_naming_the_field(call, field):
    with pytest.raises(InputError) as info:
        call(get_table("SULT"))
    assert info.value.issues[0].field == field


def test_age_error_states_the_allowed_range_and_position():
    with pytest.raises(InputError) as info:
        life.whole_life_annuity_due(get_table("SULT"), [30, 10], interest=0.05)
    issue = info.value.issues[0]
    assert (issue.row, issue.value) == (1, 10.0)
    assert "[20, 120]" in issue.reason
