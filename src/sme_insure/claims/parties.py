"""The people and accounts named on a claim: bank accounts checked and masked."""

from __future__ import annotations

import re

from sme_insure.errors import InputError, Issue

_ACCOUNT = re.compile(r"^\d{12,30}$")
ACCOUNT_KEEP_END = 4


def normalise_account(text: str) -> str:
    """A bank account number without spaces or hyphens: 12 to 30 digits (Chinese bank cards
    and corporate accounts)."""
    digits = re.sub(r"[\s-]", "", text)
    if not _ACCOUNT.match(digits):
        raise InputError([Issue("bank_account", "*" * len(digits), "must be 12 to 30 digits")])
    return digits


def mask_account(number: str) -> str:
    """Keep the last four digits: ``************1234``."""
    return "*" * (len(number) - ACCOUNT_KEEP_END) + number[-ACCOUNT_KEEP_END:]
