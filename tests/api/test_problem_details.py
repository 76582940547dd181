"""How domain errors reach a client: one place maps them (sme_insure.http.problems)."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.testclient import TestClient

from sme_insure.errors import ConfigurationError
from sme_insure.http import problems


def test_a_configuration_error_is_logged_for_its_owner_and_not_shown_to_the_caller(caplog):
    """A product whose tables cannot answer is the insurer's fault: the caller gets a 500
    naming no table or value; the log names them, for whoever maintains the product."""
    app = FastAPI()
    problems.install(app)

    @app.get("/v1/boom")
    def boom() -> None:
        raise ConfigurationError("limit table plan_limits@2026.1 has no row for {'plan': 'z'}")

    with caplog.at_level(logging.ERROR, logger="sme_insure.http"):
        r = TestClient(app).get("/v1/boom")
    assert r.status_code == 500 and r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["type"].endswith("/configuration") and "it was logged" in body["detail"]
    assert "plan_limits" not in r.text
    assert any("plan_limits@2026.1" in m and "/v1/boom" in m for m in caplog.messages)
