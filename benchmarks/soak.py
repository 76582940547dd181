"""Soak: mixed traffic on 127.0.0.1 for a bounded time, to show that nothing fails or leaks.

Starts ``sme-insure serve`` (SQLite in a fresh folder, or ``--database-url``) as a separate
process and drives it from a few threads with a mix of reads and writes: health, products,
customer registration, quotes, binds, policy reads and lists, endorsements, first notices of
loss, claim reads by a handler, and deliberately invalid requests. Every interval (a minute by
default) it prints throughput, counts by status class, p50/p99 latency and the server's
resident memory; at the end the memory at the start and the end.

    python benchmarks/soak.py --minutes 30            # a long run
    python benchmarks/soak.py --seconds 20 --json     # CI: brief, with a JSON summary last

Exit status 1 if any request got a 5xx or no answer at all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np

from sme_insure.customers import complete_uscc

MAX_MINUTES = 24 * 60
RISK = {"occupancy_class": "retail", "construction": "class_1", "province": "33",
        "sum_insured": 800_000, "fire_protection": "hydrants"}
ROLES = ("admin", "channel", "underwriter", "claims_handler", "actuary")


# ----- the server ------------------------------------------------------------------------------

def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _make_keys(url: str) -> dict[str, str]:
    """Keys of a fresh tenant, written before the server starts (no demo book to wait for)."""
    from sme_insure.services.keys import create_key
    from sme_insure.storage.database import Database

    db = Database(url)
    db.migrate()
    with db.transaction() as s:
        keys = {r: create_key(s, "soak", r, channel="web" if r == "channel" else None,
                              authority={"max_sum_insured_fen": 10**12, "max_loading": 1, "max_discount": 0.5}
                              if r == "underwriter" else None).text for r in ROLES}
    db.engine.dispose()
    return keys


def _drain(stream) -> None:
    """Keep reading the server's output so that it never blocks on a full pipe."""
    for _ in stream:
        pass


def start_server(workdir: Path, url: str, demo: bool, rate_limit: bool) -> tuple[subprocess.Popen, str, dict]:
    """The server process, its base URL and API keys by role."""
    port = _port()
    env = {**os.environ, "SME_INSURE_DATA_DIR": str(workdir), "SME_INSURE_DATABASE_URL": url}
    if not rate_limit:
        env["SME_INSURE_RATE_PER_SECOND"] = env["SME_INSURE_RATE_BURST"] = "1000000"
    keys = {} if demo else _make_keys(url)
    cmd = [sys.executable, "-m", "sme_insure.cli", "serve", "--port", str(port)] + ([] if demo else ["--no-demo"])
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:  # type: ignore[union-attr]
        parts = line.split()
        if len(parts) == 2 and parts[1].startswith("smei_"):
            keys[parts[0]] = parts[1]
        if line.startswith("serving on"):
            break
    threading.Thread(target=_drain, args=(proc.stdout,), daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{base}/v1/health", timeout=1).status_code == 200:
                return proc, base, keys
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the server did not start")


def rss_kib(pid: int) -> int:
    """Resident memory of the process and its descendants (Linux /proc), in KiB."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


# ----- the traffic -----------------------------------------------------------------------------

@dataclass
class Sample:
    at: float
    op: str
    status: int  # 0: no answer (connection error, timeout)
    seconds: float


@dataclass
class Worker:
    """One client thread with its own connection and the objects it created."""

    base: str
    keys: dict[str, str]
    seed: int
    samples: list[Sample] = field(default_factory=list)
    customers: list[int] = field(default_factory=list)
    quotes: list[int] = field(default_factory=list)
    policies: list[dict] = field(default_factory=list)
    claims: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.http = httpx.Client(base_url=self.base, timeout=30)

    def call(self, op: str, method: str, path: str, role: str = "channel", **kw) -> httpx.Response | None:
        started, t0 = time.monotonic(), time.perf_counter()
        try:
            r = self.http.request(method, path, headers={"X-API-Key": self.keys[role], **kw.pop("headers", {})}, **kw)
        except httpx.HTTPError:
            self.samples.append(Sample(started, op, 0, time.perf_counter() - t0))
            return None
        self.samples.append(Sample(started, op, r.status_code, time.perf_counter() - t0))
        return r

    def _ok(self, r: httpx.Response | None) -> dict | None:
        return r.json() if r is not None and r.status_code < 300 else None

    def register(self) -> None:
        uscc = complete_uscc(f"92330100{self.rng.randrange(10**7, 10**8)}")
        if c := self._ok(self.call("register", "POST", "/v1/customers", json={
                "kind": "individual_business", "identifier": uscc, "name": "soak", "phone": "13800000000"})):
            self.customers.append(c["id"])

    def quote(self) -> None:
        if not self.customers:
            return self.register()
        body = {"product": "SME_PROPERTY", "customer_id": self.rng.choice(self.customers),
                "start_date": dt.date.today().isoformat(),
                "inputs": {**RISK, "sum_insured": self.rng.randrange(200_000, 3_000_000, 1000)}}
        if (q := self._ok(self.call("quote", "POST", "/v1/quotes", json=body))) and q["status"] == "quoted":
            self.quotes.append(q["id"])  # referred ones (e.g. overlapping cover) are not bound
        return None

    def bind(self) -> None:
        if not self.quotes:
            return self.quote()
        quote = self.quotes.pop()
        key = f"soak-{self.seed}-{quote}"
        if p := self._ok(self.call("bind", "POST", f"/v1/quotes/{quote}/bind", json={},
                                   headers={"Idempotency-Key": key})):
            self.policies.append(p)
        return None

    def read_policy(self) -> None:
        if self.policies:
            self.call("read_policy", "GET", f"/v1/policies/{self.rng.choice(self.policies)['id']}")
        self.call("list_policies", "GET", "/v1/policies?limit=50", role="admin")

    def endorse(self) -> None:
        if not self.policies:
            return self.bind()
        p = self.rng.choice(self.policies)
        self.call("endorse", "POST", f"/v1/policies/{p['id']}/endorsements", json={
            "effective_date": dt.date.today().isoformat(), "reason": "soak",
            "changes": {"sum_insured": self.rng.randrange(200_000, 3_000_000, 1000)}})
        return None

    def claim(self) -> None:
        if not self.policies:
            return self.bind()
        p = self.rng.choice(self.policies)
        today = dt.date.today().isoformat()
        if c := self._ok(self.call("claim", "POST", "/v1/claims", json={
                "policy_number": p["number"], "loss_date": today, "place": "杭州", "peril": "fire",
                "estimated_fen": self.rng.randrange(100_000, 30_000_000), "description": "soak",
                "contact_name": "soak", "contact_phone": "13900000000"})):
            self.claims.append(c["id"])
        return None

    def read_claim(self) -> None:
        if self.claims:
            self.call("read_claim", "GET", f"/v1/claims/{self.rng.choice(self.claims)}", role="claims_handler")
        self.call("list_claims", "GET", "/v1/claims?limit=20", role="claims_handler")

    def invalid(self) -> None:
        self.call("invalid", "POST", "/v1/quotes", json={"product": "NOPE", "customer_id": 0})

    def light(self) -> None:
        self.call("health", "GET", "/v1/health")
        self.call("products", "GET", "/v1/products", role="actuary")

    def run(self, until: float) -> None:
        ops = [(self.light, 20), (self.register, 8), (self.quote, 20), (self.bind, 10), (self.read_policy, 15),
               (self.endorse, 8), (self.claim, 6), (self.read_claim, 8), (self.invalid, 5)]
        funcs, weights = zip(*ops, strict=True)
        while time.monotonic() < until:
            self.rng.choices(funcs, weights)[0]()
            if len(self.policies) > 200:  # keep the working set bounded
                del self.policies[:100]
        self.http.close()


# ----- the report ------------------------------------------------------------------------------

def _classes(samples: list[Sample]) -> Counter:
    return Counter("none" if s.status == 0 else f"{s.status // 100}xx" for s in samples)


def _p99(samples: list[Sample]) -> float:
    return round(float(np.percentile([s.seconds for s in samples], 99)) * 1000, 1) if samples else 0.0


def by_operation(samples: list[Sample]) -> dict[str, dict]:
    """Count, status classes and p99 of each kind of request."""
    ops = sorted({s.op for s in samples})
    return {op: {"count": len(mine), **_classes(mine), "p99_ms": _p99(mine)}
            for op in ops for mine in [[s for s in samples if s.op == op]]}


def report(samples: list[Sample], t0: float, seconds: float, interval: float, rss: list[int]) -> list[dict]:
    """One row per interval (by the time a request started): requests, req/s, status classes,
    p50/p99 ms, and the server's RSS at the end of the interval."""
    rows = []
    for i in range(max(1, int(np.ceil(seconds / interval - 1e-9)))):
        chunk = [s for s in samples if i * interval <= s.at - t0 < (i + 1) * interval]
        lat = np.array([s.seconds for s in chunk]) * 1000 if chunk else np.zeros(1)
        rows.append({"interval": i + 1, "requests": len(chunk), "per_second": round(len(chunk) / interval, 1),
                     **{k: _classes(chunk).get(k, 0) for k in ("2xx", "4xx", "5xx", "none")},
                     "p50_ms": round(float(np.percentile(lat, 50)), 1),
                     "p99_ms": round(float(np.percentile(lat, 99)), 1),
                     "rss_mib": round(rss[min(i + 1, len(rss) - 1)] / 1024, 1)})
    return rows


def _print(rows: list[dict], interval: float) -> None:
    print(f"{'interval':>8} {'requests':>9} {'req/s':>8} {'2xx':>7} {'4xx':>6} {'5xx':>5} {'none':>5} "
          f"{'p50 ms':>8} {'p99 ms':>8} {'RSS MiB':>8}   (intervals of {interval:g} s)")
    for r in rows:
        print(f"{r['interval']:>8} {r['requests']:>9} {r['per_second']:>8} {r['2xx']:>7} {r['4xx']:>6} "
              f"{r['5xx']:>5} {r['none']:>5} {r['p50_ms']:>8} {r['p99_ms']:>8} {r['rss_mib']:>8}")


def soak(seconds: float, interval: float, concurrency: int, url: str | None, demo: bool,
         rate_limit: bool) -> dict:
    """Run the soak; returns the summary."""
    with tempfile.TemporaryDirectory() as tmp:
        proc, base, keys = start_server(Path(tmp), url or f"sqlite:///{Path(tmp) / 'soak.db'}", demo, rate_limit)
        try:
            rss = [rss_kib(proc.pid)]
            t0 = time.monotonic()
            workers = [Worker(base, keys, seed) for seed in range(concurrency)]
            threads = [threading.Thread(target=w.run, args=(t0 + seconds,)) for w in workers]
            for t in threads:
                t.start()
            next_sample = t0 + interval
            while any(t.is_alive() for t in threads):
                time.sleep(0.2)
                if time.monotonic() >= next_sample:  # the server's memory at the end of each interval
                    rss.append(rss_kib(proc.pid))
                    next_sample += interval
            rss.append(rss_kib(proc.pid))
        finally:
            proc.terminate()
            proc.wait(20)
    samples = [s for w in workers for s in w.samples]
    rows = report(samples, t0, seconds, interval, rss)
    _print(rows, interval)
    total = _classes(samples)
    summary = {"seconds": seconds, "concurrency": concurrency, "requests": len(samples),
               "per_second": round(len(samples) / seconds, 1), "2xx": total.get("2xx", 0),
               "4xx": total.get("4xx", 0), "5xx": total.get("5xx", 0), "no_answer": total.get("none", 0),
               "by_operation": by_operation(samples),
               "rss_start_mib": round(rss[0] / 1024, 1), "rss_end_mib": round(rss[-1] / 1024, 1),
               "intervals": rows}
    print(f"total {summary['requests']} requests, {summary['per_second']} req/s; 5xx {summary['5xx']}, "
          f"no answer {summary['no_answer']}; server RSS {summary['rss_start_mib']} MiB at the start, "
          f"{summary['rss_end_mib']} MiB at the end")
    return summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=5, help=f"how long (at most {MAX_MINUTES})")
    ap.add_argument("--seconds", type=float, help="how long in seconds (overrides --minutes; for CI)")
    ap.add_argument("--interval", type=float, help="seconds per report line (default 60, or a quarter "
                                                   "of a run shorter than 4 minutes)")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--database-url", help="e.g. postgresql+psycopg://... (default: SQLite in a temp folder)")
    ap.add_argument("--demo", action="store_true", help="load the demo book first (slower start)")
    ap.add_argument("--rate-limit", action="store_true", help="keep the server's per-key rate limit")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON last")
    args = ap.parse_args()
    seconds = args.seconds if args.seconds is not None else args.minutes * 60
    if not 0 < seconds <= MAX_MINUTES * 60:
        ap.error(f"the run must last between 0 and {MAX_MINUTES} minutes")
    interval = args.interval or (60.0 if seconds >= 240 else seconds / 4)
    summary = soak(seconds, interval, args.concurrency, args.database_url, args.demo, args.rate_limit)
    if args.json:
        print(json.dumps(summary))
    sys.exit(1 if summary["5xx"] or summary["no_answer"] else 0)


if __name__ == "__main__":
    main()
