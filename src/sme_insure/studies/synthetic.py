"""A synthetic SME book with known truth, for the demo and the recovery tests.

Policies are annual, written evenly over ``[first_written, last_written]``, with rating inputs
drawn from uneven (Dirichlet) mixes. Written premium is the premium at current tables scaled to
the rate level of the policy's start (``rate_history``). Claims follow the true model:

* N_i ~ Poisson(λ · B_i · Π_k f_k(level) · (1 + q)^((mid_i − T)/365.25)), B_i = exposure base;
* X ~ Gamma(shape κ, mean μ · Π_k s_k(level) · (1 + s)^((loss date − T)/365.25));

with T the average accident date of the future policy period. λ is set so that the expected loss,
trended to T, over the experience window is ``loss_ratio`` × on-level earned premium there: a
known rate inadequacy. Claims are reported after an exponential delay, reserved at
``case_adequacy`` × the final amount and paid after a further exponential delay; only
transactions on or before the valuation date are kept (so some losses are IBNR).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sme_insure.catalogue.product import Product
from sme_insure.catalogue.regions import province_codes
from sme_insure.catalogue.vocabulary import InputType
from sme_insure.studies.config import RateChange
from sme_insure.studies.factors import StudyFactor
from sme_insure.studies.periods import DAY
from sme_insure.studies.rerating import RatingContext, annual_premium

Relativities = Mapping[str, Mapping[str, float]]


@dataclass(frozen=True)
class Truth:
    """The true model: relativities of frequency and severity by factor and level (1 if absent),
    base severity (CNY at T), Gamma shape, trends and the expected loss ratio at current rates."""

    frequency: Relativities
    severity: Relativities
    base_severity: float = 50_000.0
    severity_shape: float = 1.5
    frequency_trend: float = 0.01
    severity_trend: float = 0.04
    loss_ratio: float = 0.70

    def relativity(self, factor: str, level: str) -> float:
        """True pure-premium relativity f × s of one level (to the levels not listed)."""
        return self.frequency.get(factor, {}).get(level, 1.0) * self.severity.get(factor, {}).get(
            level, 1.0
        )


@dataclass(frozen=True)
class SyntheticSpec:
    """Size, dates, development and seed of a synthetic book."""

    n_policies: int = 200_000
    first_written: dt.date = dt.date(2022, 1, 1)
    last_written: dt.date = dt.date(2025, 12, 31)
    window_start: dt.date = dt.date(2022, 1, 1)
    valuation: dt.date = dt.date(2025, 12, 31)
    future_accident: dt.date = dt.date(2028, 1, 1)
    rate_history: tuple[RateChange, ...] = ()
    exposure_input: str | None = None
    exposure_per: float = 1.0
    report_lag_days: float = 45.0
    settle_days: float = 240.0
    case_adequacy: float = 0.85
    seed: int = 7
    line: str = "property"


@dataclass
class SyntheticBook:
    """Exposure rows (book contract), claim transactions (reserving contract), and the truth."""

    book: pd.DataFrame
    claims: pd.DataFrame
    truth: Truth
    expected: dict[str, float] = field(default_factory=dict)


def _category(rng: np.random.Generator, levels: list[object], n: int) -> np.ndarray:
    probs = rng.dirichlet(np.full(len(levels), 2.0))
    return rng.choice(np.array([str(v) for v in levels], dtype=object), n, p=probs)


def draw_inputs(product: Product, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Required inputs and optional category inputs; optional coverages not selected."""
    cols: dict[str, object] = {}
    for spec in product.inputs:
        if spec.type is InputType.CATEGORY:
            cols[spec.name] = _category(rng, list(spec.levels or []), n)
        elif not spec.required:
            continue
        elif spec.type is InputType.REGION:
            cols[spec.name] = _category(rng, list(province_codes()), n)
        elif spec.type is InputType.BOOLEAN:
            cols[spec.name] = rng.random(n) < 0.5
        elif spec.type is InputType.INDUSTRY:
            cols[spec.name] = rng.choice(np.array(list("CFGHI"), dtype=object), n)
        elif spec.type is InputType.DATE:
            cols[spec.name] = pd.Timestamp("2026-01-01")
        else:
            lo, hi = max(spec.min or 1.0, 1.0), spec.max or 1e7
            x = np.exp(rng.normal(np.log(np.sqrt(lo * hi)) - 0.5, 1.0, n))
            cols[spec.name] = np.round(np.clip(x, lo, hi))
    for cov in product.coverages:
        if cov.optional:
            cols[cov.selector] = False
    return pd.DataFrame(cols)


def rate_level(dates: pd.Series, history: tuple[RateChange, ...]) -> np.ndarray:
    """Cumulative rate level Π(1 + c) of the changes effective on or before each date."""
    level = np.ones(len(dates))
    for change in history:
        level *= np.where(dates >= pd.Timestamp(change.date), 1 + change.change, 1.0)
    return level


def _dates(spec: SyntheticSpec, rng: np.random.Generator) -> tuple[pd.Series, pd.Series]:
    span = (spec.last_written - spec.first_written).days + 1
    start = pd.Series(
        pd.Timestamp(spec.first_written)
        + pd.to_timedelta(rng.integers(0, span, spec.n_policies), "D")
    )
    end = start + pd.DateOffset(years=1) - pd.Timedelta(days=1)
    return start.astype("datetime64[ns]"), pd.Series(end).astype("datetime64[ns]")


def _multiplier(
    table: Relativities, factors: tuple[StudyFactor, ...], codes: dict[str, np.ndarray], n: int
) -> np.ndarray:
    out = np.ones(n)
    for factor in factors:
        rel = table.get(factor.input)
        if rel:
            by_code = np.array([rel.get(level, 1.0) for level in factor.levels])
            out *= by_code[codes[factor.input]]
    return out


def _window_share(start: pd.Series, end: pd.Series, spec: SyntheticSpec) -> np.ndarray:
    lo = np.maximum(start.to_numpy(), np.datetime64(spec.window_start))
    hi = np.minimum(end.to_numpy(), np.datetime64(spec.valuation))
    days = np.clip((hi - lo) / DAY + 1, 0, None)
    return days / ((end - start).to_numpy() / DAY + 1)


def synthetic_book(
    rating: RatingContext, factors: tuple[StudyFactor, ...], truth: Truth, spec: SyntheticSpec
) -> SyntheticBook:
    """Generate the book and its claims (see the module docstring)."""
    rng = np.random.default_rng(spec.seed)
    product = rating.catalogue.get(rating.code, as_of=rating.as_of)
    inputs = draw_inputs(product, spec.n_policies, rng)
    result = rating.rate(inputs)
    current = annual_premium(result, len(inputs)).astype(np.float64)
    codes = {f.input: f.codes(result.prepared) for f in factors}
    start, end = _dates(spec, rng)
    now = rate_level(pd.Series([pd.Timestamp(rating.as_of)]), spec.rate_history)[0]
    written = np.floor(current * rate_level(start, spec.rate_history) / now + 0.5)
    base = np.ones(len(inputs))
    if spec.exposure_input is not None:
        base = inputs[spec.exposure_input].to_numpy(dtype=np.float64) / spec.exposure_per
    freq = _multiplier(truth.frequency, factors, codes, len(inputs))
    sev = _multiplier(truth.severity, factors, codes, len(inputs))
    share = _window_share(start, end, spec)
    onlevel_window = float(np.sum(current * share)) / 100.0
    lam = (
        truth.loss_ratio
        * onlevel_window
        / (truth.base_severity * float(np.sum(base * freq * sev * share)))
    )
    book = inputs.assign(
        policy_id=[f"P{i:08d}" for i in range(len(inputs))],
        product_code=rating.code,
        effective_from=start,
        effective_to=end,
        written_fen=written.astype(np.int64),
        exposure=1.0,
    )
    claims, simulated = _claims(
        book, lam * base * freq, truth.base_severity * sev, truth, spec, rng
    )
    expected = {
        "loss_ratio": truth.loss_ratio,
        "frequency_scale": lam,
        "onlevel_window_cny": onlevel_window,
        **simulated,
        "simulated_loss_ratio": simulated["window_trended_loss_cny"] / onlevel_window,
    }
    return SyntheticBook(book, claims, truth, expected)


def _years_to(dates: np.ndarray, to: dt.date) -> np.ndarray:
    return (dates - np.datetime64(to)) / DAY / 365.25


def _claims(
    book: pd.DataFrame,
    mean_count: np.ndarray,
    mean_severity: np.ndarray,
    truth: Truth,
    spec: SyntheticSpec,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, dict[str, float]]:
    start = book["effective_from"].to_numpy()
    end = book["effective_to"].to_numpy()
    cover = (end - start) / DAY + 1
    mid = start + ((cover / 2).astype(np.int64) * DAY)
    trend_f = (1 + truth.frequency_trend) ** _years_to(mid, spec.future_accident)
    n = rng.poisson(mean_count * trend_f)
    rows = np.repeat(np.arange(len(book)), n)
    loss = start[rows] + (rng.random(rows.size) * cover[rows]).astype(np.int64) * DAY
    trend_s = (1 + truth.severity_trend) ** _years_to(loss, spec.future_accident)
    mean = mean_severity[rows] * trend_s
    amount = rng.gamma(truth.severity_shape, mean / truth.severity_shape)
    report = loss + (rng.exponential(spec.report_lag_days, rows.size)).astype(np.int64) * DAY
    settle = report + (rng.exponential(spec.settle_days, rows.size) + 1).astype(np.int64) * DAY
    window = (loss >= np.datetime64(spec.window_start)) & (loss <= np.datetime64(spec.valuation))
    trended = (
        amount / trend_s * (1 + truth.frequency_trend) ** -_years_to(loss, spec.future_accident)
    )
    simulated = {
        "window_claims": float(window.sum()),
        "window_trended_loss_cny": float(trended[window].sum()),
    }
    claims = pd.DataFrame(
        {
            "claim_id": [f"C{i:08d}" for i in range(rows.size)],
            "policy_id": book["policy_id"].to_numpy()[rows],
            "loss_date": loss,
            "report_date": report,
            "settle_date": settle,
            "paid": np.floor(amount * 100 + 0.5).astype(np.int64),
        }
    )
    return _transactions(claims, spec, book["product_code"].iloc[0] if len(book) else ""), simulated


def _transactions(claims: pd.DataFrame, spec: SyntheticSpec, product: str) -> pd.DataFrame:
    """Reserve at report, payment and closing at settlement; only up to the valuation date."""
    valuation = np.datetime64(spec.valuation)
    case = np.floor(claims["paid"] * spec.case_adequacy + 0.5).astype(np.int64)
    common = claims[["claim_id", "policy_id", "loss_date", "report_date"]]
    frames = [
        common.assign(
            transaction_date=claims["report_date"],
            kind="reserve_set",
            paid_fen=0,
            case_reserve_change_fen=case,
        ),
        common.assign(
            transaction_date=claims["settle_date"],
            kind="payment",
            paid_fen=claims["paid"],
            case_reserve_change_fen=0,
        ),
        common.assign(
            transaction_date=claims["settle_date"],
            kind="close",
            paid_fen=0,
            case_reserve_change_fen=-case,
        ),
    ]
    tx = pd.concat(frames, ignore_index=True)
    tx = tx.loc[tx["transaction_date"].to_numpy() <= valuation]
    tx = tx.assign(line=spec.line, product_code=product)
    order = [
        "claim_id",
        "policy_id",
        "line",
        "product_code",
        "loss_date",
        "report_date",
        "transaction_date",
        "kind",
        "paid_fen",
        "case_reserve_change_fen",
    ]
    return tx.sort_values(["claim_id", "transaction_date"], kind="stable")[order].reset_index(
        drop=True
    )
