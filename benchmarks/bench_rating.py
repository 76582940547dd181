"""Rating throughput: the engine against a hand-written numpy kernel of the same algorithm.

Generates 1,000,000 SME property risks (fixed seed; categorical columns as pandas Categoricals, as
a book read from Parquet would be), rates them with the engine (worksheet off) and with a kernel
written directly in numpy for this one product, checks that they agree to the fen, and prints
rows/s of each, their ratio, peak memory, and the scalar reference rater on 10,000 rows for scale.
Then the online case: one quote (a batch of one) with its worksheet, as the pricing service asks
for it (``Rater.quote(..., worksheet=True)`` and the worksheet records it stores), in µs of CPU.

    python benchmarks/bench_rating.py [--rows 1000000]
    python benchmarks/bench_rating.py --single      # the single-quote figure only
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from sme_insure.catalogue import Catalogue  # noqa: E402
from sme_insure.money import share_fen_array, split_vat_array, to_fen_array  # noqa: E402
from sme_insure.rating import Rater  # noqa: E402
from support.reference_rater import reference_rate  # noqa: E402

AS_OF = dt.date(2026, 6, 30)


def make_book(product, n: int, seed: int = 2026) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    spec = {i.name: i for i in product.inputs}
    cols = {}
    for name in ("occupancy_class", "construction", "fire_protection", "loss_history", "deductible"):
        levels = [str(v) for v in spec[name].levels]
        cols[name] = pd.Categorical.from_codes(rng.integers(0, len(levels), n), categories=levels)
    from sme_insure.catalogue.regions import province_codes

    provinces = province_codes()
    cols["province"] = pd.Categorical.from_codes(rng.integers(0, len(provinces), n), categories=provinces)
    cols["sum_insured"] = np.round(np.exp(rng.uniform(np.log(1e4), np.log(2e8), n)))
    cols["cover_earthquake"] = rng.random(n) < 0.3
    return pd.DataFrame(cols)


def _vec(table, levels):
    """Values of a one-key exact table in the order of ``levels``."""
    frame = table.frame.set_index(table.meta.keys[0].name)[table.meta.value].astype(float)
    return frame.reindex(levels).to_numpy()


def kernel(book: pd.DataFrame, tables: dict) -> dict[str, np.ndarray]:
    """SME property money columns (fen) written by hand in numpy for this product only: the
    engine's algorithm (coverage amounts rounded to fen, the policy minimum shared among
    coverages in proportion with the remainder to the largest, VAT split per coverage,
    commission on the net premium)."""
    codes = {c: book[c].cat.codes.to_numpy() for c in book.select_dtypes("category").columns}
    lv = {c: list(book[c].cat.categories) for c in codes}
    si = book["sum_insured"].to_numpy()
    size_t = tables["prop_si_size"].frame.apply(pd.to_numeric, errors="coerce")
    size = size_t["factor"].to_numpy()[np.searchsorted(size_t["sum_insured_from"].to_numpy(), si, "right") - 1]
    ded = _vec(tables["prop_deductible"], lv["deductible"])[codes["deductible"]]
    cons = _vec(tables["prop_construction"], lv["construction"])[codes["construction"]]
    fire = si * _vec(tables["prop_fire_rate"], lv["occupancy_class"])[codes["occupancy_class"]] / 1000
    fire = fire * cons * size * _vec(tables["prop_fire_protection"], lv["fire_protection"])[codes["fire_protection"]]
    fire = fire * _vec(tables["prop_loss_history"], lv["loss_history"])[codes["loss_history"]] * ded
    nat = si * _vec(tables["prop_natcat_rate"], lv["province"])[codes["province"]] / 1000 * size * ded
    quake = si * _vec(tables["prop_quake_rate"], lv["province"])[codes["province"]] / 1000 * cons
    covs = [to_fen_array(fire), to_fen_array(nat), np.where(book["cover_earthquake"], to_fen_array(quake), 0)]
    technical = covs[0] + covs[1] + covs[2]
    adj = np.maximum(50_000 - technical, 0)
    low = np.flatnonzero(adj)
    m = np.stack([c[low] for c in covs], axis=1)
    share = adj[low, None] * m // np.maximum(technical[low], 1)[:, None]
    share[np.arange(low.size), np.argmax(m, axis=1)] += adj[low] - share.sum(axis=1)
    for i, c in enumerate(covs):
        c[low] += share[:, i]
    premium = technical + adj
    vat = sum(split_vat_array(c, 0.06)[1] for c in covs)
    return {"premium_fire": covs[0], "premium_natcat": covs[1], "premium_earthquake": covs[2],
            "premium_business_interruption": np.zeros_like(premium), "technical_premium": technical,
            "minimum_adjustment": adj, "premium": premium, "vat": vat, "net_premium": premium - vat,
            "commission": share_fen_array(premium - vat, 0.15)}


def _best(run, repeat: int) -> tuple[float, object]:
    """Fastest of ``repeat`` runs (the usual way to time: the others met a busier machine)."""
    times, out = [], None
    for _ in range(repeat):
        out = None  # let the previous result go before the next run
        t0 = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - t0)
    return min(times), out


def single_quote_us(rater: Rater, book: pd.DataFrame, quotes: int = 2000, repeat: int = 5) -> float:
    """CPU µs per quote of one risk with its worksheet: ``Rater.quote`` on a plain dict (as the
    API receives it) plus the worksheet records a stored quote keeps; risks cycle through the
    first 50 of the book; the fastest of ``repeat`` rounds counts."""
    risks = [{k: v.item() if isinstance(v, np.generic) else v for k, v in r.items()}
             for r in book.head(50).astype(object).to_dict(orient="records")]

    def one(risk: dict) -> None:
        result = rater.quote("SME_PROPERTY", risk, as_of=AS_OF, worksheet=True)
        result.worksheet_records(result.premiums.index[0])

    for risk in risks:
        one(risk)  # warm-up
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        for i in range(quotes):
            one(risks[i % len(risks)])
        best = min(best, (time.process_time() - t0) / quotes)
    return best * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--reference-rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the fastest counts")
    parser.add_argument("--single", action="store_true", help="only the single-quote figure")
    args = parser.parse_args()
    catalogue = Catalogue.load(ROOT / "products", ROOT / "rating_tables")
    rater = Rater(catalogue)
    product = catalogue.get("SME_PROPERTY", as_of=AS_OF)
    if args.single:
        print(f"single quote: {single_quote_us(rater, make_book(product, 50)):,.0f} µs/quote "
              "(worksheet on)")
        return
    book = make_book(product, args.rows)
    rater.rate("SME_PROPERTY", book.head(1000), as_of=AS_OF)  # warm-up

    t_engine, result = _best(lambda: rater.rate("SME_PROPERTY", book, as_of=AS_OF, threads=1),
                             args.repeat)
    t_threads, threaded = _best(lambda: rater.rate("SME_PROPERTY", book, as_of=AS_OF, threads=2),
                                args.repeat)
    tables = {t: catalogue.tables.get(t, v) for t, v in result.tables.items()}
    t_kernel, money = _best(lambda: kernel(book, tables), args.repeat)
    assert len(result.issues) == 0, result.issues.head()
    for column, values in money.items():
        assert np.array_equal(result.premiums[column].to_numpy(), values), f"{column} differs"
    pd.testing.assert_frame_equal(threaded.premiums, result.premiums)

    n_ref = min(args.reference_rows, args.rows)
    records = book.head(n_ref).astype(object).to_dict(orient="records")
    t0 = time.perf_counter()
    ref = [reference_rate(product, r, catalogue.tables, result.tables)["premium"] for r in records]
    t_ref = time.perf_counter() - t0
    assert ref == result.premiums["premium"].head(n_ref).tolist(), "reference rater differs"

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    single = single_quote_us(rater, book)
    print(f"rows                      {args.rows:>12,}")
    print(f"engine (worksheet off)    {args.rows / t_engine:>12,.0f} rows/s  ({t_engine:.3f} s, one thread)")
    print(f"engine, 2 threads         {args.rows / t_threads:>12,.0f} rows/s  ({t_threads:.3f} s)")
    print(f"hand-written numpy kernel {args.rows / t_kernel:>12,.0f} rows/s  ({t_kernel:.3f} s)")
    print(f"engine / kernel time      {t_engine / t_kernel:>12.2f} ×")
    print(f"reference rater           {n_ref / t_ref:>12,.0f} rows/s  ({n_ref:,} rows, {t_ref:.2f} s)")
    print(f"agreement                 {len(money)} money columns equal to the fen on all {args.rows:,} rows")
    print(f"peak memory (RSS)         {peak_mb:>12,.0f} MB")
    print(f"single quote: {single:,.0f} µs/quote (worksheet on)")


if __name__ == "__main__":
    main()
