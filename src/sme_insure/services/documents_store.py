"""Where uploaded claim documents live: a small storage interface, files on disk by default.

Files are content-addressed (the key is the SHA-256 of the bytes, fanned out into two folder
levels), written to a temporary name and renamed into place, so a crash never leaves a partial
file under a final name, and the same file uploaded twice is stored once. The database row that
points at a file is written after the file: a crash in between leaves an unreferenced file,
never a row without its file.

One file may serve rows of several claims (the same bytes uploaded twice), so it is deleted only
when no committed row refers to it, checked after the deleting transaction has committed and
under a lock on the content that the upload takes too (``lock_content``): an upload of the same
bytes either commits its row before the check (the file is kept) or stores the file again after
the deletion. Without it, on PostgreSQL, an upload in flight could reuse the file, and commit a
row pointing at it, just after an erasure had found it unused and just before it deleted it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from sme_insure.errors import NotFoundError
from sme_insure.services.context import Services
from sme_insure.storage.claims_schema import ClaimDocument
from sme_insure.storage.database import Database


class DocumentStore(Protocol):
    """Put bytes under their hash; get them back by key."""

    def put(self, data: bytes, sha256: str) -> str:
        """Store ``data`` (whose SHA-256 is ``sha256``) and return its key."""
        ...

    def get(self, key: str) -> bytes:
        """The bytes stored under ``key``."""
        ...

    def delete(self, key: str) -> None:
        """Remove what is stored under ``key`` (nothing if it is gone)."""
        ...


class DiskDocumentStore:
    """Files under ``root``: ``ab/cd/abcd…`` for a SHA-256 of ``abcd…``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
            raise NotFoundError("document", key)
        return self.root / key[:2] / key[2:4] / key

    def put(self, data: bytes, sha256: str) -> str:
        """Write once, atomically (temporary file, fsync, rename)."""
        path = self._path(sha256)
        if path.exists():
            return sha256
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha256

    def get(self, key: str) -> bytes:
        """The file's bytes."""
        path = self._path(key)
        if not path.exists():
            raise NotFoundError("document", key)
        return path.read_bytes()

    def delete(self, key: str) -> None:
        """Remove the file (an erasure request)."""
        self._path(key).unlink(missing_ok=True)


def documents_store(services: Services) -> DocumentStore:
    """The store set on ``services.documents``, else files under
    ``$SME_INSURE_DATA_DIR/documents`` (default ``var/documents``), created on first use."""
    store = getattr(services, "documents", None)
    if store is None:
        store = DiskDocumentStore(Path(os.environ.get("SME_INSURE_DATA_DIR", "var")) / "documents")
        services.documents = store  # type: ignore[attr-defined]
    return store


def _lock_id(sha256: str) -> int:
    """The advisory lock number of a content: 64 bits of a hash of it, in a namespace of its own
    (a collision only makes two unrelated uploads wait for each other)."""
    return int.from_bytes(hashlib.sha256(f"document|{sha256}".encode()).digest()[:8], "big", signed=True)


def lock_content(session: Session, sha256: str) -> None:
    """Hold the content ``sha256`` until the transaction ends: taken by an upload before it
    stores (or reuses) the file, and by the deletion around its check and unlink. PostgreSQL: a
    transaction-level advisory lock; SQLite: nothing, its single writer already serialises."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _lock_id(sha256)})


def delete_unreferenced(db: Database, store: DocumentStore, keys: Iterable[str]) -> list[str]:
    """Delete the files of ``keys`` (content hashes) that no committed row refers to; returns
    those deleted. Run after the transaction that let go of them has committed."""
    deleted = []
    with db.transaction() as session:
        for key in sorted(set(keys)):  # in one order: two deletions never deadlock
            lock_content(session, key)
            if session.scalar(select(ClaimDocument.id).where(ClaimDocument.storage_key == key).limit(1)) is None:
                store.delete(key)
                deleted.append(key)
    return deleted
