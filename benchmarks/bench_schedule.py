"""Group-accident schedule throughput: rate_schedule (validation included) against Rater.rate alone.

Generates a schedule of 100,000 persons (fixed seed) with valid resident ID numbers (division
codes of six provinces, birth dates giving ages 18–65 at cover start, check characters computed
by ISO 7064 MOD 11-2), occupational classes 1–6 and per-person sums insured; rates it through
``rate_schedule`` (ID check, duplicate check, birth date/sex/age derivation, broadcast, rating,
roll-up) and the same per-person inputs through ``Rater.rate`` alone, checks that both agree to
the fen, and prints persons/s of each.

    python benchmarks/bench_schedule.py [--persons 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sme_insure.catalogue import Catalogue
from sme_insure.rating import Rater
from sme_insure.rating.schedule import rate_schedule

ROOT = Path(__file__).resolve().parents[1]
SEED = 20260301
AS_OF = dt.date(2026, 3, 1)
START = dt.date(2026, 4, 1)
CODE = "GROUP_ACCIDENT"
DIVISIONS = ["110105", "310104", "330106", "440305", "500103", "510107"]
WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
CHECK = np.array(list("10X98765432"))


def resident_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """n distinct valid ID numbers: division + birth date + sequence + check character."""
    first = np.datetime64("1961-04-02")  # 65 on 2026-04-01
    span = (np.datetime64("2008-04-01") - first).astype(int)  # 18 on 2026-04-01
    births = pd.DatetimeIndex(first + rng.integers(0, span, n).astype("timedelta64[D]"))
    division = rng.choice(DIVISIONS, n)
    sequence = np.char.zfill(rng.integers(0, 1000, n).astype(str), 3)
    bodies = np.char.add(np.char.add(division, births.strftime("%Y%m%d").to_numpy(str)), sequence)
    digits = bodies.astype("U17").view(np.uint32).reshape(n, 17) - ord("0")
    ids = np.char.add(bodies, CHECK[(digits @ WEIGHTS) % 11])
    return pd.unique(ids)


def make_schedule(n: int, seed: int = SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = resident_ids(rng, int(n * 1.01))[:n]  # the odd collision is dropped, then trimmed
    m = len(ids)
    return pd.DataFrame(
        {
            "name": [f"员工{k:06d}" for k in range(m)],
            "id_number": ids,
            "occupational_class": rng.choice(
                [1, 2, 3, 4, 5, 6], m, p=[0.4, 0.25, 0.15, 0.1, 0.06, 0.04]
            ),
            "sum_insured": rng.choice([100_000, 200_000, 400_000, 500_000], m),
            "medical_limit": rng.choice([10_000, 20_000, 50_000], m),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=100_000)
    args = parser.parse_args()
    rater = Rater(Catalogue.load(ROOT / "products", ROOT / "rating_tables"))
    persons = make_schedule(args.persons)
    rate_schedule(rater, CODE, persons.head(100), {}, as_of=AS_OF, cover_start=START)  # warm-up

    t0 = time.perf_counter()
    result = rate_schedule(rater, CODE, persons, {}, as_of=AS_OF, cover_start=START)
    t_schedule = time.perf_counter() - t0
    assert result.issues.empty, result.issues.head()
    frame = result.inputs
    t0 = time.perf_counter()
    alone = rater.rate(CODE, frame, as_of=AS_OF)
    t_rate = time.perf_counter() - t0
    assert np.array_equal(
        alone.premiums["premium"].to_numpy(), result.premiums["premium"].to_numpy()
    )

    n = len(persons)
    print(f"persons                          {n:>12,}")
    print(
        f"rate_schedule (with validation)  {n / t_schedule:>12,.0f} persons/s  ({t_schedule:.3f} s)"
    )
    print(f"Rater.rate alone                 {n / t_rate:>12,.0f} persons/s  ({t_rate:.3f} s)")
    print(f"schedule / rate time             {t_schedule / t_rate:>12.2f} ×")
    print(f"policy premium                   {result.totals['premium'] / 100:>15,.2f} CNY")
    print(f"agreement                        premium equal to the fen for all {n:,} persons")


if __name__ == "__main__":
    main()
