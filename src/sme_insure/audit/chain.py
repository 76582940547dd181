"""A tamper-evident, append-only audit chain.

Each record carries ``hash = SHA-256(previous hash ‖ canonical JSON of the record's content)``.
Changing, inserting or deleting any record breaks every hash after it; :func:`verify` walks the
chain and names the first record that does not match.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical(content: dict[str, Any]) -> str:
    """Deterministic JSON of a record's content (sorted keys, no spaces)."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)


def link(previous: str, content: dict[str, Any]) -> str:
    """The hash of a record that follows ``previous``."""
    return hashlib.sha256((previous + canonical(content)).encode()).hexdigest()


@dataclass(frozen=True)
class Broken:
    """Where the chain breaks: the record's sequence number and why."""

    sequence: int
    reason: str


def verify(records: Iterable[tuple[int, str, str, dict[str, Any]]]) -> Broken | None:
    """Check ``(sequence, previous_hash, hash, content)`` records in order; ``None`` if intact."""
    expected_prev, expected_seq = GENESIS, 1
    for seq, prev, digest, content in records:
        if seq != expected_seq:
            return Broken(seq, f"sequence jumps from {expected_seq - 1} to {seq} (a record is missing)")
        if prev != expected_prev:
            return Broken(seq, "previous-hash does not match the record before it")
        if link(prev, content) != digest:
            return Broken(seq, "content does not match its hash (the record was changed)")
        expected_prev, expected_seq = digest, seq + 1
    return None
