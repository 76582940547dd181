"""Shared strategies for customer tests: valid identifiers built with the check helpers."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from sme_insure.customers import CodeScheme, complete_resident_id, complete_uscc, provinces
from sme_insure.customers.uscc import USCC_ALPHABET

AS_OF = date(2025, 6, 30)
EARLIEST = date(1800, 1, 1)


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    """A valid resident ID: known province, real birth date up to AS_OF, correct check char."""
    province = draw(st.sampled_from(sorted(provinces(CodeScheme.RESIDENT_ID))))
    county = draw(st.integers(0, 9999))
    born = draw(st.dates(min_value=EARLIEST, max_value=AS_OF))
    sequence = draw(st.integers(0, 999))
    return complete_resident_id(f"{province}{county:04d}{born:%Y%m%d}{sequence:03d}")


@st.composite
def usccs(draw: st.DrawFn) -> str:
    """A USCC passing both checks, with a known province in the division code."""
    head = draw(st.text(USCC_ALPHABET, min_size=2, max_size=2))
    province = draw(st.sampled_from(sorted(provinces(CodeScheme.USCC))))
    county = draw(st.integers(0, 9999))
    body = draw(st.text(USCC_ALPHABET, min_size=8, max_size=8))
    return complete_uscc(f"{head}{province}{county:04d}{body}")


def day_after(d: date) -> date:
    """The next calendar day."""
    return d + timedelta(days=1)
