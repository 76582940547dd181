"""The actuarial work the API runs as background jobs (see :mod:`sme_insure.services.jobs`).

Each is a module-level function of picklable parameters plus the job's context and progress,
so that it can run in its own process.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from sme_insure.reserving.report import render_report
from sme_insure.reserving.vocabulary import Grain
from sme_insure.services.actor import Actor
from sme_insure.services.actuarial import reserve_book
from sme_insure.services.jobs import JobContext, Progress
from sme_insure.services.study_data import own_book
from sme_insure.studies import StudyConfig


def reserving_job(actor: Actor, as_of: dt.date, by: Sequence[str], grain: Grain | None,
                  context: JobContext, progress: Progress) -> dict[str, Any]:
    """Reserves of the actor's tenant at ``as_of`` from its own transactions, with the report."""
    progress(0.1, "reading transactions")
    with context.db.reading() as session:
        result = reserve_book(session, context.catalogue, actor, as_of=as_of, by=by, grain=grain)
    progress(0.8, "rendering the report")
    return {**json.loads(result.to_json()), "html": render_report(result)}


def demo_study_job(policies: int, seed: int, context: JobContext,
                   progress: Progress) -> dict[str, Any]:
    """The demo rate study (experience, GLM, indication, proposal, impact) on a synthetic book
    of ``policies`` SME property policies with known truth."""
    from sme_insure.studies import load_study_config, run_study, write_demo
    from sme_insure.studies.report import render

    with tempfile.TemporaryDirectory() as tmp:
        progress(0.05, "generating the synthetic book")
        write_demo(Path(tmp), n_policies=policies, seed=seed)
        config = load_study_config(Path(tmp) / "study.yaml")
        result = run_study(config, progress=lambda stage, f: progress(0.1 + 0.8 * f, stage))
        config_text = (Path(tmp) / "study.yaml").read_text(encoding="utf-8")
        return {"html": render(result), "config_yaml": config_text}


def own_study_job(actor: Actor, config: StudyConfig, context: JobContext,
                  progress: Progress) -> dict[str, Any]:
    """The rate study of ``config`` (``data.source: database``) on the actor's tenant's own
    policies, premium transactions and claims; the report, the configuration and the notes."""
    from sme_insure.studies import run_study
    from sme_insure.studies.report import render

    progress(0.02, "reading the tenant's book")
    with context.db.reading() as session:
        book = own_book(session, context.catalogue, actor, config)
    result = run_study(book.config, source=book.rows, claims=book.claims,
                       progress=lambda stage, f: progress(0.05 + 0.85 * f, stage))
    progress(0.95, "rendering the report")
    text = yaml.safe_dump(config.model_dump(mode="json", exclude_none=True), sort_keys=False,
                          allow_unicode=True)
    return {"html": render(result), "config_yaml": text, "notes": list(result.notes)}
