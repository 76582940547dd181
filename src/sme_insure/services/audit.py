"""Recording the audit trail: who (key and role), when, what and why, for every change to a
quote, policy, claim, referral decision, key or rate-table version, and every time a staff role
is shown personal data unmasked.

Each change calls :func:`record` once, inside its own unit of work, so the record commits or
rolls back with the change. Appends are serialised on the one ``audit_head`` row (``SELECT ...
FOR UPDATE`` on PostgreSQL; on SQLite every write transaction is already serialised by ``BEGIN
IMMEDIATE``). Call :func:`record` after the row locks a service takes, so the head is held only
until the commit and never waited for while holding it.

Records name objects by id and never hold personal data (no identifiers, names or phones in
``what``), so they are kept whole when a person's data is erased.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from sme_insure.audit import GENESIS, Broken, canonical, link, verify
from sme_insure.errors import StateError
from sme_insure.services.actor import Actor
from sme_insure.storage.audit_schema import HEAD_ID, AuditHead, AuditRecord
from sme_insure.storage.database import READ_ONLY, Database, after_read
from sme_insure.storage.schema import utcnow
from sme_insure.tables.table import RatingTable

SYSTEM = "system"  # the role recorded for the command line (keys, table imports, privacy requests)
READ_PERSONAL_DATA = "personal_data.read"


def _stamp(at: dt.datetime) -> str:
    """The time as hashed: UTC to the microsecond (SQLite hands it back without a zone)."""
    aware = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_HEAD = AuditHead.__table__  # statements built once: Core, not the ORM, on this hot path
_READ_HEAD = select(_HEAD.c.sequence, _HEAD.c.hash).where(_HEAD.c.id == HEAD_ID).with_for_update()
_MOVE_HEAD = update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(sequence=bindparam("to_sequence"),
                                                               hash=bindparam("to_hash"))
_APPEND = insert(AuditRecord.__table__)
HASHED = ("sequence", "at", "tenant_id", "key_id", "role", "action", "object_type", "object_id", "what", "why")


def content(row: AuditRecord | Mapping[str, Any]) -> dict[str, Any]:
    """What a record's hash covers: everything but the hashes themselves."""
    values = row if isinstance(row, Mapping) else {k: getattr(row, k) for k in HASHED}
    return {**{k: values[k] for k in HASHED}, "at": _stamp(values["at"])}


def record(session: Session, actor: Actor | None, action: str, object_type: str,
           object_id: int | str, what: dict[str, Any] | None = None, why: str | None = None, *,
           tenant_id: int | None = None) -> int:
    """Append one record to the chain in the caller's transaction and return its sequence.
    ``actor`` None is the command line (role ``system``; give ``tenant_id``). ``action`` reads
    ``object.verb`` (``policy.bind``); ``what`` is JSON of ids and amounts, ``why`` the reason."""
    sequence, previous = session.execute(_READ_HEAD).one()
    values = {"sequence": sequence + 1, "at": utcnow(), "tenant_id": actor.tenant_id if actor else tenant_id,
              "key_id": actor.key_id if actor else None, "role": str(actor.role) if actor else SYSTEM,
              "action": action, "object_type": object_type, "object_id": str(object_id),
              "what": json.loads(canonical(what or {})), "why": why}
    digest = link(previous, content(values))
    session.execute(_APPEND, {**values, "previous_hash": previous, "hash": digest})
    session.execute(_MOVE_HEAD, {"to_sequence": sequence + 1, "to_hash": digest})
    return sequence + 1


Shown = Mapping[int, Iterable[str]]  # object id → the personal fields shown unmasked


def record_read(session: Session | None, actor: Actor, object_type: str, shown: Shown) -> None:
    """Record that a staff role was shown personal fields of objects unmasked: one record per
    response (``object_id`` "page" for several objects). Read from a reading session, the record
    is written in a transaction of its own when that session closes (the chain stays serial and
    the read never holds a second connection)."""
    if not shown:
        return
    if session is None:
        raise StateError(f"{object_type} {list(shown)} is not attached to a session; the read "
                         "of personal data cannot be recorded")
    if len(shown) == 1:
        [(object_id, fields)] = shown.items()
        what: dict[str, Any] = {"fields": sorted(fields)}
    else:
        object_id, what = "page", {"objects": {str(k): sorted(v) for k, v in shown.items()}}
    if session.info.get(READ_ONLY):  # a reading session: recorded in a unit of work of its own,
        db: Database = session.info["database"]  # once the read has given its connection back

        def write() -> None:
            with db.transaction() as own:
                record(own, actor, READ_PERSONAL_DATA, object_type, object_id, what)

        after_read(session, write)
        return
    record(session, actor, READ_PERSONAL_DATA, object_type, object_id, what)


def record_system(db: Database, action: str, object_type: str, object_id: int | str,
                  what: dict[str, Any] | None = None, why: str | None = None) -> int:
    """A change made from the command line, in its own transaction; the operating-system user
    is kept in ``what``."""
    with db.transaction() as session:
        return record(session, None, action, object_type, object_id,
                      {**(what or {}), "operator": getpass.getuser()}, why)


def record_table_version(db: Database, table: RatingTable, written: Path, why: str | None) -> int:
    """A rate-table version written to the tables folder (``sme-insure tables import``)."""
    meta = table.meta
    csv = written.with_name(f"{meta.version}.csv")
    what = {"table": meta.table, "version": meta.version, "status": str(meta.status),
            "effective_from": meta.effective_from, "effective_to": meta.effective_to,
            "approved_by": meta.approved_by, "source": meta.source, "path": str(written),
            "csv_sha256": hashlib.sha256(csv.read_bytes()).hexdigest() if csv.exists() else None}
    return record_system(db, "rate_table.version_written", "rate_table",
                         f"{meta.table}@{meta.version}", what, why)


@dataclass(frozen=True)
class Verification:
    """The outcome of checking the chain: how many records, the head, the first break."""

    records: int
    head_sequence: int
    head_hash: str
    broken: Broken | None


def verify_chain(session: Session) -> Verification:
    """Walk every record in sequence order and compare the end of the chain with the head: a
    changed, missing, inserted or reordered record is named by the first sequence that breaks."""
    head = session.get_one(AuditHead, HEAD_ID)
    last = {"sequence": 0, "hash": GENESIS, "count": 0}

    def walk() -> Iterator[tuple[int, str, str, dict[str, Any]]]:
        for row in session.scalars(select(AuditRecord).order_by(AuditRecord.sequence)
                                   .execution_options(yield_per=1000)):
            last.update(sequence=row.sequence, hash=row.hash, count=last["count"] + 1)
            yield row.sequence, row.previous_hash, row.hash, content(row)

    broken = verify(walk())
    end = last["sequence"]
    if broken is None and (end, last["hash"]) != (head.sequence, head.hash):
        if end < head.sequence:
            broken = Broken(end + 1, f"the chain ends at {end} but the head says {head.sequence}: "
                                     "records at the end are missing")
        else:
            broken = Broken(head.sequence + 1, f"records after the head ({head.sequence}) were "
                                               "added outside the audit service")
    return Verification(int(last["count"]), head.sequence, head.hash, broken)
