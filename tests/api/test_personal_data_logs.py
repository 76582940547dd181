"""No resident ID or mobile number reaches a log: a full flow (customers with ID and phone
numbers, group schedules, quotes, binds, claims, bad requests) with the service's logging at
DEBUG (SQLAlchemy's statements and parameters included) is captured and searched; and the same
for a server process at DEBUG with uvicorn's access log, whose request lines carry numbers in
paths and query strings."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from cryptography.fernet import Fernet

from api_support import PROPERTY, new_customer, new_quote
from sme_insure.customers import complete_resident_id
from sme_insure.logs import LOGGERS, configure_logging
from sme_insure.services.keys import create_key
from sme_insure.storage.database import Database

RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
IDS = [complete_resident_id(f"4403051988{n:02d}0100{n}") for n in range(1, 4)]
PHONES = ["13712345678", "15987654321", "18600001111"]


def _leaks(text):
    return RESIDENT_ID.findall(text) + MOBILE.findall(text)


def _flow(http, keys):
    """Everything that carries an ID or a phone, through the API."""
    for ident, phone in zip(IDS, PHONES, strict=True):
        http.post("/v1/customers", json={"kind": "natural_person", "identifier": ident, "name": "张三",
                                         "phone": phone}, headers=keys["channel"])
    employer = http.post("/v1/customers", json={"kind": "enterprise", "identifier": "91350100M000100Y43",
                                                "name": "某公司", "phone": PHONES[0], "industry": "C13",
                                                "employees": 15, "revenue_cny": 2e6, "assets_cny": 1e6},
                         headers=keys["channel"]).json()
    group = http.post("/v1/quotes", headers=keys["channel"], json={
        "product": "GROUP_ACCIDENT", "customer_id": employer["id"], "start_date": "2027-03-10",
        "inputs": {"sum_insured": 400000, "cover_accident_medical": False},
        "persons": [{"id_number": i, "name": f"p{n}", "occupational_class": 1} for n, i in enumerate(IDS)]}).json()
    http.post(f"/v1/quotes/{group['id']}/bind", json={}, headers=keys["channel"])
    http.get(f"/v1/quotes/{group['id']}", headers=keys["admin"])
    http.get(f"/v1/customers/{employer['id']}", headers=keys["admin"])
    http.post("/v1/customers", json={"kind": "natural_person", "identifier": IDS[0][:-1] + "0",
                                     "name": "typo", "phone": "1234"}, headers=keys["channel"])  # 422 echoes input
    http.get(f"/v1/customers/{PHONES[1]}", headers=keys["admin"])
    http.get(f"/v1/policies?customer_id={IDS[1]}&note={PHONES[2]}", headers=keys["admin"])


def test_debug_log_of_a_full_flow_holds_no_id_or_phone(client, keys, clock, services):
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in (*LOGGERS, "sqlalchemy.engine")}
    buffer = io.StringIO()
    handler = configure_logging("DEBUG", stream=buffer)
    try:
        _flow(client, {"channel": keys.channel, "admin": keys.admin})
        customer = new_customer(client, keys.channel, phone=PHONES[1])
        quote = new_quote(client, keys.channel, customer["id"], PROPERTY)
        policy = client.post(f"/v1/quotes/{quote['id']}/bind", json={}, headers=keys.channel).json()
        clock["today"] = dt.date(2026, 6, 1)
        client.post("/v1/claims", headers=keys.channel, json={
            "insured_identifier": "91350100M000100Y43", "policy_number": policy["number"],
            "loss_date": "2026-05-25", "place": "杭州", "peril": "fire", "estimated_fen": 800_000,
            "description": f"call {PHONES[2]} or ID {IDS[2]}", "contact_name": "李四", "contact_phone": PHONES[0]})
        logging.getLogger("sme_insure.test").error("a careless message about %s and %s", IDS[0], PHONES[0])
    finally:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    log = buffer.getvalue()
    assert "INSERT INTO customers" in log and "INSERT INTO claims" in log  # statements and parameters
    assert "********" in log and "****" in log  # masked schedule IDs and phones went by
    assert _leaks(log) == []


def _port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_server_process_logs_at_debug_hold_no_id_or_phone(tmp_path):
    url = f"sqlite:///{tmp_path / 'logs.db'}"
    db = Database(url)
    db.migrate()
    with db.transaction() as s:
        keys = {role: {"X-API-Key": create_key(s, "logs", role, channel="web" if role == "channel" else None).text}
                for role in ("channel", "admin")}
    db.engine.dispose()
    port, log_path = _port(), tmp_path / "server.log"
    env = {**os.environ, "SME_INSURE_DATABASE_URL": url, "SME_INSURE_DATA_DIR": str(tmp_path),
           "SME_INSURE_DATA_KEY": Fernet.generate_key().decode(), "SME_INSURE_LOG_LEVEL": "debug"}
    with log_path.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "sme_insure.cli", "serve", "--no-demo", "--port", str(port)],
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            deadline = time.monotonic() + 90  # start-up takes seconds on a loaded machine
            while True:
                try:
                    http.get("/v1/health")
                    break
                except httpx.HTTPError:
                    assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()
                    time.sleep(0.1)
            _flow(http, keys)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(20)
    log = log_path.read_text(encoding="utf-8")
    assert '"POST /v1/customers HTTP/1.1" 201' in log  # uvicorn's access log is there
    assert "GET /v1/customers/159****4321" in log and "INSERT INTO customers" in log
    assert _leaks(log) == []
