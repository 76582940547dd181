"""``sme-insure privacy export|erase``: a person's requests about their data; ``seal-schedules``:
encrypt the insured persons on schedules stored before sealing."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from sme_insure.cli.common import console, reports_errors

app = typer.Typer(help="Requests from a person about their data.", no_args_is_help=True)
IDENTIFIER = typer.Option(..., help="The person's resident ID (or the customer's USCC).")
TENANT = typer.Option(..., help="Tenant code.")


def _dump(data: dict, out: Path | None) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        console.print(f"wrote {out}")


@app.command()
@reports_errors
def export(identifier: str = IDENTIFIER, tenant: str = TENANT,
           out: Path = typer.Option(None, help="Write the JSON here instead of to the screen.")) -> None:
    """JSON of everything held on the person: customer, quotes, policies with their transactions,
    claims with their transactions and documents, rows on group schedules; decrypted."""
    from sme_insure.http.main import build_services
    from sme_insure.services.privacy_requests import export_person

    services = build_services()
    with services.db.transaction() as session:
        data = export_person(session, services, tenant=tenant, identifier=identifier)
    _dump(data, out)


@app.command()
@reports_errors
def erase(identifier: str = IDENTIFIER, tenant: str = TENANT,
          reason: str = typer.Option("erasure request of the data subject",
                                     help="Reference of the request (kept in the audit trail).")) -> None:
    """Erase what the law does not require to be kept (contact phones, the person on schedules
    no longer in force, documents of claims closed longer than the retention period) and replace
    the identifier by a tombstone; policies and transactions are kept. Prints what was done."""
    from sme_insure.http.main import build_services
    from sme_insure.services.privacy_requests import erase_person

    services = build_services()
    with services.db.transaction() as session:
        report = erase_person(session, services, tenant=tenant, identifier=identifier, reason=reason)
    _dump(report, None)


@app.command("seal-schedules")
@reports_errors
def seal_schedules(batch_size: int = typer.Option(500, min=1, help="Rows per transaction.")) -> None:
    """Seal the insured persons' ID numbers and names still held in clear on stored schedules
    (databases written before sealing; a migration cannot, it has no data key). Safe to run
    again, and to interrupt: each batch commits on its own. Also seals the responses kept for
    Idempotency-Key retries. Prints the rows sealed per table."""
    from sme_insure.http.main import build_services
    from sme_insure.services.idempotency import seal_stored_records
    from sme_insure.services.schedule_sealing import seal_stored_schedules

    services = build_services()
    counts = seal_stored_schedules(services.db, services.vault, batch_size=batch_size)
    counts["idempotency_records"] = seal_stored_records(services.db, services.vault)
    _dump(counts, None)
