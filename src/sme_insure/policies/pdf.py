"""PDF copies of policy documents: the same HTML, laid out by WeasyPrint.

WeasyPrint is the maintained HTML/CSS-to-PDF library for Python; it needs the Pango libraries of
the operating system (Debian: ``libpango-1.0-0 libpangoft2-1.0-0``) and a CJK font (for example
``fonts-wqy-zenhei``) for the Chinese text. Without Pango, PDF output is reported unavailable
(the HTML document still works) instead of failing at import.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sme_insure.errors import UnavailableError

MEDIA_TYPE = "application/pdf"


@cache
def _html_class() -> Any:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: the Pango libraries are missing
        raise UnavailableError(
            "PDF output needs WeasyPrint and the Pango libraries (Debian: libpango-1.0-0 "
            f"libpangoft2-1.0-0); ask for format=html instead ({type(exc).__name__}: {exc})"
        ) from exc
    return HTML


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML document (inline styles, no external resources)."""
    return _html_class()(string=html).write_pdf()
