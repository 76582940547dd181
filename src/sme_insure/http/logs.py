"""Logging of the server: the library's :mod:`sme_insure.logs` (the job processes configure
logging the same way, without importing the HTTP layer)."""

from __future__ import annotations

from sme_insure.logs import FORMAT, LOGGERS, MaskingFilter, configure_logging

__all__ = ["FORMAT", "LOGGERS", "MaskingFilter", "configure_logging"]
