"""Schedules of insured persons sealed at rest, the way customers' identifiers are: a group
risk's ``inputs["persons"]`` never reaches the database with a clear ID number or name.

A sealed person row keeps its place and its other fields (birth date, class, ...)::

    {"id_number": "110105********0011",   # masked (mask_id_number): readable, not identifying
     "name": "王*",                         # first character kept
     "occupational_class": 1,
     "id_number_enc": "gAAAA…",            # vault.encrypt of the JSON of the value given
     "id_number_hash": "3f2a…",            # vault.lookup_hash of the normalised ID: matching
     "name_enc": "gAAAA…"}                 # without decrypting (claims, privacy requests)

The ciphertexts hold the JSON of the values as given, so unsealing restores the row exactly
(same keys in the same order, same values, same types) and a stored risk re-rated with its
recorded versions gives the identical premium. A row with ``id_number_hash`` or ``name_enc``
is sealed; a row written before sealing existed has neither and is read as it is (clear) until
:func:`seal_stored_schedules` seals it. An erased row (privacy erasure) holds the tombstone as
its hash and no ciphertext. The quote worksheet's line per person shows the masked name too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select, update

from sme_insure.customers import mask_id_number
from sme_insure.customers.resident_id import normalise_resident_id
from sme_insure.privacy import Vault, is_erased_id
from sme_insure.storage.database import Database
from sme_insure.storage.schema import Policy, PremiumTransaction, Quote

PERSONS, ID, NAME = "persons", "id_number", "name"
ID_ENC, ID_HASH, NAME_ENC = "id_number_enc", "id_number_hash", "name_enc"
SEALED_KEYS = (ID_ENC, ID_HASH, NAME_ENC)
#: The worksheet line of one person (see ``services.pricing.price_schedule``).
PERSON_STEP = "person"


def _given(value: object) -> bool:
    return value is not None and value != ""


def _lock(vault: Vault, value: object) -> str:
    return vault.encrypt(json.dumps(value, ensure_ascii=False))


def _open(vault: Vault, token: str) -> Any:
    return json.loads(vault.decrypt(token))


def mask_name(name: str) -> str:
    """The first character and a star for each other one (``王五`` → ``王*``); idempotent."""
    return name[:1] + "*" * (len(name) - 1)


def id_hash(vault: Vault, id_number: str) -> str:
    """The keyed lookup hash of a resident ID, as claims and customers compute it."""
    return vault.lookup_hash(normalise_resident_id(id_number))


def is_sealed(row: Mapping[str, Any]) -> bool:
    """Whether a schedule row is already sealed (or erased)."""
    return ID_HASH in row or NAME_ENC in row


def is_erased(row: object) -> bool:
    """Whether a schedule row is one whose person was erased (its ID number the tombstone
    marker): it can be neither unsealed nor rated again."""
    return isinstance(row, Mapping) and is_erased_id(row.get(ID))


def _needs_sealing(row: object) -> bool:
    return (isinstance(row, Mapping) and not is_sealed(row)
            and (_given(row.get(ID)) or _given(row.get(NAME))))


def seal_person(vault: Vault, row: Mapping[str, Any]) -> dict[str, Any]:
    """One person's row as stored: ID and name masked, encrypted and (the ID) hashed."""
    out = dict(row)
    if is_sealed(row):
        return out
    if _given(row.get(ID)):
        out |= {ID: mask_id_number(str(row[ID])), ID_ENC: _lock(vault, row[ID]),
                ID_HASH: id_hash(vault, str(row[ID]))}
    if _given(row.get(NAME)):
        out |= {NAME: mask_name(str(row[NAME])), NAME_ENC: _lock(vault, row[NAME])}
    return out


def unseal_person(vault: Vault, row: Mapping[str, Any], *, reveal_ids: bool = True) -> dict[str, Any]:
    """One person's row in clear, without the sealed fields; with ``reveal_ids=False`` the ID
    stays masked (nothing to decrypt) and only the name is opened. A clear row is tolerated."""
    out = {k: v for k, v in row.items() if k not in SEALED_KEYS}
    if reveal_ids and ID_ENC in row:
        out[ID] = _open(vault, row[ID_ENC])
    elif not reveal_ids and not is_sealed(row) and _given(row.get(ID)):
        out[ID] = mask_id_number(str(row[ID]))
    if NAME_ENC in row:
        out[NAME] = _open(vault, row[NAME_ENC])
    return out


def seal_inputs(vault: Vault, inputs: dict[str, Any]) -> dict[str, Any]:
    """Inputs as stored: every person on the schedule sealed (sealed rows are kept as they are,
    so sealing twice changes nothing). Inputs without a schedule are returned unchanged."""
    persons = inputs.get(PERSONS)
    if not isinstance(persons, list):
        return inputs
    rows = [seal_person(vault, p) if isinstance(p, Mapping) else p for p in persons]
    return {**inputs, PERSONS: rows}


def unseal_inputs(vault: Vault, inputs: Mapping[str, Any], *, reveal_ids: bool = True) -> dict[str, Any]:
    """Stored inputs in clear, as they were given (for rating, documents, exports); see
    :func:`unseal_person` for ``reveal_ids``."""
    persons = inputs.get(PERSONS)
    if not isinstance(persons, list):
        return dict(inputs)
    rows = [unseal_person(vault, p, reveal_ids=reveal_ids) if isinstance(p, Mapping) else p
            for p in persons]
    return {**inputs, PERSONS: rows}


def needs_sealing(inputs: Mapping[str, Any]) -> bool:
    """Whether stored inputs still hold a person's ID or name in clear."""
    persons = inputs.get(PERSONS)
    return isinstance(persons, list) and any(_needs_sealing(p) for p in persons)


def person_key(vault: Vault, row: Mapping[str, Any]) -> str | None:
    """The lookup hash of a row's ID: stored on a sealed row, computed on a clear one."""
    if ID_HASH in row:
        return row[ID_HASH]
    return id_hash(vault, str(row[ID])) if _given(row.get(ID)) else None


@dataclass(frozen=True)
class SealedSubject:
    """The insured person of a claim, found on a schedule by lookup hash: only the matching
    row is decrypted (``claims.cover.ScheduleSubject``)."""

    vault: Vault
    lookup: str

    def matches(self, row: Mapping[str, Any]) -> bool:
        """Whether ``row`` is this person's."""
        return person_key(self.vault, row) == self.lookup

    def reveal(self, row: Mapping[str, Any]) -> Mapping[str, Any]:
        """The matching row in clear."""
        return unseal_person(self.vault, row)


def seal_worksheet(worksheet: list[Any]) -> list[Any]:
    """A quote worksheet with each person's line showing the masked name (idempotent)."""
    return [{**r, "description": mask_name(str(r.get("description") or ""))}
            if isinstance(r, Mapping) and r.get("kind") == PERSON_STEP else r for r in worksheet]


# ----- sealing a database written before sealing ---------------------------------------------

_TARGETS = (("quotes", Quote, "inputs"), ("policies", Policy, "inputs"),
            ("premium_transactions", PremiumTransaction, "inputs_after"))


def seal_stored_schedules(db: Database, vault: Vault, *, batch_size: int = 500) -> dict[str, int]:
    """Seal every schedule still held in clear (rows written before sealing) in quotes,
    policies and premium-transaction snapshots, and the names on quote worksheets. One
    transaction per batch: an interrupted run keeps what it sealed and a rerun finishes the
    rest; sealed rows are left alone, so running it again changes nothing. Returns the number
    of rows sealed per table (an Alembic migration cannot do this: it has no vault key)."""
    return {name: _seal_table(db, vault, model, column, batch_size) for name, model, column in _TARGETS}


def _seal_table(db: Database, vault: Vault, model: type[Quote | Policy | PremiumTransaction],
                column: str, batch_size: int) -> int:
    sealed, last = 0, 0
    while True:
        with db.transaction() as session:
            rows = session.execute(_batch(model, column, last, batch_size)).all()
            for row in rows:
                values = _sealed_values(vault, row, column)
                if values:
                    session.execute(update(model).where(model.id == row.id).values(values))
                    sealed += 1
        if len(rows) < batch_size:
            return sealed
        last = rows[-1].id


def _batch(model: type[Quote | Policy | PremiumTransaction], column: str, last: int,
           size: int) -> Select[Any]:
    columns = [model.id, getattr(model, column)] + ([Quote.worksheet] if model is Quote else [])
    return select(*columns).where(model.id > last).order_by(model.id).limit(size).with_for_update()


def _sealed_values(vault: Vault, row: Any, column: str) -> dict[str, Any]:
    """The new column values of one row, empty when it is sealed already."""
    values: dict[str, Any] = {}
    inputs = getattr(row, column)
    if isinstance(inputs, Mapping) and needs_sealing(inputs):
        values[column] = seal_inputs(vault, dict(inputs))
    worksheet = getattr(row, "worksheet", None)
    if isinstance(worksheet, list) and (masked := seal_worksheet(worksheet)) != worksheet:
        values["worksheet"] = masked
    return values
