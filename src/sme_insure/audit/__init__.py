"""Audit trail: who did what, when and why, in a hash chain that shows any tampering."""

from sme_insure.audit.chain import GENESIS, Broken, canonical, link, verify

__all__ = ["GENESIS", "Broken", "canonical", "link", "verify"]
