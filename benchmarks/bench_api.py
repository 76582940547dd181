"""API throughput on 127.0.0.1: quotes/s with latency percentiles, complete quote → bind → issue
flows/s, and a trivial endpoint of the same app for scale.

Starts ``sme-insure serve`` (SQLite, a fresh data folder) as a separate process, then drives a
fixed number of requests from other processes (``--clients``, asyncio) over a few concurrent
keep-alive connections (``--concurrency``). Like ApacheBench, the connections share the fixed number of requests: each
sends its next one until all have been started, so a connection on a lightly loaded server worker
does more of them. How the connections were spread over the server's workers is printed: each
worker listens on a socket of its own and the kernel spreads connections by address hash, so
8 connections split 4/4 or 5/3 most often, and 7/1 or 8/0 in about one run in 14. The server's
per-key rate limit is lifted for the run.

    python benchmarks/bench_api.py [--workers 2] [--quotes 2000] [--flows 400] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx

from sme_insure.customers import complete_uscc

RISK = {"occupancy_class": "industrial_3", "construction": "class_2", "province": "33",
        "sum_insured": 2_000_000, "fire_protection": "extinguishers_only", "deductible": 5000}


def start_server(port: int, workdir: Path, workers: int = 1) -> tuple[subprocess.Popen, dict[str, str]]:
    # The per-key rate limit (200/s by default) would measure the limiter, not the service.
    env = {**os.environ, "SME_INSURE_DATA_DIR": str(workdir), "SME_INSURE_RATE_PER_SECOND": "1e6",
           "SME_INSURE_RATE_BURST": "1e6"}
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
                _wait_until_idle(proc.pid)
                return proc, keys
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def _tree_cpu_seconds(root: int) -> float:
    """CPU seconds used so far by ``root`` and its descendants (Linux /proc; 0 elsewhere)."""
    parents, used = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid], used[pid] = int(fields[1]), int(fields[11]) + int(fields[12])
    tree, grew = {root}, True
    while grew:
        more = {p for p, parent in parents.items() if parent in tree} - tree
        tree, grew = tree | more, bool(more)
    return sum(used.get(p, 0) for p in tree) / os.sysconf("SC_CLK_TCK")


def _wait_until_idle(root: int, limit: float = 60.0) -> None:
    """The first worker answers while the others are still importing and loading the
    catalogue (seconds of CPU each): measure only once the whole server is idle."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = _tree_cpu_seconds(root)
        time.sleep(0.5)
        if _tree_cpu_seconds(root) - before < 0.05:
            return


class _Connection:
    """One keep-alive HTTP/1.1 connection, written and read by hand on asyncio streams: the load
    generator shares the two cores with the server, so it must cost as little as possible (per
    request, httpx cost more CPU than the server's trivial endpoint, and http.client half a
    millisecond). Every status is checked; bodies are parsed only where an id is needed."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, key: str) -> None:
        self.reader, self.writer, self.key = reader, writer, key

    async def call(self, method: str, path: str, body: dict | None = None, *, parse: bool = False,
                   idempotency_key: str | None = None) -> dict:
        data = b"" if body is None else json.dumps(body).encode()
        extra = f"Idempotency-Key: {idempotency_key}\r\n" if idempotency_key else ""
        self.writer.write(f"{method} {path} HTTP/1.1\r\nHost: bench\r\nX-API-Key: {self.key}\r\n"
                          f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
                          f"{extra}\r\n".encode() + data)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        payload = await self.reader.readexactly(length)
        if status >= 400:
            raise RuntimeError(f"{method} {path}: {status} {payload[:300]!r}")
        return json.loads(payload) if parse else {}


_TAKEN = None  # shared by the client processes: requests (or flows) started so far in a phase


def _share(counter) -> None:
    global _TAKEN
    _TAKEN = counter


def _take(total: int) -> bool:
    """Claim the next request of the phase (ApacheBench's model: every connection keeps sending
    until ``total`` have been started, so none idles while another still has a backlog)."""
    with _TAKEN.get_lock():
        if _TAKEN.value >= total:
            return False
        _TAKEN.value += 1
        return True


async def _one_connection(base: str, key: str, kind: str, total: int, customer: int) -> list[float]:
    host, port = base.removeprefix("http://").split(":")
    c = _Connection(*await asyncio.open_connection(host, int(port)), key)
    quote = {"product": "SME_PROPERTY", "customer_id": customer, "start_date": "2027-06-01",
             "inputs": RISK}
    out, i = [], 0
    while _take(total):
        i += 1
        t0 = time.perf_counter()
        if kind == "health":
            await c.call("GET", "/v1/health")
        elif kind == "quote":
            await c.call("POST", "/v1/quotes", quote)
        else:  # a complete flow: register, quote, bind (issue), fetch the schedule
            cust = await c.call("POST", "/v1/customers", _customer(customer * 100_000 + i), parse=True)
            q = await c.call("POST", "/v1/quotes", {**quote, "customer_id": cust["id"]}, parse=True)
            p = await c.call("POST", f"/v1/quotes/{q['id']}/bind", {}, parse=True,
                             idempotency_key=f"{os.getpid()}-{customer}-{i}")
            await c.call("GET", f"/v1/policies/{p['id']}/document")
        out.append(time.perf_counter() - t0)
    c.writer.close()
    return out


def _worker(args: tuple[str, str, str, int, list[int]]) -> list[float]:
    """One client process: a connection per customer, each sending its requests one by one."""
    base, key, kind, total, customers = args

    async def run() -> list[list[float]]:
        return await asyncio.gather(*(_one_connection(base, key, kind, total, c) for c in customers))

    return [x for lat in asyncio.run(run()) for x in lat]


def _sockets(pid: int) -> set[str]:
    """Inodes of the sockets process ``pid`` holds (fds come and go while we look)."""
    inodes = set()
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return inodes
    for fd in fds:
        try:
            link = os.readlink(fd)
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    return inodes


def _server_split(root: int, port: int) -> list[int]:
    """Connections held by each server worker that listens on ``port``, most first."""
    rows = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    mine = [r for r in rows if int(r[1].split(":")[1], 16) == port]
    listening, established = {r[9] for r in mine if r[3] == "0A"}, {r[9] for r in mine if r[3] == "01"}
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if stat.read_text().rsplit(")", 1)[1].split()[1] == str(root):
                children.append(int(stat.parent.name))
        except (OSError, IndexError):
            continue
    # the workers, or the one server process; not the supervisor, which holds their sockets
    held = [s for s in map(_sockets, children) if s & listening] or [_sockets(root)]
    return sorted((len(s & established) for s in held), reverse=True)


def drive(pool, procs, base, key, kind, total, concurrency, customers, counter, server=None,
          port=0) -> tuple[float, list[float], list[int]]:
    """``total`` requests (or flows) over ``concurrency`` connections, shared by ``procs`` client
    processes of the pool; also how the connections were spread over the server's workers
    (looked at from a thread of its own once every connection has had its first answer, so the
    look does not delay the timing)."""
    mine = [[customers[i % len(customers)] for i in range(concurrency) if i % procs == p]
            for p in range(procs)]
    counter.value = 0
    split: list[int] = []

    def look() -> None:
        while server is not None and counter.value < min(total, 2 * concurrency):
            time.sleep(0.01)
        if server is not None and counter.value < total:
            split.extend(_server_split(server, port))

    looker = threading.Thread(target=look, daemon=True)
    t0 = time.perf_counter()
    futures = [pool.submit(_worker, (base, key, kind, total, m)) for m in mine if m]
    looker.start()
    results = [f.result() for f in futures]
    elapsed = time.perf_counter() - t0
    looker.join(5)
    return total / elapsed, [x for r in results for x in r], split


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
    ap.add_argument("--clients", type=int, default=2, help="client processes (asyncio, sharing "
                                                            "the --concurrency connections)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc, keys = start_server(args.port, Path(tmp), args.workers)
        base = f"http://127.0.0.1:{args.port}"
        try:
            customers = customers_for(base, keys["channel"], args.concurrency)
            counter = multiprocessing.Value("l", 0)
            with ProcessPoolExecutor(args.clients, initializer=_share, initargs=(counter,)) as pool:
                def run(kind: str, total: int) -> tuple[float, list[float], float]:
                    """Rate, latencies and the server's CPU milliseconds per request (or flow)."""
                    before = _tree_cpu_seconds(proc.pid)
                    rate, latencies, split = drive(pool, args.clients, base, keys["channel"], kind,
                                                   total, args.concurrency, customers, counter,
                                                   proc.pid, args.port)
                    splits[kind] = "/".join(map(str, split)) or "?"
                    return rate, latencies, (_tree_cpu_seconds(proc.pid) - before) * 1000 / len(latencies)

                splits: dict[str, str] = {}
                run("quote", args.concurrency * 5)  # warm-up
                health_rps, _, health_cpu = run("health", args.quotes)
                quote_rps, lat, quote_cpu = run("quote", args.quotes)
                flow_rps, flat, flow_cpu = run("flow", args.flows)
        finally:
            proc.terminate()
            proc.wait(10)
    print(json.dumps({"concurrency": args.concurrency, "workers": args.workers,
                      "client_processes": args.clients,
                      "connections_per_server_worker": splits}))
    print(f"trivial endpoint (/v1/health)  {health_rps:8.0f} req/s     server CPU {health_cpu:5.2f} ms each")
    print(f"quotes                         {quote_rps:8.0f} quotes/s  server CPU {quote_cpu:5.2f} ms each  "
          f"p50 {pct(lat, 50):5.1f} ms  p95 {pct(lat, 95):5.1f} ms  p99 {pct(lat, 99):5.1f} ms")
    print(f"quote → bind → issue flows     {flow_rps:8.0f} flows/s   server CPU {flow_cpu:5.2f} ms each  "
          f"p50 {pct(flat, 50):5.1f} ms  p99 {pct(flat, 99):5.1f} ms")
    print(f"quotes / trivial               {quote_rps / health_rps:8.2f}")

if __name__ == "__main__":
    main()
