"""Erasure deletes a document's file only once it has committed, and only if no committed row
holds the same content (the store is content-addressed: one file serves every claim that
uploaded the same bytes). A failed erasure leaves the files; an interrupted one is finished by
the next request. On PostgreSQL an upload of the same bytes on another claim, in flight while
the erasure runs, keeps its file whichever of the two holds the content first: both take a lock
on the content, and each test stops one side while it holds it. SQLite and PostgreSQL (the races: PostgreSQL,
SQLite's single writer runs them one after the other)."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import select, text

from api_support import new_customer, new_quote
from sme_insure.claims.rules import default_rules
from sme_insure.services.claims_documents import Upload, upload_document
from sme_insure.services.documents_store import DiskDocumentStore, _lock_id
from sme_insure.services.keys import authenticate
from sme_insure.services.privacy_requests import ERASED, erase_person
from sme_insure.storage.claims_schema import ClaimDocument
from sme_insure.storage.schema import Tenant

PERSON = "91350100M000100Y43"  # the default enterprise of api_support
OTHER = "91110000600037341L"


@pytest.fixture
def store(services, tmp_path, monkeypatch):
    base = default_rules()  # documents of closed claims kept one day
    monkeypatch.setattr(services, "claim_rules", base.model_copy(update={
        "retention": base.retention.model_copy(update={"closed_claim_documents_days": 1})}), raising=False)
    monkeypatch.setattr(services, "documents", DiskDocumentStore(tmp_path / "documents"), raising=False)
    return services.documents


@dataclass
class World:
    tenant: str
    actor: object
    mine: dict  # the person's claim, closed, with the file
    other: dict  # another customer's claim, open
    data: bytes

    @property
    def sha(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _world(client, keys, clock, services) -> World:
    """The person's claim (closed, its policy cancelled) holding a file; another customer's
    open claim on which the same bytes are about to be uploaded."""
    def policy(identifier):
        q = new_quote(client, keys.admin, new_customer(client, keys.admin, identifier=identifier)["id"])
        return client.post(f"/v1/quotes/{q['id']}/bind", json={}, headers=keys.admin).json()
    p1, p2 = policy(PERSON), policy(OTHER)
    clock["today"] = dt.date(2026, 6, 1)
    fnol = {"loss_date": "2026-05-25", "place": "杭州市西湖区文三路1号", "peril": "fire",
            "estimated_fen": 5_000_000, "description": "厨房起火", "contact_name": "李四"}
    mine, other = (client.post("/v1/claims", json={**fnol, "policy_number": p["number"]}, headers=keys.admin).json()
                   for p in (p1, p2))
    data = b"%PDF-1.4\n% loss report " + uuid.uuid4().hex.encode()
    up = client.post(f"/v1/claims/{mine['id']}/documents", data={"doc_type": "loss_report"},
                     files={"file": ("f.pdf", data, "application/pdf")}, headers=keys.admin)
    assert up.status_code == 201, up.text
    assert client.post(f"/v1/claims/{mine['id']}/refuse", json={"reason": "x"}, headers=keys.admin).status_code == 200
    cancel = {"effective_date": "2026-06-02", "reason": "sold"}
    assert client.post(f"/v1/policies/{p1['id']}/cancellations", json=cancel, headers=keys.admin).status_code == 201
    clock["today"] = dt.date(2026, 6, 10)
    with services.db.reading() as s:
        actor = authenticate(s, keys.admin["X-API-Key"])
        return World(s.get(Tenant, actor.tenant_id).code, actor, mine, other, data)


def _erase(services, world, then: Exception | None = None):
    """Erase the person; ``then`` raised before the transaction commits."""
    with services.db.transaction() as s:
        report = erase_person(s, services, tenant=world.tenant, identifier=PERSON, reason="PIPL 47")
        if then is not None:
            raise then
        return report


def _upload(services, world):
    with services.db.transaction() as s:
        upload_document(s, services, world.actor, world.other["id"], Upload("loss_report", "form.pdf", world.data))


def _keys(services, claim_id):
    with services.db.reading() as s:
        return [d.storage_key for d in s.scalars(select(ClaimDocument).where(ClaimDocument.claim_id == claim_id))]


def test_a_failed_erasure_leaves_the_files_and_a_shared_file_is_kept(client, keys, clock, services, store):
    world = _world(client, keys, clock, services)
    with pytest.raises(RuntimeError, match="fails"):
        _erase(services, world, then=RuntimeError("the erasure's transaction fails"))
    assert _keys(services, world.mine["id"]) == [world.sha] and store.get(world.sha) == world.data
    _upload(services, world)  # the same bytes on the other claim, committed
    assert _erase(services, world)["documents_erased"] == 1
    assert _keys(services, world.mine["id"]) == [ERASED] and _keys(services, world.other["id"]) == [world.sha]
    assert store.get(world.sha) == world.data


class FailingOnce(DiskDocumentStore):
    def delete(self, key: str) -> None:
        if not getattr(self, "failed", False):
            self.failed = True
            raise OSError("disk unavailable")
        super().delete(key)


def test_an_erasure_interrupted_after_its_commit_is_finished_by_the_next(client, keys, clock, services, store,
                                                                           monkeypatch):
    world = _world(client, keys, clock, services)
    monkeypatch.setattr(services, "documents", FailingOnce(store.root))
    with pytest.raises(OSError, match="disk unavailable"):
        _erase(services, world)
    assert _keys(services, world.mine["id"]) == [ERASED] and store.get(world.sha) == world.data  # committed
    assert _erase(services, world)["documents_erased"] == 0
    assert not store._path(world.sha).exists()


# ----- the race with an upload of the same bytes (PostgreSQL) ---------------------------------

def _postgres_only(services):
    if services.db.url.startswith("sqlite"):
        pytest.skip("SQLite's single writer runs an upload and an erasure one after the other")


def _waiting_on(services, sha: str) -> bool:
    """Whether a transaction waits for the lock on content ``sha`` (pg_locks splits an advisory
    bigint into two 32-bit halves)."""
    key = _lock_id(sha) & 0xFFFFFFFFFFFFFFFF
    with services.db.engine.connect() as conn:
        return bool(conn.scalar(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = :hi "
            "AND objid = :lo AND objsubid = 1 AND database = (SELECT oid FROM pg_database "
            "WHERE datname = current_database())"), {"hi": key >> 32, "lo": key & 0xFFFFFFFF}))


def _until(condition, seconds=30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _thread(target, errors: list) -> threading.Thread:
    def run():
        try:
            target()
        except BaseException as exc:  # reported by the test
            errors.append(exc)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


class HeldPut(DiskDocumentStore):
    """Stops in ``put``, the file stored, until ``proceed`` is set (``stored`` says it got there)."""

    def __init__(self, root, stored: threading.Event, proceed: threading.Event) -> None:
        super().__init__(root)
        self.stored, self.proceed = stored, proceed

    def put(self, data: bytes, sha256: str) -> str:
        key = super().put(data, sha256)
        self.stored.set()
        assert self.proceed.wait(30)
        return key


def test_an_upload_in_flight_keeps_its_file(client, keys, clock, services, store, monkeypatch):
    """The upload holds the content: it found the file stored and has not yet written its row.
    The erasure commits; its deletion waits for the upload, then sees its row and keeps the file
    (without the lock it would find no row and delete the file the upload then points at)."""
    _postgres_only(services)
    world = _world(client, keys, clock, services)
    stored, proceed, errors = threading.Event(), threading.Event(), []
    monkeypatch.setattr(services, "documents", HeldPut(store.root, stored, proceed))
    upload = _thread(lambda: _upload(services, world), errors)
    assert stored.wait(30)
    erase = _thread(lambda: _erase(services, world), errors)
    _until(lambda: not erase.is_alive() or _waiting_on(services, world.sha))
    proceed.set()
    upload.join(30), erase.join(30)
    assert not errors and not upload.is_alive() and not erase.is_alive()
    assert _keys(services, world.mine["id"]) == [ERASED] and _keys(services, world.other["id"]) == [world.sha]
    assert store.get(world.sha) == world.data


class HeldDelete(DiskDocumentStore):
    """Stops in ``delete`` until ``proceed`` is set (``deleting`` says it got there)."""

    def __init__(self, root, deleting: threading.Event, proceed: threading.Event) -> None:
        super().__init__(root)
        self.deleting, self.proceed = deleting, proceed

    def delete(self, key: str) -> None:
        self.deleting.set()
        assert self.proceed.wait(30)
        super().delete(key)


def test_an_upload_during_the_deletion_stores_the_file_again(client, keys, clock, services, store, monkeypatch):
    """The deletion holds the content, about to unlink; the upload waits for it, then writes the
    file again (without the lock it would reuse the file about to go)."""
    _postgres_only(services)
    world = _world(client, keys, clock, services)
    deleting, proceed, errors = threading.Event(), threading.Event(), []
    monkeypatch.setattr(services, "documents", HeldDelete(store.root, deleting, proceed))
    erase = _thread(lambda: _erase(services, world), errors)
    assert deleting.wait(30)
    upload = _thread(lambda: _upload(services, world), errors)
    _until(lambda: not upload.is_alive() or _waiting_on(services, world.sha))
    proceed.set()
    upload.join(30), erase.join(30)
    assert not errors and not upload.is_alive() and not erase.is_alive()
    assert _keys(services, world.other["id"]) == [world.sha] and store.get(world.sha) == world.data
