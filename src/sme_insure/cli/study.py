"""``sme-insure study``: run a rate study from a YAML configuration; make a synthetic demo book.

Thin layer over :func:`sme_insure.studies.run_study`: reads the configuration, runs the study on
pandas or Dask, prints the indication and writes the HTML report, the Excel workbook and the
proposed draft tables. Library errors are shown as issue lists with exit code 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from sme_insure.cli.common import console, reports_errors
from sme_insure.studies import (
    EngineKind,
    StudyResult,
    load_study_config,
    run_study,
    write_demo,
    write_excel,
    write_html,
    write_proposal,
)

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
        ("rejected book rows", f"{len(result.issues):,}"),
    ]
    if result.impact is not None:
        rows.append(("in-force change (re-rated)", f"{result.impact.overall_change:+.2%}"))
        beyond = result.impact.beyond["policies"].iloc[0]
        rows.append(("policies beyond the cap threshold", f"{beyond:,}"))
    for name, value in rows:
        table.add_row(name, value)
    return table


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
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("study", total=1.0)
        result = run_study(
            cfg, progress=lambda stage, f: bar.update(task, completed=f, description=stage)
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
