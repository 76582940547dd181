"""``sme-insure reserve``: reserves from claim and premium transaction files.

Thin layer over :func:`sme_insure.reserving.run_reserving`: reads and validates the files, runs,
prints totals and input issues, writes the requested outputs. Library errors are mapped here to
exit code 2 with their issue list; nothing below this module prints.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from sme_insure.errors import InputError, Issue, SmeInsureError
from sme_insure.reserving import (
    Grain,
    ReservingConfig,
    ReservingResult,
    load_config,
    read_claim_transactions,
    read_premium_transactions,
    run_reserving,
)

app = typer.Typer(help="Loss reserves (chain ladder, Mack, BF, Cape Cod, ...) from transactions.")
_out = Console()
_err = Console(stderr=True)
MAX_ISSUES_SHOWN = 20

Existing = Annotated[Path, typer.Option(exists=True, dir_okay=False, readable=True)]


def _totals_table(result: ReservingResult) -> Table:
    table = Table(title=f"Reserves as of {result.as_of.date()} (CNY)")
    frame = result.totals_table()
    columns = [*result.by, "latest_fen", "ultimate_fen", "ibnr_fen", "std_err_fen", "method"]
    for name in columns:
        table.add_column(name.replace("_fen", ""), justify="left" if name in result.by else "right")
    for row in frame[columns].itertuples(index=False):
        table.add_row(*(_cell(name, value) for name, value in zip(columns, row, strict=True)))
    return table


def _cell(name: str, value: object) -> str:
    if value is None or value is pd.NA or value != value:  # missing (None, pd.NA, NaN)
        return ""
    if name.endswith("_fen"):
        return f"{int(value) / 100:,.2f}"  # type: ignore[call-overload]
    return str(value)


def _report_issues(result: ReservingResult) -> None:
    if not result.issues:
        return
    _err.print(f"[yellow]{len(result.issues)} input issue(s); bad rows were left out:[/yellow]")
    for issue in result.issues[:MAX_ISSUES_SHOWN]:
        _err.print(f"  {issue}", markup=False, highlight=False)
    if len(result.issues) > MAX_ISSUES_SHOWN:
        _err.print(f"  ... and {len(result.issues) - MAX_ISSUES_SHOWN} more (see --out .json)")


def _run_on_database(tenant: str, as_of: datetime, by: str, grain: Grain | None,
                     config: Path | None) -> ReservingResult:
    """The system's own transactions of one tenant (an actuary of that tenant)."""
    from sme_insure.http.main import build_services
    from sme_insure.policies.states import Role
    from sme_insure.services.actor import Actor
    from sme_insure.services.actuarial import reserve_book
    from sme_insure.services.keys import tenant_of

    services = build_services()
    keys = tuple(name.strip() for name in by.split(",") if name.strip())
    settings = load_config(config) if config is not None else None
    with services.db.reading() as session:
        actor = Actor(tenant_of(session, tenant).id, None, Role.ACTUARY)
        return reserve_book(session, services.catalogue, actor, as_of=as_of.date(), by=keys,
                            grain=grain, config=settings)


def _run(
    transactions: Path | None,
    premiums: Path | None,
    as_of: datetime,
    by: str,
    grain: Grain | None,
    config: Path | None,
    tenant: str = "demo",
) -> ReservingResult:
    if transactions is None and premiums is None:
        return _run_on_database(tenant, as_of, by, grain, config)
    if transactions is None or premiums is None:
        raise InputError([Issue("--transactions/--premiums", None,
                                "give both files, or neither to reserve on the database")])
    claims = read_claim_transactions(transactions)
    earned = read_premium_transactions(premiums)
    settings = load_config(config) if config is not None else ReservingConfig()
    keys = tuple(name.strip() for name in by.split(",") if name.strip())
    result = run_reserving(claims.frame, earned.frame, as_of, keys, settings, grain=grain)
    return dataclasses.replace(result, issues=(*claims.issues, *earned.issues))


def reserve(
    as_of: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="valuation date")],
    by: Annotated[str, typer.Option(help="segment columns, comma-separated")] = "line",
    grain: Annotated[Grain | None, typer.Option(help="overrides the config's grain")] = None,
    config: Annotated[Path | None, typer.Option(help="YAML reserving configuration")] = None,
    html: Annotated[Path | None, typer.Option(help="write an HTML report here")] = None,
    out: Annotated[Path | None, typer.Option(help="results: .csv, .parquet or .json")] = None,
    transactions: Annotated[Path | None, typer.Option(
        help="claim transactions, .csv or .parquet (default: the database)")] = None,
    premiums: Annotated[Path | None, typer.Option(
        help="premium transactions, .csv or .parquet (default: the database)")] = None,
    tenant: Annotated[str, typer.Option(help="tenant, when reserving on the database")] = "demo",
) -> None:
    """Build triangles at AS_OF, fit each line's method and report reserves by segment; on the
    system's own transactions, or on imported files."""
    try:
        result = _run(transactions, premiums, as_of, by, grain, config, tenant)
        for path in (p for p in (out, html) if p is not None):
            result.write(path)
    except SmeInsureError as error:
        _err.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(code=2) from error
    _out.print(_totals_table(result))
    _report_issues(result)


app.callback(invoke_without_command=True)(reserve)
