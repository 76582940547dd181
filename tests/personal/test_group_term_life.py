"""GROUP_TERM_LIFE@2026.1: the q_x table's provenance, a premium worked by hand, and monotonicity.

Provenance. ``rating_tables/gtl_qx/2026.1.csv`` is generated from the China Life Insurance
Mortality Tables 2010–2013 through :func:`sme_insure.life.get_table`: male = CL1, female = CL2
(non-annuity, protection; SOA ids 3375/3376 read offline from pymort), ages 18–70, value
q_x × 1000 (per mille) computed exactly in decimal from the published q_x. The test below
regenerates the CSV text and compares it with the shipped file byte for byte; to regenerate it
after a new pymort release, run ``python tests/personal/test_group_term_life.py --write``.

Worked premium. Male, 40, sum insured 300,000, five persons on the schedule:
  q_40 (CL1) = 0.001651 = 1.651 ‰           → 300,000 × 1.651 / 1000 = 495.30
  loadings: expense (100k ≤ SI < 500k) 0.25 + profit (1–9 persons) 0.15
                                             → 495.30 × (1 + 0.25 + 0.15) = 693.42 = 69,342 fen
  VAT 69,342 / 1.06 = 65,416.98 → net 65,417, VAT 3,925; commission 10 % = 6,541.7 → 6,542
Female, 40: q_40 (CL2) = 0.000692 → 207.60 × 1.40 = 290.64 = 29,064 fen.

Monotonicity. CL1 and CL2 q_x are strictly increasing at every age from 30 to 70 (checked
below), so with the loadings independent of age the premium rises with age for both sexes.
"""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sme_insure.life import get_table

ROOT = Path(__file__).resolve().parents[2]
QX_CSV = ROOT / "rating_tables" / "gtl_qx" / "2026.1.csv"
AS_OF = dt.date(2026, 3, 1)
CODE = "GROUP_TERM_LIFE"
SOURCES = {"male": "CL1", "female": "CL2"}
AGES = range(18, 71)


def qx_csv_text() -> str:
    """The gtl_qx CSV as generated from CL1/CL2: q_x × 1000 in exact decimal, one band per age."""
    lines = ["sex,age_from,age_to,qx"]
    for sex, table_id in SOURCES.items():
        table = get_table(table_id)
        for age in AGES:
            per_mille = Decimal(repr(float(table.q(age)))) * 1000
            lines.append(f"{sex},{age},{age + 1},{format(per_mille.normalize(), 'f')}")
    return "\n".join(lines) + "\n"


def test_shipped_qx_table_equals_cl1_cl2():
    assert QX_CSV.read_text(encoding="utf-8") == qx_csv_text()


def test_qx_table_metadata_names_its_source(catalogue):
    meta = catalogue.tables.in_force("gtl_qx", AS_OF).meta
    assert "China Life Insurance Mortality Tables 2010–2013, CL1/CL2, via pymort" in meta.source
    assert "SOA ids 3375/3376" in meta.source
    assert get_table("CL1").kind == "non-annuity" and get_table("CL2").kind == "non-annuity"


def test_golden_male_40(rater):
    risk = {"sex": "male", "age": 40, "sum_insured": 300000, "headcount": 5}
    result = rater.quote(CODE, risk, as_of=AS_OF, worksheet=True)
    ws = result.worksheet(0)
    death = ws[ws.coverage == "death"]
    assert death.tables.tolist() == [
        "gtl_qx@2026.1",
        "gtl_expense_loading@2026.1, gtl_profit_loading@2026.1",
    ]
    assert death.figure.tolist() == pytest.approx([1.651, 1.40])
    assert death.after.tolist() == pytest.approx([495.30, 693.42])
    row = result.premiums.iloc[0]
    assert (int(row["premium"]), int(row["vat"]), int(row["commission"])) == (69_342, 3_925, 6_542)


def test_golden_female_40(rater):
    risk = {"sex": "female", "age": 40, "sum_insured": 300000, "headcount": 5}
    assert int(rater.quote(CODE, risk, as_of=AS_OF).premiums.iloc[0]["premium"]) == 29_064


def test_cl_tables_increase_from_30_to_70():
    for table_id in SOURCES.values():
        q = get_table(table_id).q(np.arange(30, 71))
        assert (np.diff(q) > 0).all(), table_id


def test_age_limits(rater, catalogue):
    spec = catalogue.get(CODE, as_of=AS_OF).input("age")
    assert (spec.min, spec.max) == (18, 70)
    risks = [{"sex": "male", "age": a, "sum_insured": 100000, "headcount": 5} for a in (17, 71)]
    result = rater.rate(CODE, pd.DataFrame(risks), as_of=AS_OF)
    assert result.issues.field.tolist() == ["age", "age"]


@settings(max_examples=25, deadline=None)
@given(
    sex=st.sampled_from(["male", "female"]),
    sum_insured=st.integers(10_000, 1_000_000),
    headcount=st.integers(1, 5000),
)
def test_premium_rises_with_age_from_30_to_70(rater, sex, sum_insured, headcount):
    ages = np.arange(30, 71)
    book = pd.DataFrame(
        {"sex": sex, "age": ages, "sum_insured": sum_insured, "headcount": headcount}
    )
    premium = rater.rate(CODE, book, as_of=AS_OF).premiums["premium"].to_numpy()
    assert premium.size == ages.size
    assert (np.diff(premium) > 0).all()


if __name__ == "__main__":
    if "--write" in sys.argv:
        QX_CSV.write_text(qx_csv_text(), encoding="utf-8")
        print(f"wrote {QX_CSV}")
    else:
        print(qx_csv_text(), end="")
