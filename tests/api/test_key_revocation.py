"""API keys are remembered by a server for a short time only: a revoked key is refused once
that time has passed, on the API and on the staff pages; the command line lists and revokes."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from sme_insure.cli import app as cli_app
from sme_insure.errors import NotFoundError
from sme_insure.services.actor import Actor
from sme_insure.services.keys import ActorCache, create_key, revoke_key
from sme_insure.storage.audit_schema import AuditRecord
from sme_insure.storage.schema import ApiKey


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def short_memory(services):
    """The services remember keys for 30 s of a clock the test moves."""
    clock, saved = Clock(), services.actors
    services.actors = ActorCache(30, clock=clock)
    yield clock
    services.actors = saved


def _new_key(services, role="admin", **kw) -> str:
    with services.db.transaction() as s:
        return create_key(s, "revocation", role, **kw).text


def test_a_revoked_key_is_refused_once_the_memory_of_it_expires(client, services, short_memory):
    key = _new_key(services)
    headers = {"X-API-Key": key}
    assert client.get("/v1/policies", headers=headers).status_code == 200
    with services.db.transaction() as s:
        revoke_key(s, key.split("_")[1], "left the company")
    short_memory.now += 29  # still remembered: no database read on this request
    assert client.get("/v1/policies", headers=headers).status_code == 200
    short_memory.now += 1
    r = client.get("/v1/policies", headers=headers)
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")


def test_revoked_key_cannot_sign_in_to_staff_pages(client, services, short_memory):
    key = _new_key(services, "underwriter")
    client.post("/staff/login", data={"api_key": key}, headers={"Origin": "http://testserver"})
    try:
        assert "sign out" in client.get("/staff?lang=en").text.lower()
        with services.db.transaction() as s:
            revoke_key(s, key.split("_")[1], "rotated")
        assert "sign out" not in client.get("/staff?lang=en").text.lower()  # a session: at once
        assert client.post("/staff/login", data={"api_key": key},
                           headers={"Origin": "http://testserver"}).status_code == 401
    finally:
        client.cookies.clear()


def test_revocation_is_audited_once_and_unknown_prefixes_are_named(services):
    key = _new_key(services)
    prefix = key.split("_")[1]
    with services.db.transaction() as s:
        first = revoke_key(s, f"smei_{prefix}", "lost laptop")
        again = revoke_key(s, prefix, "twice")
        assert first.revoked_at is not None and again.revoked_at == first.revoked_at
        records = s.scalars(select(AuditRecord).where(AuditRecord.action == "key.revoke",
                                                      AuditRecord.object_id == str(first.id))).all()
        assert [r.why for r in records] == ["lost laptop"]
    with pytest.raises(NotFoundError, match="nokey"), services.db.transaction() as s:
        revoke_key(s, "nokey", "x")


def test_cache_forgets_after_ttl_and_stays_bounded():
    clock = Clock()
    cache = ActorCache(10, size=2, clock=clock)
    actor = Actor(1, 1, "admin", None, None)  # type: ignore[arg-type]
    cache.put("a", actor, cache.now())
    assert cache.get("a") is actor
    clock.now += 10
    assert cache.get("a") is None
    cache.put("b", actor, cache.now())
    cache.put("c", actor, cache.now())  # "a" has expired and is dropped to make room
    cache.put("d", actor, cache.now())  # full of live entries: the oldest ("b") makes room
    assert cache.get("b") is None and cache.get("c") is actor and cache.get("d") is actor
    slow = cache.now()  # a key checked at `slow`, remembered once a slow read has returned
    clock.now += 4
    cache.put("e", actor, slow)
    clock.now += 6
    assert cache.get("e") is None  # 10 s after the check, not after the put
    never = ActorCache(0)
    never.put("x", actor, never.now())
    assert never.get("x") is None and not never._entries


def test_keys_list_and_revoke_commands(database, monkeypatch, tmp_path):
    monkeypatch.setenv("SME_INSURE_DATABASE_URL", database.url)
    monkeypatch.setenv("SME_INSURE_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    made = runner.invoke(cli_app, ["keys", "create", "--tenant", "clikeys", "--role", "actuary",
                                   "--name", "studies"])
    assert made.exit_code == 0, made.output
    prefix = made.output.split("smei_")[1].split("_")[0]
    listed = runner.invoke(cli_app, ["keys", "list", "--tenant", "clikeys"])
    assert f"smei_{prefix}" in listed.output and "active" in listed.output
    assert "secret" not in listed.output and made.output.split()[-1] not in listed.output
    gone = runner.invoke(cli_app, ["keys", "revoke", prefix, "--why", "rotation"])
    assert gone.exit_code == 0, gone.output
    assert "revoked" in runner.invoke(cli_app, ["keys", "list", "--tenant", "clikeys"]).output
    unknown = runner.invoke(cli_app, ["keys", "revoke", "zzzz", "--why", "x"])
    assert unknown.exit_code != 0 and "zzzz" in unknown.output
    pasted = runner.invoke(cli_app, ["keys", "revoke", "smei_zzzz_TopSecretPart", "--why", "x"])
    assert pasted.exit_code != 0 and "zzzz" in pasted.output and "TopSecret" not in pasted.output
    with database.reading() as s:
        assert s.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).one().revoked_at is not None
