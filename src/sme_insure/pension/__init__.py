"""Commercial pension for flexible workers (专属商业养老保险): terms, projection, illustration.

A member's contributions (monthly, annual, ad hoc, plus employer or platform top-ups) go into an
account in a steady or aggressive sleeve; the account is projected monthly to retirement under
low/medium/high credited-rate scenarios (never below the sleeve's guarantee), net of an initial
charge and a management fee, and at retirement buys a monthly life annuity (CL5/CL6 annuity
tables) or an annuity certain of at least the minimum term.

Money is integer fen, rounded half up at six stated points: (1) input amounts, (2) the initial
charge, (3) monthly interest, (4) the monthly management fee (:mod:`.projection`), (5) the
monthly pension (:mod:`.payout`) and (6) the surrender charge (:mod:`.illustration`).

Pension contributions are not VAT-taxable: life insurance of more than one year is exempt from
VAT (财税〔2016〕36号); no amount here carries VAT.
"""

from sme_insure.pension.illustration import (
    VAT_NOTE,
    BookIllustration,
    Illustration,
    YearRow,
    illustrate,
    illustrate_book,
)
from sme_insure.pension.members import AdHocContribution, MemberPlan, SleeveSwitch, plans_to_frames
from sme_insure.pension.payout import annuity_factors, monthly_pension
from sme_insure.pension.projection import monthly_credit_rates, project_accounts
from sme_insure.pension.terms import (
    PayoutKind,
    PensionTerms,
    Scenario,
    Sleeve,
    load_terms,
    terms_from_mapping,
)
from sme_insure.pension.validation import MemberArrays, validate_book

__all__ = [
    "VAT_NOTE",
    "AdHocContribution",
    "BookIllustration",
    "Illustration",
    "MemberArrays",
    "MemberPlan",
    "PayoutKind",
    "PensionTerms",
    "Scenario",
    "Sleeve",
    "SleeveSwitch",
    "YearRow",
    "annuity_factors",
    "illustrate",
    "illustrate_book",
    "load_terms",
    "monthly_credit_rates",
    "monthly_pension",
    "plans_to_frames",
    "project_accounts",
    "terms_from_mapping",
    "validate_book",
]
