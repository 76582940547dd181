"""A whole rate study in one call: :func:`run_study` (used by the CLI and, as a background job,
by the API).

Passes over the book, each on the configured engine: (1) scan: issues and earned premium by
period; (2) experience cells; (3) off-balance re-ratings of the in-force book; (4) impact. Between
them, in memory: development (reserving), one-way tables, GLM, credibility, indication, drafts.
``progress(stage, fraction)`` is called as the study advances.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from sme_insure import clock
from sme_insure.errors import InputError, Issue
from sme_insure.reserving import ReservingConfig, load_config
from sme_insure.studies.book import issues_of
from sme_insure.studies.cells import Experience, by_level
from sme_insure.studies.config import StudyConfig
from sme_insure.studies.credibility import blended_relativities
from sme_insure.studies.development import Development, develop
from sme_insure.studies.dislocation import Impact, require_rated, summarise
from sme_insure.studies.engine import (
    CountTask,
    DaskEngine,
    PandasEngine,
    make_engine,
    running,
)
from sme_insure.studies.experience import ExperienceTask, ScanTask, claim_frame
from sme_insure.studies.factors import base_index
from sme_insure.studies.filing import problems_as_if_active, write_drafts
from sme_insure.studies.glm import GlmFit, actual_vs_expected, fit_glm
from sme_insure.studies.impact import SUMS, ImpactTask
from sme_insure.studies.indication import Indication, indicate, period_table
from sme_insure.studies.inputs import StudyInputs, load_inputs, segment_factors
from sme_insure.studies.losses import (
    developed_claims,
    future_dates,
    trend_years,
    undeveloped_note,
)
from sme_insure.studies.one_way import one_ways
from sme_insure.studies.onlevel import parallelogram_factors
from sme_insure.studies.periods import PeriodGrid
from sme_insure.studies.premium_lines import Lines, SampleTask, modulus_for, premium_line
from sme_insure.studies.proposal import (
    OffBalance,
    base_tables,
    build_drafts,
    check_new_versions,
    relativity_drafts,
    solve_off_balance,
)
from sme_insure.studies.vocabulary import OnLevelMethod
from sme_insure.tables import RatingTable, diff_tables

Progress = Callable[[str, float], None]


@dataclass
class Proposal:
    """Draft versions, their differences from the current ones, the off-balance and files."""

    drafts: tuple[RatingTable, ...]
    diffs: dict[str, pd.DataFrame]
    off_balance: OffBalance
    selected_change: float
    paths: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class StudyResult:
    """Everything a study produced, with the configuration that produced it."""

    config: StudyConfig
    inputs: StudyInputs
    issues: pd.DataFrame
    development: Development
    experience: Experience
    indication: Indication
    one_way: pd.DataFrame
    glm: GlmFit
    relativities: pd.DataFrame
    actual_vs_expected: pd.DataFrame
    proposal: Proposal | None
    impact: Impact | None
    records: pd.DataFrame | None
    notes: list[str]


def _scan(
    engine: PandasEngine | DaskEngine, inputs: StudyInputs, config: StudyConfig
) -> tuple[pd.DataFrame, pd.DataFrame, PeriodGrid]:
    first = min(
        config.experience.start,
        inputs.claims["loss_date"].min().date() if len(inputs.claims) else config.experience.start,
    )
    wide = PeriodGrid.between(first, config.valuation_date, config.experience.grain)
    out = engine.run(inputs.source, ScanTask(inputs.spec, wide, config.valuation_date))
    issues = out.loc[out["kind"] == "issue", ["policy_id", "field", "value", "reason"]]
    if config.data.strict and len(issues):
        raise InputError(issues_of(issues, "book"), context=f"{len(issues)} book issue(s)")
    return out.loc[out["kind"] == "period"], issues.reset_index(drop=True), wide


def _period_premiums(periods: pd.DataFrame, wide: PeriodGrid, inputs: StudyInputs) -> pd.DataFrame:
    """Earned premium per period as premium transactions covering the period (for reserving)."""
    p = periods["period"].to_numpy(dtype=np.int64)
    start, end = wide.starts[p].astype("datetime64[ns]"), wide.ends[p].astype("datetime64[ns]")
    return pd.DataFrame(
        {
            "policy_id": [f"period {wide.labels[i]}" for i in p],
            "line": str(inputs.product.line),
            "product_code": inputs.product.code,
            "transaction_date": start,
            "effective_from": start,
            "effective_to": end,
            "written_fen": periods["premium_fen"].to_numpy(),
            "exposure": periods["exposure_u"].to_numpy() / 1e6,
        }
    )


def _reserving_config(config: StudyConfig, inputs: StudyInputs) -> ReservingConfig:
    path = config.development.reserving_config
    base = load_config(path) if path is not None else ReservingConfig()
    ratio = inputs.product.target_loss_ratio
    if config.development.apriori_from_product and ratio is not None:
        return base.with_apriori_loss_ratios({inputs.product.line: ratio})  # type: ignore[dict-item]
    return base


def _unallocated(
    dev: Development, grid: PeriodGrid, config: StudyConfig, accident: pd.Timestamp
) -> pd.Series:
    """Unallocated ultimate per experience period (CNY), trended from the period's middle."""
    rows = dev.origins.set_index("origin")["unallocated_fen"]
    mids = pd.Series(grid.starts + (grid.ends - grid.starts) // 2).astype("datetime64[ns]")
    factor = (1 + config.trend.pure_premium) ** trend_years(mids, accident)
    values = rows.reindex(list(grid.labels)).fillna(0.0).to_numpy() * factor / 100
    return pd.Series(values, index=list(grid.labels))


def _check_claims(
    cells: pd.DataFrame, claims: pd.DataFrame, grid: PeriodGrid, strict: bool
) -> list[str]:
    expected = int((grid.label_of(claims["loss_date"]) >= 0).sum())
    matched = int(cells["reported"].sum())
    if matched > expected:
        raise InputError(
            [
                Issue(
                    "book",
                    matched,
                    f"claims matched more than once ({expected} "
                    "claims): keep all rows of a policy in one partition",
                )
            ]
        )
    if matched < expected:
        issue = Issue(
            "claims",
            expected - matched,
            "claim(s) without a row of their policy covering the loss date: left out of the study",
        )
        if strict:
            raise InputError([issue])
        return [str(issue)]
    return []


def _experience(
    engine: PandasEngine | DaskEngine, task: ExperienceTask, source: object
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    if isinstance(engine, PandasEngine):
        records = pd.concat([task.records(c) for c in engine.chunks(source)], ignore_index=True)
        return task.combine([task.aggregate(records)]), records
    return engine.run(source, task), None


def _olf(config: StudyConfig, grid: PeriodGrid) -> tuple[float, ...] | None:
    if config.on_level.method is OnLevelMethod.RERATE:
        return None
    return tuple(
        parallelogram_factors(
            grid,
            config.on_level.rate_history,
            config.current_rates_as_of,
            config.indication.term_months,
        )
    )


def _propose(
    engine: PandasEngine | DaskEngine,
    inputs: StudyInputs,
    config: StudyConfig,
    relativities: pd.DataFrame,
    change: float,
    lines: Lines,
) -> Proposal:
    assert config.proposal is not None
    cfg = config.proposal
    selected = change if cfg.overall_change is None else cfg.overall_change
    store = inputs.rating.catalogue.tables
    rel, notes = relativity_drafts(inputs.factors, relativities, lines)
    bases = base_tables(inputs.product, cfg)
    current = {t: store.in_force(t, config.current_rates_as_of) for t in [*rel, *bases]}
    segs = segment_factors(config, inputs)
    seen: dict[float, pd.Series] = {}

    def totals(k: float) -> pd.Series:
        if k not in seen:
            drafts = build_drafts(current, rel, bases, k, cfg, config.name)
            task = ImpactTask(
                inputs.rating,
                inputs.rating.with_drafts(drafts),
                segs,
                config.in_force_on,
                config.impact.cap,
            )
            table = engine.run(inputs.source, task)
            if not seen:  # the first run (k = 1): some policy must be rated at both tables
                require_rated(table)
            seen[k] = table[list(SUMS)].sum()
        return seen[k]

    now = int(totals(1.0)["current_fen"])
    left = int(totals(1.0)["unrated_policies"])
    if left:
        notes.append(
            f"off-balance on the {int(totals(1.0)['policies']):,} in-force policies rated at both "
            f"tables; {left:,} left out (listed in the issues, counted in the impact)"
        )
    off = solve_off_balance(lambda k: int(totals(k)["proposed_fen"]), now, selected)
    drafts = build_drafts(current, rel, bases, off.factor, cfg, config.name)
    check_new_versions(store, drafts)
    problems = problems_as_if_active(inputs.rating.catalogue, drafts)
    if problems:
        raise InputError(
            [Issue("proposal", p, "draft fails the catalogue checks") for p in problems]
        )
    diffs = {d.label: diff_tables(current[d.meta.table], d) for d in drafts}
    return Proposal(drafts, diffs, off, selected, notes=notes)


def _lines(engine: PandasEngine | DaskEngine, inputs: StudyInputs, frame: pd.DataFrame) -> Lines:
    """Premium lines of every factor on a deterministic sample of the book."""
    rows = int(engine.run(inputs.source, CountTask())["rows"].iloc[0])
    sample = engine.run(inputs.source, SampleTask(modulus_for(rows)))
    out: Lines = {}
    for f in inputs.factors:
        base = base_index(f, by_level(frame, f.input)["exposure"].to_numpy())
        out[f.input] = premium_line(inputs.rating, sample, f, base)
    return out


def run_study(
    config: StudyConfig,
    *,
    source: object | None = None,
    claims: pd.DataFrame | None = None,
    engine: PandasEngine | DaskEngine | None = None,
    progress: Progress | None = None,
) -> StudyResult:
    """Run every stage of a study (see the module docstring); ``source`` and ``claims`` replace
    the configured files (both are needed for ``data.source: database``)."""
    step = progress or (lambda stage, fraction: None)
    engine = engine or make_engine(config.engine)
    inputs = load_inputs(config, source, claims)
    if isinstance(engine, PandasEngine):  # read a file once, not once per pass
        inputs = replace(inputs, source=engine.frame(inputs.source))
    with running(engine) as eng:
        step("scan", 0.05)
        periods, issues, wide = _scan(eng, inputs, config)
        step("development", 0.2)
        dev = develop(
            inputs.claims,
            _period_premiums(periods, wide, inputs),
            config.valuation_date,
            config.experience.grain,
            _reserving_config(config, inputs),
        )
        written, accident = future_dates(config.indication)
        claims = developed_claims(
            inputs.claims,
            dev,
            config.valuation_date,
            config.experience.grain,
            config.trend,
            accident,
        )
        grid = PeriodGrid.between(
            config.experience.start,
            min(config.experience.end, config.valuation_date),
            config.experience.grain,
        )
        task = ExperienceTask(
            inputs.spec,
            grid,
            config.valuation_date,
            claim_frame(claims),
            _olf(config, grid),
            config.trend.premium,
            written,
        )
        step("experience", 0.35)
        cells, records = _experience(eng, task, inputs.source)
        notes = [
            *inputs.notes,
            *dev.notes,
            *undeveloped_note(claims),
            *_check_claims(cells, claims, grid, config.data.strict),
        ]
        experience = Experience(cells, grid, inputs.factors, config.exposure.label)
        frame = experience.frame()
        step("premium relativities", 0.5)
        lines = _lines(eng, inputs, frame)
        step("analysis", 0.55)
        indication = indicate(
            period_table(
                frame,
                _unallocated(dev, grid, config, accident),
                set(claims.loc[claims["undeveloped"], "origin"]),
            ),
            config.indication,
            config.trend,
            config.credibility,
            config.current_rates_as_of,
        )
        glm = fit_glm(frame, inputs.factors, config.glm, lines)
        relativities = blended_relativities(
            glm.relativities, frame, inputs.factors, config.credibility
        )
        ave = actual_vs_expected(frame, glm.expected_loss, inputs.factors)
        proposal = impact = None
        if config.proposal is not None:
            step("proposal", 0.65)
            proposal = _propose(eng, inputs, config, relativities, indication.selected, lines)
            if config.proposal.tables_out is not None:
                proposal.paths = write_drafts(
                    proposal.drafts, config.proposal.tables_out, inputs.rating.products_dir
                )
            step("impact", 0.85)
            segs = segment_factors(config, inputs)
            task_i = ImpactTask(
                inputs.rating,
                inputs.rating.with_drafts(proposal.drafts),
                segs,
                config.in_force_on,
                config.impact.cap,
            )
            impact = summarise(eng.run(inputs.source, task_i), segs, config.impact.cap)
            issues = pd.concat([issues, impact.issues], ignore_index=True)
    step("done", 1.0)
    return StudyResult(
        config,
        inputs,
        issues,
        dev,
        experience,
        indication,
        one_ways(frame, inputs.factors, lines),
        glm,
        relativities,
        ave,
        proposal,
        impact,
        records,
        [*notes, *glm.notes, *(proposal.notes if proposal else [])],
    )


def write_proposal(result: StudyResult, folder: Path) -> list[Path]:
    """Write the proposed drafts into a rating-tables folder (see :mod:`.filing`)."""
    if result.proposal is None:
        raise InputError([Issue("proposal", None, "the study has no proposal section")])
    paths = write_drafts(result.proposal.drafts, folder, result.inputs.rating.products_dir)
    result.proposal.paths = paths
    return paths


def today() -> dt.date:
    """The date a report is stamped with (the business day: :mod:`sme_insure.clock`)."""
    return clock.today()
