"""Claim documents: which file types are accepted, and the checks an upload passes.

A file's type is read from its first bytes, not trusted from the name or the declared content
type: a PDF starts with ``%PDF-``, a JPEG with ``FF D8 FF``, a PNG with its 8-byte signature.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sme_insure.claims.rules import Uploads
from sme_insure.errors import InputError, Issue

SIGNATURES: dict[str, bytes] = {
    "application/pdf": b"%PDF-",
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
}


@dataclass(frozen=True)
class CheckedFile:
    """An accepted upload: its sniffed type, size and SHA-256."""

    content_type: str
    size: int
    sha256: str


def sniff(data: bytes) -> str | None:
    """The content type whose signature starts ``data``."""
    return next((kind for kind, magic in SIGNATURES.items() if data.startswith(magic)), None)


def check_upload(doc_type: str, data: bytes, *, allowed_docs: Sequence[str],
                 rules: Uploads) -> CheckedFile:
    """Refuse a document code this claim does not ask for, an empty or too large file, and a
    file whose bytes are not of an accepted type."""
    issues = []
    if doc_type not in allowed_docs:
        issues.append(Issue("doc_type", doc_type, f"not a document of this claim; asked: {list(allowed_docs)}"))
    if not data:
        issues.append(Issue("file", 0, "is empty"))
    elif len(data) > rules.max_bytes:
        issues.append(Issue("file", len(data), f"is larger than {rules.max_bytes} bytes"))
    kind = sniff(data)
    if data and kind not in rules.content_types:
        issues.append(Issue("file", kind or "unknown", f"file type not accepted; accepted: {rules.content_types}"))
    if issues:
        raise InputError(issues)
    return CheckedFile(kind or "", len(data), hashlib.sha256(data).hexdigest())
