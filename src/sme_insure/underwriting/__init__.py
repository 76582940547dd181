"""Underwriting: declarative rules over the risk frame, decisions with reasons, and authority."""

from sme_insure.underwriting.authority import Authority
from sme_insure.underwriting.decision import (
    Reason,
    UnderwritingDecision,
    decide_rows,
    eligibility_reasons,
)

__all__ = ["Authority", "Reason", "UnderwritingDecision", "decide_rows", "eligibility_reasons"]
