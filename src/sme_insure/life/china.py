"""China Life Insurance Mortality Tables CL1–CL6 (2010–2013), read offline from ``pymort``.

``pymort`` (2.x) ships the Society of Actuaries' mort.soa.org XML tables inside the package;
``pymort.MortXML.from_id(id)`` parses one without network access. The China tables are SOA
ids 3375–3380 (see ``data/tables.yaml``): one table each, ``Tables[0].Values`` a DataFrame
indexed by ``Age`` (0–105, step 1) with the single column ``vals`` = q_x, and q_105 = 1.
CL1/CL2 male/female non-annuity protection, CL3/CL4 non-annuity savings (endowment),
CL5/CL6 male/female annuity.
"""

from __future__ import annotations

import warnings
from importlib.metadata import version

import numpy as np

from sme_insure.errors import Issue, TableError
from sme_insure.life.tables import LifeTable, Sex, TableKind


def load_pymort_table(
    table_id: str, *, soa_id: int, sex: Sex, kind: TableKind, basis: str
) -> LifeTable:
    """Load one SOA table from pymort, checking its age axis has no gaps."""
    from pymort import MortXML

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # pymort uses set_index(inplace=True)
        xml = MortXML.from_id(soa_id)
    values = xml.Tables[0].Values["vals"]
    ages = np.asarray(values.index, dtype=np.int64)
    if ages.size == 0 or not np.array_equal(ages, np.arange(ages[0], ages[0] + ages.size)):
        issue = Issue("Age", ages.tolist()[:5], "ages must be consecutive", source=table_id)
        raise TableError([issue])
    meta = xml.ContentClassification
    source = (
        f"{meta.TableReference} ({meta.ProviderDomain}). SOA mort.soa.org table {soa_id}, "
        f"read offline from pymort {version('pymort')}"
    )
    return LifeTable.from_qx(
        values.to_numpy(dtype=np.float64),
        min_age=int(ages[0]),
        table_id=table_id,
        name=f"{meta.TableName} {sex.value}, {basis}",
        kind=kind,
        sex=sex,
        source=source,
        description=meta.TableDescription,
    )
