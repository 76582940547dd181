"""GLM relativities with an exposure offset (glum, on pandas Categoricals).

Models, with log link and E = exposure of a cell (unique combination of levels and period):

* frequency × severity: N ~ Poisson, log E[N] = log E + β₀ + Σ β; severity Y = L / N ~ Gamma
  with weight N; relativity of a level = exp(β_freq + β_sev), standard error
  √(se_freq² + se_sev²) (the two fits taken as independent);
* Tweedie pure premium: Y = L / E ~ Tweedie(p), weight E; relativity exp(β).

Fitting on cells gives the same estimates as on policy rows, since with categorical factors the
cell sums are sufficient statistics; dispersion is estimated (Pearson) and intervals are
exp(β ± z·se) with z the normal quantile of the confidence level. Levels are measured against the
factor's base level (first category, dropped). Levels without exposure or without claims cannot be
estimated: they are left out of the fit and flagged; a factor with fewer than two estimable levels
is left out of the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd
from glum import GeneralizedLinearRegressor, TweedieDistribution
from threadpoolctl import threadpool_limits

from sme_insure.errors import InputError, Issue
from sme_insure.studies.cells import by_level, flag_where, join_flags
from sme_insure.studies.config import GlmConfig
from sme_insure.studies.factors import StudyFactor, base_index
from sme_insure.studies.premium_lines import Lines, current_premium_relativities, moves_premium
from sme_insure.studies.vocabulary import Flag, ModelKind

COLUMNS = (
    "factor",
    "level",
    "base",
    "exposure",
    "claims",
    "indicated",
    "lower",
    "upper",
    "std_error",
    "current_relativity",
    "flag",
)


@dataclass(frozen=True)
class GlmFit:
    """Indicated relativities with intervals, and the expected loss of every cell."""

    relativities: pd.DataFrame
    expected_loss: np.ndarray
    model: ModelKind
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _Design:
    """Which factors and levels enter the model, with their base levels."""

    factors: list[StudyFactor]
    bases: dict[str, int]
    usable: dict[str, np.ndarray]
    dropped: list[str]


def _design(frame: pd.DataFrame, factors: tuple[StudyFactor, ...]) -> _Design:
    used, bases, usable, dropped = [], {}, {}, []
    for f in factors:
        sums = by_level(frame, f.input)
        expo, claims = sums["exposure"].to_numpy(), sums["trended_claims"].to_numpy()
        base = base_index(f, expo)
        if expo[base] <= 0 or claims[base] <= 0:
            raise InputError(
                [
                    Issue(
                        "factors.base_level",
                        f.levels[base],
                        f"base level of {f.input} has no exposure or no claims",
                    )
                ]
            )
        ok = (expo > 0) & (claims > 0)
        bases[f.input], usable[f.input] = base, ok
        (used if ok.sum() >= 2 else dropped).append(f if ok.sum() >= 2 else f.input)
    return _Design(used, bases, usable, dropped)


def _matrix(frame: pd.DataFrame, design: _Design) -> tuple[pd.DataFrame, np.ndarray]:
    """Categoricals with the base level first and only estimable levels; rows kept."""
    keep = frame["exposure"].to_numpy() > 0
    columns = {}
    for f in design.factors:
        ok = design.usable[f.input]
        base = design.bases[f.input]
        order = [f.levels[base], *(f.levels[i] for i in np.flatnonzero(ok) if i != base)]
        codes = frame[f.input].cat.codes.to_numpy()
        keep &= ok[codes]
        columns[f.input] = pd.Categorical(frame[f.input].astype(object), categories=order)
    return pd.DataFrame(columns), keep


def _fit(
    family: object, x: pd.DataFrame, y: np.ndarray, w: np.ndarray, offset: np.ndarray | None
) -> tuple[GeneralizedLinearRegressor, np.ndarray]:
    model = GeneralizedLinearRegressor(
        family=family, alpha=0, drop_first=True, robust=False, fit_intercept=True
    )
    model.fit(x, y, sample_weight=w, offset=offset)
    se = model.std_errors(x, y, sample_weight=w, offset=offset, robust=False)
    return model, np.asarray(se, dtype=np.float64)


def _coefficients(
    model: GeneralizedLinearRegressor, se: np.ndarray
) -> dict[str, tuple[float, float]]:
    names = list(model.feature_names_)
    return {n: (float(c), float(s)) for n, c, s in zip(names, model.coef_, se[1:], strict=True)}


def _fits(x: pd.DataFrame, frame: pd.DataFrame, cfg: GlmConfig) -> tuple[list[dict], np.ndarray]:
    """Coefficient tables (one per fitted model) and expected loss per row of ``x``."""
    expo = frame["exposure"].to_numpy()
    claims, loss = frame["trended_claims"].to_numpy(), frame["loss"].to_numpy()
    if cfg.model is ModelKind.TWEEDIE:
        tw = TweedieDistribution(cfg.tweedie_power)
        model, se = _fit(tw, x, loss / expo, expo, None)
        return [_coefficients(model, se)], model.predict(x) * expo
    freq, se_f = _fit("poisson", x, claims, np.ones(len(x)), np.log(expo))
    has = (claims > 0) & (loss > 0)
    sev, se_s = _fit("gamma", x.loc[has], loss[has] / claims[has], claims[has], None)
    expected = freq.predict(x, offset=np.log(expo)) * sev.predict(x)
    return [_coefficients(freq, se_f), _coefficients(sev, se_s)], expected


def _factor_table(
    f: StudyFactor, design: _Design, coefs: list[dict], frame: pd.DataFrame, z: float, lines: Lines
) -> pd.DataFrame:
    sums = by_level(frame, f.input)
    in_model = f in design.factors
    base = design.bases[f.input]
    beta, var = np.zeros(len(f.levels)), np.zeros(len(f.levels))
    estimable = design.usable[f.input] & in_model
    for i, level in enumerate(f.levels):
        for table in coefs:
            c, s = table.get(f"{f.input}[{level}]", (0.0, 0.0))
            beta[i], var[i] = beta[i] + c, var[i] + s * s
    se = np.where(estimable, np.sqrt(var), np.nan)
    beta = np.where(estimable, beta, np.nan)
    expo, claims = sums["exposure"].to_numpy(), sums["trended_claims"].to_numpy()
    return pd.DataFrame(
        {
            "factor": f.input,
            "level": list(f.levels),
            "base": np.arange(len(f.levels)) == base,
            "exposure": expo,
            "claims": claims,
            "indicated": np.exp(beta),
            "lower": np.exp(beta - z * se),
            "upper": np.exp(beta + z * se),
            "std_error": se,
            "current_relativity": current_premium_relativities(lines, f, base),
            "flag": join_flags(
                flag_where(expo <= 0, Flag.ZERO_EXPOSURE),
                flag_where((expo > 0) & (claims <= 0), Flag.NO_CLAIMS),
                flag_where(np.full(len(expo), not in_model), Flag.NOT_IN_MODEL),
                flag_where(np.full(len(expo), not moves_premium(lines, f)), Flag.NOT_RATED),
            ),
        }
    )


def fit_glm(
    frame: pd.DataFrame, factors: tuple[StudyFactor, ...], cfg: GlmConfig, lines: Lines
) -> GlmFit:
    """Fit the configured GLM on experience cells (see the module docstring)."""
    design = _design(frame, factors)
    if not design.factors:
        raise InputError(
            [
                Issue(
                    "factors",
                    [f.input for f in factors],
                    "no factor has two levels with exposure and claims",
                )
            ]
        )
    x, keep = _matrix(frame, design)
    with threadpool_limits(limits=1):  # same bits whatever the threads (e.g. inside a cluster)
        coefs, expected = _fits(
            x.loc[keep].reset_index(drop=True), frame.loc[keep].reset_index(drop=True), cfg
        )
    z = NormalDist().inv_cdf((1 + cfg.confidence) / 2)
    table = pd.concat(
        [_factor_table(f, design, coefs, frame, z, lines) for f in factors], ignore_index=True
    )
    full = np.full(len(frame), np.nan)
    full[keep] = expected
    notes = [
        f"{d}: fewer than two levels with exposure and claims, left out" for d in design.dropped
    ]
    return GlmFit(table[list(COLUMNS)], full, cfg.model, tuple(notes))


def actual_vs_expected(
    frame: pd.DataFrame, expected: np.ndarray, factors: tuple[StudyFactor, ...]
) -> pd.DataFrame:
    """By level: actual loss ÷ GLM expected, and ÷ current-rate expected (on-level premium ×
    overall loss ratio), over the cells the GLM could predict."""
    fitted = np.isfinite(expected)
    cells = frame.loc[fitted].assign(expected=expected[fitted])
    overall = cells["loss"].sum() / cells["projected_premium"].sum()
    rows = []
    for f in factors:
        sums = cells.groupby(f.input, observed=False)[
            ["loss", "expected", "projected_premium"]
        ].sum()
        current = sums["projected_premium"].to_numpy() * overall
        rows.append(
            pd.DataFrame(
                {
                    "factor": f.input,
                    "level": list(f.levels),
                    "actual": sums["loss"].to_numpy(),
                    "expected_glm": sums["expected"].to_numpy(),
                    "expected_current": current,
                }
            )
        )
    out = pd.concat(rows, ignore_index=True)
    none = out["expected_glm"].to_numpy() <= 0
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ae_glm"] = np.where(none, np.nan, out["actual"] / out["expected_glm"])
        out["ae_current"] = np.where(
            out["expected_current"] <= 0, np.nan, out["actual"] / out["expected_current"]
        )
    out["flag"] = join_flags(flag_where(none, Flag.ZERO_EXPOSURE))
    return out
