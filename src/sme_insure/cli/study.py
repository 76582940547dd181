"""``sme-insure study``: run a rate study from a YAML configuration; make a synthetic demo book.

Thin layer over :func:`sme_insure.studies.run_study`: reads the configuration, runs the study on
pandas or Dask, on the files it names or (``data: {source: database}``, ``--tenant``) on a
tenant's own policies, premium transactions and claims, prints the indication and writes the HTML
report, the Excel workbook and the proposed draft tables. Library errors are shown as issue lists
with exit code 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import Progress
from rich.table import Table

from sme_insure.cli.common import console, reports_errors
from sme_insure.errors import InputError, Issue
from sme_insure.studies import (
    EngineKind,
    StudyConfig,
    StudyResult,
    load_study_config,
    run_study,
    write_demo,
    write_excel,
    write_html,
    write_proposal,
)
from sme_insure.studies.vocabulary import DataSource

if TYPE_CHECKING:
    from sme_insure.services.study_data import OwnBook

app = typer.Typer(
    help="Rate studies: experience, GLM relativities, indication, impact.", no_args_is_help=True
)


def _summary(result: StudyResult) -> Table:
    ind = result.indication
    table = Table(title=f"Rate study {result.config.name}: {result.inputs.product.label}")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    rows = [
        ("loss ratio method", f"{ind.loss_ratio_change:+.2%}"),
        ("pure premium method", f"{ind.pure_premium_change:+.2%}"),
        ("credibility Z", f"{ind.credibility:.1%}"),
        ("complement", f"{ind.complement:+.2%}"),
        ("selected change", f"{ind.selected:+.2%}"),
        ("issues (rejected rows, policies left out of the impact)", f"{len(result.issues):,}"),
    ]
    if result.impact is not None:
        rows.append(("in-force change (re-rated)", f"{result.impact.overall_change:+.2%}"))
        beyond = result.impact.beyond["policies"].iloc[0]
        rows.append(("policies beyond the cap threshold", f"{beyond:,}"))
        left = result.impact.overall["unrated_policies"].iloc[0]
        rows.append(("in-force policies left out of the impact (not rated)", f"{left:,}"))
    for name, value in rows:
        table.add_row(name, value)
    return table


def _own_book(cfg: StudyConfig, database: str | None, tenant: str | None) -> OwnBook:
    """Rows and claims of ``tenant``'s own book (read as one of its actuaries), with the
    configuration pinned to the catalogue folders it re-rates on."""
    from sme_insure.catalogue import Catalogue
    from sme_insure.http.main import database_url
    from sme_insure.policies.states import Role
    from sme_insure.services.actor import Actor
    from sme_insure.services.keys import tenant_of
    from sme_insure.services.study_data import own_book
    from sme_insure.settings import products_dir, tables_dir
    from sme_insure.storage.database import Database

    if tenant is None:
        raise InputError([Issue("--tenant", None, "a study on the database needs the tenant")])
    catalogue = Catalogue.load(cfg.catalogue.products or products_dir(),
                               cfg.catalogue.tables or tables_dir())
    db = Database(database or database_url())
    try:
        with db.reading() as session:
            actor = Actor(tenant_of(session, tenant).id, None, Role.ACTUARY)
            book = own_book(session, catalogue, actor, cfg)
    finally:
        db.engine.dispose()
    return book


def _sources(cfg: StudyConfig, database: str | None,
             tenant: str | None) -> tuple[StudyConfig, dict[str, Any]]:
    """The configuration and ``run_study``'s data arguments: none for files."""
    if cfg.data.source is DataSource.FILES:
        if database is not None or tenant is not None:
            raise InputError([Issue("data.source", "files", "the configuration names data files;"
                                    " set `data: {source: database}` to study a tenant's book")])
        return cfg, {}
    book = _own_book(cfg, database, tenant)
    return book.config, {"source": book.rows, "claims": book.claims}


@reports_errors
def study(
    config: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Study YAML.")],
    html: Annotated[Path | None, typer.Option(help="Write the HTML report here.")] = None,
    excel: Annotated[Path | None, typer.Option(help="Write the Excel workbook here.")] = None,
    tables_out: Annotated[
        Path | None,
        typer.Option(help="Write the proposed draft tables into this rating-tables folder."),
    ] = None,
    engine: Annotated[
        EngineKind | None, typer.Option(help="Overrides the config's engine.")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Dask scheduler address, or synchronous/threads/processes; default a local "
            "cluster."
        ),
    ] = None,
    database: Annotated[
        str | None,
        typer.Option(help="Database URL for `data: {source: database}` (default: the "
                     "configured one, SME_INSURE_DATABASE_URL)."),
    ] = None,
    tenant: Annotated[
        str | None, typer.Option(help="Tenant whose own book is studied (database source).")
    ] = None,
) -> None:
    """Run the rate study of CONFIG and write its outputs."""
    cfg = load_study_config(config)
    if engine is not None or scheduler is not None:
        kind = engine or (EngineKind.DASK if scheduler else cfg.engine.kind)
        cfg = cfg.model_copy(
            update={
                "engine": cfg.engine.model_copy(
                    update={"kind": kind, "scheduler": scheduler or cfg.engine.scheduler}
                )
            }
        )
    cfg, data = _sources(cfg, database, tenant)
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("study", total=1.0)
        result = run_study(
            cfg,
            **data,
            progress=lambda stage, f: bar.update(task, completed=f, description=stage),
        )
    if tables_out is not None:
        for path in write_proposal(result, tables_out):
            console.print(f"draft table: {path}")
    if html is not None:
        console.print(f"report: {write_html(result, html)}")
    if excel is not None:
        console.print(f"workbook: {write_excel(result, excel)}")
    console.print(_summary(result))
    for note in result.notes:
        console.print(f"  note: {note}", markup=False, highlight=False)


@reports_errors
def synth(
    folder: Annotated[Path, typer.Argument(help="Folder to write the demo book into.")],
    policies: Annotated[int, typer.Option(help="Number of policies.")] = 200_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
) -> None:
    """Write a synthetic SME property book with known truth and a ready-to-run study.yaml."""
    for path in write_demo(folder, policies, seed):
        console.print(str(path))


app.command("run")(study)
app.command("synth")(synth)
