"""API throughput on 127.0.0.1: quotes/s with latency percentiles, complete quote → bind → issue
flows/s, and a trivial endpoint of the same app for scale.

Starts ``sme-insure serve`` (SQLite, a fresh data folder) as a separate process, then drives a
fixed number of requests from another process with a few concurrent keep-alive connections.

    python benchmarks/bench_api.py [--quotes 2000] [--flows 300] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx

from sme_insure.customers import complete_uscc

RISK = {"occupancy_class": "industrial_3", "construction": "class_2", "province": "33",
        "sum_insured": 2_000_000, "fire_protection": "extinguishers_only", "deductible": 5000}


def start_server(port: int, workdir: Path, workers: int = 1) -> tuple[subprocess.Popen, dict[str, str]]:
    env = {**os.environ, "SME_INSURE_DATA_DIR": str(workdir)}
    proc = subprocess.Popen([sys.executable, "-m", "sme_insure.cli", "serve", "--port", str(port),
                             "--workers", str(workers)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    keys: dict[str, str] = {}
    for line in proc.stdout:  # type: ignore[union-attr]
        parts = line.split()
        if len(parts) == 2 and parts[1].startswith("smei_"):
            keys[parts[0]] = parts[1]
        if line.startswith("serving on"):
            break
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{base}/v1/health").status_code == 200:
                return proc, keys
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def _worker(args: tuple[str, str, str, int, int]) -> list[float]:
    base, key, kind, n, customer = args
    headers = {"X-API-Key": key}
    out = []
    with httpx.Client(base_url=base, headers=headers, timeout=30) as c:
        for i in range(n):
            t0 = time.perf_counter()
            if kind == "health":
                r = c.get("/v1/health")
            elif kind == "quote":
                r = c.post("/v1/quotes", json={"product": "SME_PROPERTY", "customer_id": customer,
                                               "start_date": "2027-06-01", "inputs": RISK})
            else:  # a complete flow: register, quote, bind (issue), fetch the schedule
                cust = c.post("/v1/customers", json=_customer(customer * 100_000 + i)).json()
                r = c.post("/v1/quotes", json={"product": "SME_PROPERTY", "customer_id": cust["id"],
                                               "start_date": "2027-06-01", "inputs": RISK})
                r = c.post(f"/v1/quotes/{r.json()['id']}/bind", json={},
                           headers={"Idempotency-Key": f"{os.getpid()}-{i}"})
                r = c.get(f"/v1/policies/{r.json()['id']}/document")
            r.raise_for_status()
            out.append(time.perf_counter() - t0)
    return out


def drive(pool, base, key, kind, total, concurrency, customers) -> tuple[float, list[float]]:
    per = total // concurrency
    t0 = time.perf_counter()
    results = list(pool.map(_worker, [(base, key, kind, per, customers[i % len(customers)])
                                      for i in range(concurrency)]))
    elapsed = time.perf_counter() - t0
    return per * concurrency / elapsed, [x for r in results for x in r]


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000


def _customer(i: int) -> dict[str, str]:
    """An individual business household with a valid USCC made from ``i``."""
    return {"kind": "individual_business", "name": f"bench {i}",
            "identifier": complete_uscc(f"92330100{i:08d}"[:16])}


def customers_for(base: str, key: str, n: int) -> list[int]:
    with httpx.Client(base_url=base, headers={"X-API-Key": key}) as c:
        return [c.post("/v1/customers", json=_customer(10**7 + i)).raise_for_status().json()["id"]
                for i in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quotes", type=int, default=2000)
    ap.add_argument("--flows", type=int, default=400)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--workers", type=int, default=1, help="server worker processes")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc, keys = start_server(args.port, Path(tmp), args.workers)
        base = f"http://127.0.0.1:{args.port}"
        try:
            customers = customers_for(base, keys["channel"], args.concurrency)
            with ProcessPoolExecutor(args.concurrency) as pool:
                drive(pool, base, keys["channel"], "quote", args.concurrency * 5, args.concurrency, customers)
                health_rps, _ = drive(pool, base, keys["channel"], "health", args.quotes,
                                      args.concurrency, customers)
                quote_rps, lat = drive(pool, base, keys["channel"], "quote", args.quotes,
                                       args.concurrency, customers)
                flow_rps, flat = drive(pool, base, keys["channel"], "flow", args.flows,
                                       args.concurrency, customers)
        finally:
            proc.terminate()
            proc.wait(10)
    print(json.dumps({"concurrency": args.concurrency, "workers": args.workers}))
    print(f"trivial endpoint (/v1/health)  {health_rps:8.0f} req/s")
    print(f"quotes                         {quote_rps:8.0f} quotes/s  p50 {pct(lat, 50):6.1f} ms  "
          f"p95 {pct(lat, 95):6.1f} ms  p99 {pct(lat, 99):6.1f} ms")
    print(f"quote → bind → issue flows     {flow_rps:8.0f} flows/s   p50 {pct(flat, 50):6.1f} ms  "
          f"p99 {pct(flat, 99):6.1f} ms")
    print(f"quotes / trivial               {quote_rps / health_rps:8.2f}")


if __name__ == "__main__":
    main()
