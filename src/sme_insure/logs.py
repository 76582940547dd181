"""Logging of the service and of its job processes: every handler masks resident ID and mobile
numbers before it writes.

:func:`configure_logging` runs when the app is built (``app_factory``), after uvicorn has set up
its own loggers, and at the start of every background job's process (a fresh process whose
records would otherwise reach Python's last-resort handler unmasked). It puts a masking filter on
every handler of the root logger and of uvicorn's loggers (a filter on a handler also sees records
propagated from child loggers, such as SQLAlchemy's statement log). The level comes from
``SME_INSURE_LOG_LEVEL`` (default ``warning``); at ``debug`` SQLAlchemy's statements and their
parameters are logged too.

This module is the library's, so that a job's process configures logging without importing
the web framework.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TextIO

from sme_insure.customers.masking import PersonalDataFilter, mask_text

LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "sme_insure")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class MaskingFilter(PersonalDataFilter):
    """:class:`PersonalDataFilter`, except for uvicorn's access records, whose formatter needs
    the five arguments (client, method, path, version, status): those are masked in place."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask ``record`` in place and keep it."""
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            record.args = tuple(mask_text(a) if isinstance(a, str) else a for a in record.args)
            record.msg = mask_text(str(record.msg))
            return True
        return super().filter(record)


def _guard(handler: logging.Handler) -> None:
    if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
        handler.addFilter(MaskingFilter())


def configure_logging(level: str | None = None, stream: TextIO | None = None) -> logging.Handler | None:
    """Set the level of the service's loggers and mask personal data on every handler. When the
    root logger has no handler yet (or ``stream`` is given), one writing to ``stream`` (default
    stderr) is added and returned."""
    name = (level or os.environ.get("SME_INSURE_LOG_LEVEL") or "warning").upper()
    root = logging.getLogger()
    added = None
    if stream is not None or not root.handlers:
        added = logging.StreamHandler(stream or sys.stderr)
        added.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(added)
    root.setLevel(name)
    logging.getLogger("sme_insure").setLevel(name)
    if name == "DEBUG":
        logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # statements and parameters
    for logger_name in LOGGERS:
        for handler in logging.getLogger(logger_name).handlers:
            _guard(handler)
    return added
