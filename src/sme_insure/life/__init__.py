"""Life contingencies: life tables, survival, annuities and assurances.

Tables come from the built-in registry (China Life Insurance Mortality Tables CL1–CL6 (2010–2013)
read offline from ``pymort``; the Standard Ultimate Life Table ``SULT``), from Gompertz/Makeham
laws, or from an insurer's CSV. Every present-value function is vectorised with numpy
broadcasting over ages, interest rates and terms, and states its formula in its docstring.

>>> from sme_insure.life import get_table, whole_life_annuity_due
>>> round(float(whole_life_annuity_due(get_table("SULT"), 65, interest=0.05)), 4)
13.5498
"""

from sme_insure.life.annuities import (
    MthlyMethod,
    annuity_certain_due,
    annuity_certain_immediate,
    deferred_annuity_due,
    deferred_annuity_immediate,
    mthly_alpha_beta,
    nominal_rates,
    temporary_annuity_due,
    temporary_annuity_immediate,
    whole_life_annuity_due,
    whole_life_annuity_immediate,
)
from sme_insure.life.assurances import (
    endowment_assurance,
    pure_endowment,
    term_assurance,
    whole_life_assurance,
)
from sme_insure.life.csv_tables import read_table_csv
from sme_insure.life.laws import MakehamLaw, gompertz, table_from_law
from sme_insure.life.registry import DEFAULT_REGISTRY, TableId, TableRegistry, get_table
from sme_insure.life.survival import (
    complete_expectation,
    curtate_expectation,
    death_probability,
    survival_probability,
)
from sme_insure.life.tables import LifeTable, Sex, TableKind

__all__ = [
    "DEFAULT_REGISTRY",
    "LifeTable",
    "MakehamLaw",
    "MthlyMethod",
    "Sex",
    "TableId",
    "TableKind",
    "TableRegistry",
    "annuity_certain_due",
    "annuity_certain_immediate",
    "complete_expectation",
    "curtate_expectation",
    "death_probability",
    "deferred_annuity_due",
    "deferred_annuity_immediate",
    "endowment_assurance",
    "get_table",
    "gompertz",
    "mthly_alpha_beta",
    "nominal_rates",
    "pure_endowment",
    "read_table_csv",
    "survival_probability",
    "table_from_law",
    "temporary_annuity_due",
    "temporary_annuity_immediate",
    "term_assurance",
    "whole_life_annuity_due",
    "whole_life_annuity_immediate",
    "whole_life_assurance",
]
