"""``sme-insure audit verify``: check the audit chain and point at the first broken record."""

from __future__ import annotations

import typer

from sme_insure.cli.common import console, err_console, reports_errors

app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)


@app.callback()
def audit() -> None:
    """The tamper-evident audit trail (a group, so that ``verify`` stays a subcommand)."""


@app.command()
@reports_errors
def verify() -> None:
    """Walk the chain of the configured database (``SME_INSURE_DATABASE_URL``); exit 1 at the
    first record whose hash, link or sequence does not hold. Note the head hash printed: a copy
    kept elsewhere shows later that the chain was not cut back and rewritten."""
    from sme_insure.http.main import database_url
    from sme_insure.services.audit import verify_chain
    from sme_insure.storage.database import Database

    db = Database(database_url())
    try:
        with db.reading() as session:
            result = verify_chain(session)
    finally:
        db.engine.dispose()
    if result.broken is not None:
        err_console.print(f"[red]audit chain broken at record {result.broken.sequence}:[/red] "
                          f"{result.broken.reason}", markup=True)
        raise typer.Exit(1)
    console.print(f"audit chain intact: {result.records} records; head {result.head_sequence} "
                  f"{result.head_hash}")
