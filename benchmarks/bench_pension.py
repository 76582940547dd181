"""Benchmark: pension illustrations for 100,000 members, library vs a hand-written numpy version.

Both project every member month by month under the three scenarios (contribution, initial
charge, interest, management fee, each rounded half up to the fen), price a monthly life
annuity (CL5/CL6, UDD) or annuity certain at retirement, and must agree to the fen. The
library time includes validating the input frames; the hand version trusts its input.

Run: python benchmarks/bench_pension.py
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from sme_insure.life import get_table
from sme_insure.money import to_fen_array
from sme_insure.pension import Scenario, Sleeve, illustrate_book, load_terms

SEED = 20240601
N = 100_000
TERMS_FILE = Path(__file__).parents[1] / "tests" / "pension" / "terms_example.yaml"


def make_book(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Members with monthly/annual contributions and top-ups; a fifth switch sleeve once."""
    age = rng.integers(18, 60, n)
    retire = np.maximum(60, age + 1) + rng.integers(0, 6, n)
    fixed = rng.random(n) < 0.3
    members = pd.DataFrame(
        {
            "member_id": [f"M{k:06d}" for k in range(n)],
            "sex": rng.choice(["male", "female"], n),
            "age": age,
            "retirement_age": retire,
            "sleeve": rng.choice(["steady", "aggressive"], n),
            "payout": np.where(fixed, "fixed_term", "life"),
            "fixed_term_years": np.where(fixed, rng.integers(10, 26, n), np.nan),
            "monthly_contribution": np.round(rng.uniform(0, 2_000, n), 2),
            "annual_contribution": rng.integers(0, 13, n) * 1_000.0,
            "topup_monthly": np.where(rng.random(n) < 0.2, 100.0, 0.0),
            "topup_annual": np.where(rng.random(n) < 0.1, 1_200.0, 0.0),
        }
    )
    movers = np.flatnonzero(rng.random(n) < 0.2)
    years = (retire - age)[movers]
    switches = pd.DataFrame(
        {
            "member_id": members["member_id"].to_numpy()[movers],
            "policy_year": 1 + (rng.random(movers.size) * years).astype(int),
            "sleeve": rng.choice(["steady", "aggressive"], movers.size),
        }
    )
    return members, switches


def fen_round(x: np.ndarray) -> np.ndarray:
    """round_half_up of an amount in fen (the library's rounding: via CNY, to_fen_array)."""
    return to_fen_array(x / 100)


def hand_annuity_factor(terms, members: pd.DataFrame) -> np.ndarray:
    """ä^(12) by hand: ä_x = 1 + v p_x ä_{x+1} backwards, then UDD; or (1 − vⁿ)/d^(12)."""
    i = terms.annuity.interest_rate
    v, d = 1 / (1 + i), i / (1 + i)
    i12, d12 = 12 * ((1 + i) ** (1 / 12) - 1), 12 * (1 - (1 + i) ** (-1 / 12))
    alpha, beta = i * d / (i12 * d12), (i - i12) / (i12 * d12)
    out = np.zeros(len(members))
    for sex, table_id in terms.annuity.tables.items():
        qx = get_table(table_id).qx
        a = np.zeros(qx.size + 1)
        for k in range(qx.size - 1, -1, -1):
            a[k] = 1 + v * (1 - qx[k]) * a[k + 1]
        rows = (members["sex"] == sex).to_numpy()
        out[rows] = alpha * a[members["retirement_age"].to_numpy()[rows]] - beta
    n = members["fixed_term_years"].to_numpy()
    fixed = members["payout"].to_numpy() == "fixed_term"
    out[fixed] = (1 - v ** n[fixed]) / d12
    return out


def hand_projection(terms, members: pd.DataFrame, switches: pd.DataFrame):
    """Accounts at retirement and monthly pensions, shape (scenario, member), by full arrays."""
    n = len(members)
    months = (members["retirement_age"] - members["age"]).to_numpy() * 12
    money = {
        c: to_fen_array(members[c].to_numpy())
        for c in ("monthly_contribution", "annual_contribution", "topup_monthly", "topup_annual")
    }
    regular = money["monthly_contribution"] + money["topup_monthly"]
    yearly = money["annual_contribution"] + money["topup_annual"]
    codes = {s.value: k for k, s in enumerate(Sleeve)}
    sleeve0 = members["sleeve"].map(codes).to_numpy()
    pos = pd.Index(members["member_id"]).get_indexer(switches["member_id"])
    switch_year, switch_to = np.full(n, 10**6), np.zeros(n, dtype=int)
    switch_year[pos], switch_to[pos] = switches["policy_year"], switches["sleeve"].map(codes)
    j = np.array(
        [[(1 + terms.sleeves[s].credited(sc)) ** (1 / 12) - 1 for s in Sleeve] for sc in Scenario]
    )
    charge, fee = terms.fees.initial_charge, terms.fees.annual_management_fee / 12
    account = np.zeros((3, n), dtype=np.int64)
    for t in range(months.max()):
        active = t < months
        if t % 12 == 0:
            sleeve = np.where(switch_year <= t // 12 + 1, switch_to, sleeve0)
            rate = j[:, sleeve]
        paid = np.where(active, regular + (yearly if t % 12 == 0 else 0), 0)
        account += paid - fen_round(paid * charge)
        account += np.where(active, fen_round(account * rate), 0)
        account -= np.where(active, fen_round(account * fee), 0)
    factor = hand_annuity_factor(terms, members)
    return account, to_fen_array(account * (1.0 / (12 * factor)) / 100)


def main() -> None:
    terms = load_terms(TERMS_FILE)
    members, switches = make_book(np.random.default_rng(SEED), N)
    get_table("CL5"), get_table("CL6")  # load tables outside the timings
    start, cpu = time.perf_counter(), time.process_time()
    result = illustrate_book(terms, members, switches=switches)
    library, library_cpu = time.perf_counter() - start, time.process_time() - cpu
    start, cpu = time.perf_counter(), time.process_time()
    accounts, pensions = hand_projection(terms, members, switches)
    hand, hand_cpu = time.perf_counter() - start, time.process_time() - cpu
    assert not result.issues, result.issues[:3]
    assert np.array_equal(result.retirement_account, accounts), "accounts differ"
    assert np.array_equal(result.monthly_pension, pensions), "pensions differ"
    print(f"members: {N:,} (seed {SEED}); accounts and monthly pensions agree to the fen")
    for name, wall, used in (
        ("library (validate + project + price)", library, library_cpu),
        ("hand-written numpy projection", hand, hand_cpu),
    ):
        print(f"{name:38s} {wall:6.2f} s wall ({used:6.2f} s CPU)  {N / wall:9,.0f} members/s")
    print(
        f"speed ratio library / hand: {hand / library:.2f}x wall, {hand_cpu / library_cpu:.2f}x CPU"
    )


if __name__ == "__main__":
    main()
