"""Reserving at scale: 1,000,000 then 5,000,000 claim transactions, 10 segments, 10 accident years.

Measures, for each size, the time to validate the transactions, build all triangles (one
multi-index Triangle, pandas ``groupby`` first), and fit chain ladder, Mack and
Bornhuetter–Ferguson for all segments at once; then the whole :class:`ReservingModel` (plans,
fallbacks, totals). Each size runs in a fresh subprocess that reads the generated transactions
from Parquet (as a migrating insurer's file would arrive), so its peak memory, the maximum resident
set size from ``resource.getrusage``, is that of the data plus the pipeline plus the libraries;
the resident size before the pipeline starts is printed beside it.

Targets: under 10 s and 2 GB at 1M; time growth to 5M no worse than linear (ratio ≤ 5). Times are
the best of three passes per stage (as ``timeit`` reports), since other work on the machine only
ever adds time.

Run: ``python benchmarks/bench_reserving.py`` (fixed seed; about a minute).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import chainladder as cl
import numpy as np
import pandas as pd

from sme_insure.reserving import (
    ReservingModel,
    build_triangles,
    parse_config,
    validate_claim_transactions,
)
from sme_insure.reserving.vocabulary import Basis

SEED = 20240601
AS_OF = pd.Timestamp("2024-12-31")
LINES = ("property", "shop_package", "public_liability", "cargo", "group_accident")
SIZES = ("micro", "small")  # 5 lines x 2 size classes = 10 segments
TX_PER_CLAIM = 5
REPEATS = 3  # best of three, as timeit does: the machine may be shared


def make_claims(n_tx: int, seed: int = SEED) -> pd.DataFrame:
    """``n_tx`` claim transactions: reserve set at report, payments, a final close."""
    rng = np.random.default_rng(seed)
    n_claims = n_tx // TX_PER_CLAIM
    seg = rng.integers(0, len(LINES) * len(SIZES), n_claims)
    loss = AS_OF - pd.to_timedelta(rng.integers(0, 3653, n_claims), "D")
    report = loss + pd.to_timedelta(rng.exponential(40, n_claims).astype(int), "D")
    claim = np.repeat(np.arange(n_claims), TX_PER_CLAIM)
    step = np.tile(np.arange(TX_PER_CLAIM), n_claims)
    lag = np.where(step == 0, 0, rng.exponential(200 * step, claim.size).astype(int))
    tx_date = report.to_numpy()[claim] + lag.astype("timedelta64[D]")
    kind = np.where(step == 0, "reserve_set", np.where(step == 4, "close", "payment"))
    paid = np.where(step == 0, 0, rng.lognormal(8, 1, claim.size).round()).astype(np.int64)
    reserve = np.where(step == 0, 5 * paid.mean(), -paid / 2).round().astype(np.int64)
    frame = pd.DataFrame(
        {
            "claim_id": pd.Series(claim).map("C{:08d}".format),
            "policy_id": pd.Series(claim % 50_000).map("P{:06d}".format),
            "line": np.asarray(LINES)[seg[claim] // len(SIZES)],
            "product_code": "SME-1",
            "size_class": np.asarray(SIZES)[seg[claim] % len(SIZES)],
            "loss_date": loss.to_numpy()[claim],
            "report_date": report.to_numpy()[claim],
            "transaction_date": tx_date,
            "kind": kind,
            "paid_fen": paid,
            "case_reserve_change_fen": reserve,
        }
    )
    return frame


def make_premiums(seed: int = SEED) -> pd.DataFrame:
    """Annual policies, 1,000 per segment and year, written evenly through each year."""
    rng = np.random.default_rng(seed + 1)
    n = 1_000 * 10 * 11
    start = pd.Timestamp("2014-01-01") + pd.to_timedelta(rng.integers(0, 11 * 365, n), "D")
    seg = rng.integers(0, len(LINES) * len(SIZES), n)
    return pd.DataFrame(
        {
            "policy_id": [f"P{i:06d}" for i in range(n)],
            "line": np.asarray(LINES)[seg // len(SIZES)],
            "product_code": "SME-1",
            "size_class": np.asarray(SIZES)[seg % len(SIZES)],
            "transaction_date": start,
            "effective_from": start,
            "effective_to": start + pd.DateOffset(years=1) - pd.Timedelta(days=1),
            "written_fen": rng.integers(200_000, 2_000_000, n),
            "exposure": 1.0,
        }
    )


def pipeline(claims: pd.DataFrame, premiums: pd.DataFrame) -> dict[str, float]:
    """Time each stage; returns seconds per stage."""
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    good = validate_claim_transactions(claims).frame
    times["validate"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    tri = build_triangles(good, premiums, AS_OF, ("line", "size_class"))
    times["triangles"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    losses, premium = tri.losses(Basis.INCURRED), tri.earned_premium
    cl.Chainladder().fit(losses)
    cl.MackChainladder().fit(losses)
    cl.BornhuetterFerguson(apriori=0.6).fit(losses, sample_weight=premium)
    times["cl_mack_bf"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    ReservingModel(parse_config({"default": {"method": "mack"}})).fit(tri)
    times["reserving_model"] = time.perf_counter() - t0
    times["total"] = sum(times.values())
    return times


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def measure(claims_path: str, premiums_path: str) -> dict[str, float]:
    """One timed pass over the transactions in the Parquet files (run in a fresh process)."""
    warnings.simplefilter("ignore")
    premiums = pd.read_parquet(premiums_path)
    claims = pd.read_parquet(claims_path)
    pipeline(make_claims(20_000, seed=1), premiums)  # warm-up: imports, numba, caches
    before = _rss_mb()
    runs = [pipeline(claims, premiums) for _ in range(REPEATS)]
    times = {stage: min(run[stage] for run in runs) for stage in runs[0]}
    return {**times, "rss_before_mb": before, "max_rss_mb": _rss_mb(), "n": len(claims)}


def _child(n_tx: int, folder: Path) -> dict[str, float]:
    claims_path, premiums_path = folder / f"claims_{n_tx}.parquet", folder / "premiums.parquet"
    make_claims(n_tx).to_parquet(claims_path)
    make_premiums().to_parquet(premiums_path)
    command = [sys.executable, __file__, "--child", str(claims_path), str(premiums_path)]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Run both sizes and print the figures and the growth ratio."""
    with tempfile.TemporaryDirectory() as folder:
        small, large = _child(1_000_000, Path(folder)), _child(5_000_000, Path(folder))
    for r in (small, large):
        stages = ", ".join(f"{k} {r[k]:.2f}s" for k in ("validate", "triangles", "cl_mack_bf"))
        print(
            f"{int(r['n']):>9,} tx: {r['total']:.2f}s ({stages}, whole model "
            f"{r['reserving_model']:.2f}s); max RSS {r['max_rss_mb']:.0f} MB "
            f"({r['rss_before_mb']:.0f} MB with data loaded, before the pipeline)"
        )
    ratio = large["total"] / small["total"]
    print(f"growth 1M -> 5M: time x{ratio:.2f} (linear would be x5.00)")
    ok = small["total"] < 10 and small["max_rss_mb"] < 2048 and ratio <= 5
    print("targets met" if ok else "TARGETS MISSED")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(measure(sys.argv[2], sys.argv[3])))
    else:
        main()
