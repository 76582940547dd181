"""Where uploaded claim documents live: a small storage interface, files on disk by default.

Files are content-addressed (the key is the SHA-256 of the bytes, fanned out into two folder
levels), written to a temporary name and renamed into place, so a crash never leaves a partial
file under a final name, and the same file uploaded twice is stored once. The database row that
points at a file is written after the file: a crash in between leaves an unreferenced file,
never a row without its file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

from sme_insure.errors import NotFoundError
from sme_insure.services.context import Services


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
