"""Personal data at rest: encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from the
``cryptography`` package) and looked up by a keyed hash (HMAC-SHA256), so duplicate checks work
without decrypting and the database alone reveals nothing.

The key comes from ``SME_INSURE_DATA_KEY`` (a Fernet key, urlsafe base64 of 32 bytes). For the
demo server a key file is created beside the database on first start.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from sme_insure.errors import ConfigurationError

#: What an erased identifier is replaced by: this prefix and the tombstone (privacy erasure,
#: :mod:`sme_insure.services.privacy_requests`).
ERASED_ID_PREFIX = "erased:"


def is_erased_id(value: object) -> bool:
    """Whether an identifier as stored is an erasure's tombstone marker, no longer a person's."""
    return isinstance(value, str) and value.startswith(ERASED_ID_PREFIX)


class Vault:
    """Encrypts, decrypts and hashes personal identifiers with one secret key."""

    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except ValueError as exc:
            raise ConfigurationError("SME_INSURE_DATA_KEY is not a valid Fernet key") from exc
        self._mac_key = hashlib.sha256(b"sme-insure lookup|" + base64.urlsafe_b64decode(key)).digest()

    @classmethod
    def from_env(cls, fallback_file: Path | None = None) -> Vault:
        """The key from the environment, else from (or newly into) ``fallback_file``."""
        key = os.environ.get("SME_INSURE_DATA_KEY")
        if key:
            return cls(key.encode())
        if fallback_file is None:
            raise ConfigurationError("SME_INSURE_DATA_KEY is not set")
        if not fallback_file.exists():
            fallback_file.parent.mkdir(parents=True, exist_ok=True)
            fallback_file.write_bytes(Fernet.generate_key())
            fallback_file.chmod(0o600)
        return cls(fallback_file.read_bytes().strip())

    def encrypt(self, text: str) -> str:
        """Ciphertext (text) of ``text``."""
        return self._fernet.encrypt(text.encode()).decode()

    def decrypt(self, token: str) -> str:
        """Plain text of a ciphertext made with this key."""
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ConfigurationError("personal data cannot be decrypted with this key") from exc

    def lookup_hash(self, text: str) -> str:
        """Keyed hash for lookups and duplicate checks (normalised to upper case, no spaces)."""
        norm = "".join(text.split()).upper()
        return hmac.new(self._mac_key, norm.encode(), hashlib.sha256).hexdigest()
