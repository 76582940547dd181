"""The package data files of :mod:`sme_insure.customers`, described once and read once.

Every CSV under ``customers/data/`` is listed in :data:`MANIFEST` with its source, its units and
the exact columns it must have (the chainladder ``_manifest.py`` pattern). :func:`read_table`
refuses a file whose header differs from the manifest, so a renamed column fails loudly at load
instead of turning into a missing threshold later.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import pandas as pd

from sme_insure.errors import Issue, TableError


@dataclass(frozen=True, slots=True)
class DataFile:
    """One package data file: what it holds, where it comes from and its columns (with units)."""

    name: str
    description: str
    source: str
    columns: tuple[str, ...]
    illustrative: bool = False


MANIFEST: dict[str, DataFile] = {
    f.name: f
    for f in (
        DataFile(
            "provinces.csv",
            "Province-level division codes (first two digits of a GB/T 2260 code) with names; "
            "resident_id/uscc = 1 where the code may open that identifier. 10 = national level "
            "(USCC only); 83 = Taiwan residents' residence permits (resident IDs only).",
            "GB/T 2260; GB 11643-1999; residence-permit rules for HK/Macao/Taiwan residents",
            ("code", "name_zh", "name_en", "kind", "resident_id", "uscc"),
        ),
        DataFile(
            "size_thresholds.csv",
            "Enterprise size thresholds per industry group. employees in persons (人); revenue "
            "(营业收入) and assets (资产总额) in 万元 (CNY 10,000). Floors are inclusive (≥), the "
            "SME ceiling exclusive (<). A blank triple: the industry does not use the measure.",
            "《中小企业划型标准规定》工信部联企业〔2011〕300号",
            (
                "industry_group",
                "name_zh",
                "employees_medium_floor",
                "employees_small_floor",
                "employees_sme_ceiling",
                "revenue_medium_floor",
                "revenue_small_floor",
                "revenue_sme_ceiling",
                "assets_medium_floor",
                "assets_small_floor",
                "assets_sme_ceiling",
            ),
        ),
        DataFile(
            "gbt4754_sections.csv",
            "GB/T 4754-2017 sections (门类) A-T and the 2-digit divisions (大类) each holds.",
            "GB/T 4754-2017 国民经济行业分类",
            ("section", "first_division", "last_division", "name_zh", "name_en"),
        ),
        DataFile(
            "industry_groups.csv",
            "GB/T 4754-2017 code (section letter, 2-digit division or 4-digit class) → industry "
            "group of the size standard. The most specific code that matches wins.",
            "工信部联企业〔2011〕300号 art. 3, as mapped by the 统计上大中小微型企业划分办法",
            ("code", "industry_group"),
        ),
        DataFile(
            "revenue_per_employee_bounds.csv",
            "Plausible annual revenue per employee, in 万元 per person, per industry group; a "
            "declaration outside [low, high] is referred to an underwriter. Illustrative values.",
            "illustrative: underwriting judgement, not a published statistic",
            ("industry_group", "low", "high"),
            illustrative=True,
        ),
    )
}


@cache
def _read(name: str) -> pd.DataFrame:
    spec = MANIFEST[name]
    with (resources.files(__package__) / "data" / name).open("r", encoding="utf-8") as fh:
        frame = pd.read_csv(fh, dtype=str, keep_default_na=False)
    if tuple(frame.columns) != spec.columns:
        issue = Issue("columns", list(frame.columns), f"expected {list(spec.columns)}", source=name)
        raise TableError([issue])
    return frame


def read_table(name: str) -> pd.DataFrame:
    """Return a copy of the data file ``name`` as text columns (blank cells are ``""``).

    Raises :class:`~sme_insure.errors.TableError` for a name not in the manifest or a file whose
    header differs from it.
    """
    if name not in MANIFEST:
        raise TableError([Issue("name", name, f"not one of {sorted(MANIFEST)}")])
    return _read(name).copy()
