"""Claims API throughput on 127.0.0.1: first notices of loss per second and fast-track payments
per second (report, three document uploads, automatic assessment and payment), with latency
percentiles.

Starts ``sme-insure serve`` (SQLite, a fresh data folder) as a separate process, like
``bench_api.py``, and drives a fixed number of requests from a few concurrent keep-alive
connections. Each connection reports on its own policy (issued today, so the loss date is
today). The server reads a copy of the claims rules with two triage thresholds relaxed for the
run, ``early_loss_days: 0`` (every policy is new) and ``repeat_claims`` very high (each policy
has many claims), so that small claims are fast-tracked; everything else is the shipped rules.

    python benchmarks/bench_claims.py [--reports 2000] [--fast 400] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx
import yaml
from bench_api import RISK, _customer, pct, start_server

from sme_insure.claims.rules import default_rules

PDF = b"%PDF-1.4\n% bench claim document\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 2048
DOCS = {"loss_report": PDF, "photos": JPEG, "repair_invoice": PDF + b"invoice"}


def bench_rules(path: Path) -> None:
    """The shipped rules with the two thresholds the module docstring names relaxed."""
    rules = default_rules().model_dump()
    rules["triage"].update(early_loss_days=0, repeat_claims=10**9)
    path.write_text(yaml.safe_dump(rules), encoding="utf-8")


def new_policy(base: str, key: str, i: int) -> str:
    """A customer, a quote starting today and its policy; returns the policy number."""
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=30) as c:
        cust = c.post("/v1/customers", json=_customer(3 * 10**7 + i)).raise_for_status().json()
        quote = c.post("/v1/quotes", json={"product": "SME_PROPERTY", "customer_id": cust["id"],
                                           "start_date": dt.date.today().isoformat(), "inputs": RISK})
        bound = c.post(f"/v1/quotes/{quote.raise_for_status().json()['id']}/bind", json={})
        return bound.raise_for_status().json()["number"]


def _fnol(number: str, estimate: int, account: str) -> dict[str, object]:
    return {"policy_number": number, "loss_date": dt.date.today().isoformat(), "place": "bench",
            "peril": "fire", "estimated_fen": estimate, "description": "bench loss",
            "contact_name": "bench", "bank_account": account}


def _fast_track(c: httpx.Client, number: str, account: str) -> None:
    claim = c.post("/v1/claims", json=_fnol(number, 800_000, account)).raise_for_status().json()
    for code in claim["documents"]["outstanding"]:
        r = c.post(f"/v1/claims/{claim['id']}/documents", data={"doc_type": code},
                   files={"file": (f"{code}.bin", DOCS[code], "application/octet-stream")})
        last = r.raise_for_status().json()["claim"]
    if last["status"] != "closed" or last["balances"]["paid_fen"] != 300_000:
        raise RuntimeError(f"claim {last['number']} was not fast-tracked: {last['triage_reasons']}")


def _worker(args: tuple[str, str, str, int, str, int]) -> list[float]:
    base, key, kind, n, number, worker = args
    account = f"62220202{worker:011d}"
    out = []
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=30) as c:
        for _ in range(n):
            t0 = time.perf_counter()
            if kind == "report":
                c.post("/v1/claims", json=_fnol(number, 5_000_000, account)).raise_for_status()
            else:
                _fast_track(c, number, account)
            out.append(time.perf_counter() - t0)
    return out


def drive(pool, base, key, kind, total, policies) -> tuple[float, list[float]]:
    per = total // len(policies)
    t0 = time.perf_counter()
    results = list(pool.map(_worker, [(base, key, kind, per, number, i)
                                      for i, number in enumerate(policies)]))
    elapsed = time.perf_counter() - t0
    return per * len(policies) / elapsed, [x for r in results for x in r]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=2000)
    ap.add_argument("--fast", type=int, default=400)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--port", type=int, default=8766)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench_rules(Path(tmp) / "claim-rules.yaml")
        os.environ["SME_INSURE_CLAIM_RULES"] = str(Path(tmp) / "claim-rules.yaml")
        proc, keys = start_server(args.port, Path(tmp))
        base = f"http://127.0.0.1:{args.port}"
        try:
            policies = [new_policy(base, keys["channel"], i) for i in range(args.concurrency)]
            with ProcessPoolExecutor(args.concurrency) as pool:
                drive(pool, base, keys["channel"], "report", args.concurrency * 5, policies)
                report_rps, lat = drive(pool, base, keys["channel"], "report", args.reports, policies)
                fast_rps, flat = drive(pool, base, keys["channel"], "fast", args.fast, policies)
        finally:
            proc.terminate()
            proc.wait(10)
    print(json.dumps({"concurrency": args.concurrency}))
    print(f"claim reports (FNOL)              {report_rps:8.0f} reports/s   p50 {pct(lat, 50):6.1f} ms  "
          f"p95 {pct(lat, 95):6.1f} ms  p99 {pct(lat, 99):6.1f} ms")
    print(f"fast-track payments (4 requests)  {fast_rps:8.0f} payments/s  p50 {pct(flat, 50):6.1f} ms  "
          f"p95 {pct(flat, 95):6.1f} ms  p99 {pct(flat, 99):6.1f} ms")


if __name__ == "__main__":
    main()
