"""``sme-insure quote`` and ``sme-insure rate``: one risk, or a whole file of risks."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import typer
from rich.progress import Progress
from rich.table import Table

from sme_insure.cli.common import console, parse_date, reports_errors
from sme_insure.errors import InputError, Issue
from sme_insure.money import format_cny
from sme_insure.rating import Rater
from sme_insure.rating.batch import check_output, rate_file, read_risks
from sme_insure.settings import default_catalogue


def _print_worksheet(ws: pd.DataFrame) -> None:
    table = Table("coverage", "step", "inputs", "table", "figure", "before", "after")
    for r in ws.itertuples(index=False):
        table.add_row(
            str(r.coverage),
            str(r.description),
            str(r.inputs),
            str(r.tables),
            f"{r.figure:,.6g} {r.unit}",
            f"{r.before:,.4f}",
            f"{r.after:,.4f}",
        )
    console.print(table)


@reports_errors
def quote(
    code: str = typer.Argument(..., help="Product code."),
    risk: Path = typer.Option(..., "--risk", help="JSON file with the risk's inputs."),
    as_of: str | None = typer.Option(None, "--as-of", help="Rating date YYYY-MM-DD."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Price one risk and print the premium and its worksheet."""
    try:
        data = json.loads(risk.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(
            [Issue("--risk", str(risk), f"not a readable JSON object: {exc}")]
        ) from exc
    if not isinstance(data, dict):
        raise InputError([Issue("--risk", str(risk), "a JSON object of inputs: {\"name\": value, …}")])
    result = Rater(default_catalogue()).quote(code, data, as_of=parse_date(as_of), worksheet=True)
    money = {k: int(v) for k, v in result.premiums.iloc[0].items()}
    ws = result.worksheet(result.premiums.index[0])
    if as_json:
        console.print_json(
            json.dumps(
                {
                    "versions": result.versions,
                    "money_fen": money,
                    "worksheet": ws.to_dict(orient="records"),
                },
                default=str,
            )
        )
        return
    _print_worksheet(ws)
    summary = Table("item", "CNY")
    for key, fen in money.items():
        summary.add_row(key, format_cny(fen))
    console.print(summary)
    console.print(f"versions: {result.versions}")


@reports_errors
def rate(
    code: str = typer.Argument(..., help="Product code."),
    source: Path = typer.Argument(..., help="Risks as .csv or .parquet."),
    output: Path = typer.Option(..., "-o", "--output", help="Rated rows (.csv or .parquet)."),
    errors: Path | None = typer.Option(
        None, "--errors", help="Error file (default OUTPUT.errors.csv)."
    ),
    as_of: str | None = typer.Option(None, "--as-of", help="Rating date YYYY-MM-DD."),
    explain: int | None = typer.Option(None, "--explain", help="Print the worksheet of this row."),
) -> None:
    """Rate a file of risks; rows that fail go to the error file, the rest are rated."""
    errors = errors or output.with_name(output.stem + ".errors.csv")
    check_output(output)
    risks = read_risks(source)
    if explain is not None and not 0 <= explain < len(risks):
        raise InputError([Issue("--explain", explain, f"a row number from 0 to {len(risks) - 1}")])
    rater = Rater(default_catalogue())
    total = len(risks)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("rating", total=total)
        summary = rate_file(
            rater,
            code,
            source,
            output,
            errors,
            as_of=parse_date(as_of),
            progress=lambda k: progress.advance(task, k),
        )
    console.print(
        f"{summary.rows} rows: {summary.rated} rated, {summary.failed} with errors "
        f"(see {errors}); premium {format_cny(summary.premium_fen)} CNY"
    )
    if explain is not None:
        _print_worksheet(rater.explain(code, risks, risks.index[explain], as_of=parse_date(as_of)))
