"""Masking of resident ID numbers and mobile numbers for display and logs.

JR/T 0171-2020 treats both as personal information to mask on display, and PIPL's minimum-necessary
rule means the raw values never go to a log (reference §1, "Personal information"). Conventional
masks: ``110105********002X`` (keep the first 6 and the last 4 characters) and ``138****1234``
(keep the first 3 and the last 4 digits).

:class:`PersonalDataFilter` masks, in every log record it sees:

* any run of 17 digits followed by a digit or ``X`` (full-width forms included) that is not part
  of a longer alphanumeric run (the shape of a resident ID, whether or not its check character
  holds: a mistyped ID is still personal data). An all-digit USCC has the same shape and is
  masked too; over-masking a company code is the accepted price;
* any 11-digit mainland mobile number ``1[3-9]x xxxx xxxx``, with an optional ``+86``/``86``
  prefix and optional single spaces or hyphens after the 3rd and 7th digits.
"""

from __future__ import annotations

import logging
import re

ID_KEEP_START = 6
ID_KEEP_END = 4
MOBILE_KEEP_START = 3
MOBILE_KEEP_END = 4
MOBILE_LENGTH = 11

_RESIDENT_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXxＸｘ])(?![0-9A-Za-z])")
_MOBILE_RE = re.compile(r"(?<![0-9])((?:\+?86[- ]?)?1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})(?![0-9])")


def mask_id_number(number: str) -> str:
    """Keep the first 6 and last 4 characters, star the rest: ``110105********002X``.

    A value of 10 characters or fewer is starred entirely, so that a short or truncated input
    never comes back in clear.
    """
    text = number.strip()
    hidden = len(text) - ID_KEEP_START - ID_KEEP_END
    if hidden <= 0:
        return "*" * len(text)
    return text[:ID_KEEP_START] + "*" * hidden + text[-ID_KEEP_END:]


def mask_mobile(number: str) -> str:
    """Keep the first 3 and last 4 digits of an 11-digit mobile number: ``138****1234``.

    Spaces and hyphens are dropped first. Anything that is not then 11 digits is starred entirely.
    """
    digits = re.sub(r"[\s-]", "", number)
    if len(digits) != MOBILE_LENGTH or not digits.isdigit():
        return "*" * len(digits)
    hidden = MOBILE_LENGTH - MOBILE_KEEP_START - MOBILE_KEEP_END
    return digits[:MOBILE_KEEP_START] + "*" * hidden + digits[-MOBILE_KEEP_END:]


def mask_text(text: str) -> str:
    """Mask every resident-ID-shaped and mobile-number-shaped run in free text."""
    masked = _RESIDENT_ID_RE.sub(lambda m: m.group(1) + "*" * 8 + m.group(2), text)
    return _MOBILE_RE.sub(lambda m: m.group(1) + "****" + m.group(2), masked)


class PersonalDataFilter(logging.Filter):
    """A logging filter that masks ID and mobile numbers in the message, its args and tracebacks.

    The record's message is formatted with its args first (so numbers passed as ``%s`` or ``%d``
    args, or inside an object's ``repr``, are caught) and the args are then cleared. The formatted
    exception and stack text are masked too. Records are never dropped.

    Attach it to **handlers** (``handler.addFilter(PersonalDataFilter())``): filters on a logger
    do not see records propagated from its child loggers.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask ``record`` in place and keep it."""
        record.msg = mask_text(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True
