"""Re-rate a large SME property book generated in partitions: rows/s and peak memory, pandas vs Dask.

Usage::

    python benchmarks/bench_scale.py                       # 20,000,000 policies, both engines
    python benchmarks/bench_scale.py --rows 2000000 --engines dask --scheduler cluster

Each engine runs in its own child process, so that its peak resident memory (``ru_maxrss``) is
its own. The book is generated partition by partition (``--partition-rows``) from the product's
declared inputs with a seed per partition, so both engines rate the very same rows:

* pandas: every partition generated, concatenated in memory, then re-rated by
  :class:`~sme_insure.studies.engine.PandasEngine` in chunks (skipped above ``--pandas-max-rows``);
* Dask: ``dask.dataframe.from_map`` generates each partition on a worker, where it is re-rated by
  :class:`~sme_insure.studies.engine.DaskEngine` with the same task; only sums come back. With
  ``--scheduler cluster`` a ``distributed.LocalCluster`` of worker processes is used and its peak
  is the client's plus every worker's.

The task returns integer sums (rows, rated rows, premium in fen), so the engines must agree
exactly; the script checks it. Goal: Dask peak below 3 GB at 20,000,000 rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sme_insure.studies.engine import DaskEngine, PandasEngine  # noqa: E402
from sme_insure.studies.rerating import RatingContext, annual_premium  # noqa: E402
from sme_insure.studies.synthetic import draw_inputs  # noqa: E402

CODE = "SME_PROPERTY"
AS_OF = dt.date(2026, 1, 1)


def context() -> RatingContext:
    return RatingContext(ROOT / "products", ROOT / "rating_tables", CODE, AS_OF)


def partition(index: int, rows: int) -> pd.DataFrame:
    """One partition of the book: the product's inputs, category inputs as Categoricals."""
    ctx = context()
    product = ctx.catalogue.get(CODE, as_of=AS_OF)
    frame = draw_inputs(product, rows, np.random.default_rng(index))
    for name in frame.columns:
        if frame[name].dtype == object:
            frame[name] = frame[name].astype("category")
    return frame


@dataclass(frozen=True)
class RerateTask:
    """Re-rate a partition at the current tables: rows, rated rows, premium (fen)."""

    rating: RatingContext

    def __call__(self, part: pd.DataFrame) -> pd.DataFrame:
        premium = annual_premium(self.rating.rate(part), len(part))
        rated = premium >= 0
        return pd.DataFrame(
            {
                "rows": [len(part)],
                "rated": [int(rated.sum())],
                "premium_fen": [int(premium[rated].sum())],
            }
        )

    def combine(self, parts: list[pd.DataFrame]) -> pd.DataFrame:
        return pd.concat(parts, ignore_index=True).sum().to_frame().T.astype(np.int64)

    def meta(self) -> pd.DataFrame:
        return pd.DataFrame(
            {c: pd.Series(dtype=np.int64) for c in ("rows", "rated", "premium_fen")}
        )


def peak_mb() -> float:
    """Peak resident memory of this process (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_pandas(rows: int, part_rows: int) -> dict[str, object]:
    sizes = _sizes(rows, part_rows)
    start = time.perf_counter()
    book = pd.concat([partition(i, n) for i, n in enumerate(sizes)], ignore_index=True)
    generated = time.perf_counter()
    out = PandasEngine(chunk_rows=part_rows).run(book, RerateTask(context()))
    return _report("pandas", out, start, generated, peak_mb())


def run_dask(rows: int, part_rows: int, scheduler: str) -> dict[str, object]:
    import dask.dataframe as dd

    sizes = _sizes(rows, part_rows)
    meta = partition(0, 10).iloc[:0]
    book = dd.from_map(partition, list(range(len(sizes))), sizes, meta=meta, enforce_metadata=False)
    start = time.perf_counter()
    if scheduler == "cluster":
        from distributed import Client, LocalCluster

        with (
            LocalCluster(processes=True, dashboard_address=None) as cluster,
            Client(cluster) as client,
        ):
            engine = DaskEngine(scheduler=cluster.scheduler_address, batch=8)
            with engine.connected():
                out = engine.run(book, RerateTask(context()))
            workers = client.run(peak_mb)
            peak = peak_mb() + sum(workers.values())
    else:
        out = DaskEngine(scheduler=scheduler, batch=4).run(book, RerateTask(context()))
        peak = peak_mb()
    return _report(f"dask ({scheduler})", out, start, start, peak)


def _sizes(rows: int, part_rows: int) -> list[int]:
    full, rest = divmod(rows, part_rows)
    return [part_rows] * full + ([rest] if rest else [])


def _report(
    engine: str, out: pd.DataFrame, start: float, rating_start: float, peak: float
) -> dict[str, object]:
    end = time.perf_counter()
    total = int(out["rows"].iloc[0])
    return {
        "engine": engine,
        "rows": total,
        "rated": int(out["rated"].iloc[0]),
        "premium_fen": int(out["premium_fen"].iloc[0]),
        "seconds": round(end - start, 1),
        "rows_per_s": round(total / (end - start)),
        "rating_rows_per_s": round(total / (end - rating_start)),
        "peak_mb": round(peak),
    }


def child(args: argparse.Namespace) -> None:
    if args.child == "pandas":
        result = run_pandas(args.rows, args.partition_rows)
    else:
        result = run_dask(args.rows, args.partition_rows, args.scheduler)
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--partition-rows", type=int, default=250_000)
    parser.add_argument("--engines", default="pandas,dask")
    parser.add_argument(
        "--scheduler",
        default="threads",
        help="Dask: synchronous, threads, processes, or cluster (LocalCluster)",
    )
    parser.add_argument(
        "--pandas-max-rows",
        type=int,
        default=20_000_000,
        help="skip the in-memory pandas run above this many rows",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    results = []
    for engine in args.engines.split(","):
        if engine == "pandas" and args.rows > args.pandas_max_rows:
            print(f"pandas: skipped ({args.rows:,} rows > --pandas-max-rows)")
            continue
        cmd = [
            sys.executable,
            __file__,
            "--child",
            engine,
            "--rows",
            str(args.rows),
            "--partition-rows",
            str(args.partition_rows),
            "--scheduler",
            args.scheduler,
        ]
        line = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        results.append(json.loads(line.strip().splitlines()[-1]))
        r = results[-1]
        print(
            f"{r['engine']:>16}: {r['rows']:>12,} rows in {r['seconds']:>7.1f} s  "
            f"{r['rows_per_s']:>10,} rows/s (rating {r['rating_rows_per_s']:,} rows/s)  "
            f"peak {r['peak_mb']:>6,} MB"
        )
    if len(results) == 2:
        same = all(results[0][k] == results[1][k] for k in ("rows", "rated", "premium_fen"))
        print("pandas and Dask agree exactly" if same else "MISMATCH between engines")
    for r in results:
        if r["engine"].startswith("dask"):
            print(f"Dask peak {'below' if r['peak_mb'] < 3072 else 'ABOVE'} 3 GB")


if __name__ == "__main__":
    main()
