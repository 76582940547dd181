"""One member worked by hand: every monthly step is in the comments below, so a reader with a
calculator can check each figure. All money in fen (0.01 CNY), rounded half up at each step.

Terms (the dict TERMS): steady sleeve medium scenario 3 % a year (guarantee 2 %), initial charge
1 % of each contribution, management fee 0.6 % a year charged monthly at 0.05 % of the account,
surrender charge 3 % in policy year 1 and 2 % in year 2. Annuity: CL5 (male) at 2.5 %, UDD.

Member: male, age 58, retiring at 60 (two policy years), steady sleeve, life annuity.
Contributions: member 10,000 CNY + employer top-up 2,000 CNY, both annual, paid in month 1:
  C = 1,200,000 fen; charge = 1 % = 12,000; allocated 1,188,000.
Monthly credited rate j = 1.03^(1/12) − 1 = 0.00246626977...

Each month: A ← A + allocated; interest = round(A × j); A ← A + interest;
            fee = round(A × 0.0005); A ← A − fee.

#  yr  mo  opening    allocated  int    fee   closing    (A × j; A × 0.0005 before rounding)
#   1   1          0  1,188,000  2,930   595  1,190,335  (2929.9285; 595.4650)
#   1   2  1,190,335          0  2,936   597  1,192,674  (2935.6872; 596.6355)
#   1   3  1,192,674          0  2,941   598  1,195,017  (2941.4558; 597.8075)
#   1   4  1,195,017          0  2,947   599  1,197,365  (2947.2343; 598.9820)
#   1   5  1,197,365          0  2,953   600  1,199,718  (2953.0251; 600.1590)
#   1   6  1,199,718          0  2,959   601  1,202,076  (2958.8282; 601.3385)
#   1   7  1,202,076          0  2,965   603  1,204,438  (2964.6437; 602.5205)
#   1   8  1,204,438          0  2,970   604  1,206,804  (2970.4690; 603.7040)
#   1   9  1,206,804          0  2,976   605  1,209,175  (2976.3042; 604.8900)
#   1  10  1,209,175          0  2,982   606  1,211,551  (2982.1518; 606.0785)
#   1  11  1,211,551          0  2,988   607  1,213,932  (2988.0116; 607.2695)
#   1  12  1,213,932          0  2,994   608  1,216,318  (2993.8838; 608.4630)
#   2   1  1,216,318  1,188,000  5,930 1,205  2,409,043  (5929.6968; 1205.1240)
#   2   2  2,409,043          0  5,941 1,207  2,413,777  (5941.3499; 1207.4920)
#   2   3  2,413,777          0  5,953 1,210  2,418,520  (5953.0253; 1209.8650)
#   2   4  2,418,520          0  5,965 1,212  2,423,273  (5964.7228; 1212.2425)
#   2   5  2,423,273          0  5,976 1,215  2,428,034  (5976.4449; 1214.6245)
#   2   6  2,428,034          0  5,988 1,217  2,432,805  (5988.1869; 1217.0110)
#   2   7  2,432,805          0  6,000 1,219  2,437,586  (5999.9534; 1219.4025)
#   2   8  2,437,586          0  6,012 1,222  2,442,376  (6011.7447; 1221.7990)
#   2   9  2,442,376          0  6,024 1,224  2,447,176  (6023.5581; 1224.2000)
#   2  10  2,447,176          0  6,035 1,227  2,451,984  (6035.3962; 1226.6055)
#   2  11  2,451,984          0  6,047 1,229  2,456,802  (6047.2540; 1229.0155)
#   2  12  2,456,802          0  6,059 1,231  2,461,630  (6059.1365; 1231.4305)

Year-end accounts: 1,216,318 and 2,461,630 fen.
Surrender values: year 1: 1,216,318 − round(36,489.54) = 1,179,828;
                  year 2: 2,461,630 − round(49,232.60) = 2,412,397.
Pension: ä_60 on CL5 at 2.5 % = Σ v^k ₖp_60 = 18.787764; UDD α(12) = 1.0000505,
β(12) = 0.4624455, so ä^(12)_60 = 18.326267 (recomputed below from pymort's q_x by a loop);
monthly pension = round(2,461,630 / (12 × 18.326267)) = round(11,193.54) = 11,194 fen.
"""

from __future__ import annotations

import pytest

from sme_insure.pension import MemberPlan, illustrate, terms_from_mapping
from sme_insure.pension import reference as ref

TERMS = terms_from_mapping(
    {
        "sleeves": {
            "steady": {"guaranteed_rate": 0.02, "low": 0.02, "medium": 0.03, "high": 0.04},
            "aggressive": {"guaranteed_rate": 0.01, "low": 0.0, "medium": 0.05, "high": 0.08},
        },
        "fees": {"initial_charge": 0.01, "annual_management_fee": 0.006},
        "surrender_charges": {1: 0.03, 2: 0.02},
        "retirement": {"minimum_age": 60, "minimum_fixed_term_years": 10},
        "annuity": {"tables": {"male": "CL5", "female": "CL6"}, "interest_rate": 0.025},
    }
)
MEMBER = MemberPlan(
    "golden", "male", 58, 60, "steady", annual_contribution=10_000, topup_annual=2_000
)


def a60_monthly_by_hand() -> float:
    """ä^(12)_60 on CL5 at 2.5 %: loop over pymort's q_x, then UDD's α(12), β(12)."""
    from pymort import MortXML

    q = MortXML.from_id(3379).Tables[0].Values["vals"]
    i = 0.025
    v, d = 1 / (1 + i), i / (1 + i)
    annual, survival = 0.0, 1.0
    for k, age in enumerate(range(60, 106)):
        annual += v**k * survival
        survival *= 1 - q.loc[age]
    i12, d12 = 12 * ((1 + i) ** (1 / 12) - 1), 12 * (1 - (1 + i) ** (-1 / 12))
    return i * d / (i12 * d12) * annual - (i - i12) / (i12 * d12)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pymort's own pandas call
def test_hand_worked_member_to_the_fen():
    ill = illustrate(TERMS, MEMBER)
    assert [r.account["medium"] for r in ill.rows] == [1_216_318, 2_461_630]
    assert [r.surrender_value["medium"] for r in ill.rows] == [1_179_828, 2_412_397]
    assert [(r.contributions, r.top_ups) for r in ill.rows] == [(1_000_000, 200_000)] * 2
    assert ill.annuity_factor == pytest.approx(a60_monthly_by_hand(), rel=1e-12)
    assert ill.annuity_factor == pytest.approx(18.326267, abs=5e-7)
    assert ill.retirement_account["medium"] == 2_461_630
    assert ill.monthly_pension["medium"] == 11_194


def test_other_scenarios_follow_the_same_steps():
    ill = illustrate(TERMS, MEMBER)
    for scenario in ("low", "high"):
        accounts = ref.year_end_accounts(TERMS, MEMBER, scenario)
        assert [r.account[scenario] for r in ill.rows] == accounts
        assert ill.monthly_pension[scenario] == ref.monthly_pension(TERMS, MEMBER, scenario)
    assert ill.rows[-1].account["low"] < 2_461_630 < ill.rows[-1].account["high"]
