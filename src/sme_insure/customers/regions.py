"""Province-level divisions: the first two digits of a GB/T 2260 administrative division code.

Both identifiers carry a 6-digit division code, so the province comes free with the number
(reference §1, "simplified materials"). Which codes may open which identifier is data
(``data/provinces.csv``): ``10`` (national level) opens USCCs of enterprises registered with the
central authority but no resident ID; ``81``/``82``/``83`` open the resident IDs on Hong Kong,
Macao and Taiwan residents' residence permits but no USCC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from sme_insure.customers._data import read_table
from sme_insure.errors import Issue, TableError


class CodeScheme(StrEnum):
    """The identifier a division code appears in."""

    RESIDENT_ID = "resident_id"
    USCC = "uscc"


@dataclass(frozen=True, slots=True)
class Province:
    """A province-level division: two-digit code and its names."""

    code: str
    name_zh: str
    name_en: str
    kind: str


@cache
def _provinces(scheme: CodeScheme) -> Mapping[str, Province]:
    table = read_table("provinces.csv")
    bad = table[~table[str(scheme)].isin(["0", "1"]) | ~table["code"].str.fullmatch(r"\d{2}")]
    if not bad.empty:
        issue = Issue(
            "code", bad["code"].tolist(), "two digits, with 0/1 flags", source="provinces"
        )
        raise TableError([issue])
    rows = table[table[str(scheme)] == "1"]
    return MappingProxyType(
        {
            r.code: Province(r.code, r.name_zh, r.name_en, r.kind)
            for r in rows.itertuples(index=False)
        }
    )


def provinces(scheme: CodeScheme) -> Mapping[str, Province]:
    """Province codes that may open an identifier of ``scheme``, keyed by two-digit code."""
    return _provinces(scheme)


def find_province(code: str, scheme: CodeScheme) -> Province | None:
    """The province for a two-digit code, or ``None`` when ``scheme`` does not know the code."""
    return _provinces(scheme).get(code)


@cache
def province_mask(scheme: CodeScheme) -> npt.NDArray[np.bool_]:
    """Boolean array of length 100: ``mask[int(code)]`` is true for a known province code."""
    mask = np.zeros(100, dtype=bool)
    mask[[int(code) for code in _provinces(scheme)]] = True
    mask.flags.writeable = False
    return mask
