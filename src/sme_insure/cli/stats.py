"""``sme-insure stats``: SME insurance statistics for a period, as CSV, Excel or HTML."""

from __future__ import annotations

from pathlib import Path

import typer

from sme_insure.cli.common import console, reports_errors


@reports_errors
def stats(period: str = typer.Option(..., help="2026, 2026Q3 or 2026-07."),
          by: str = typer.Option("line", help="Comma-separated: line, product, entity_type, "
                                               "size_class, industry, region, channel ('' for total)."),
          tenant: str = typer.Option("demo", help="Tenant code."),
          channel: str | None = typer.Option(None, help="Only this channel's business."),
          out: Path | None = typer.Option(None, "-o", "--out", help="Write .csv, .xlsx or .html.")) -> None:
    """Insured entities, policies, sums insured, written and earned premium, claims and their
    timeliness, by the chosen dimensions."""
    from sme_insure.http.main import build_services
    from sme_insure.policies.states import Role
    from sme_insure.services.actor import Actor
    from sme_insure.services.keys import tenant_of
    from sme_insure.services.statistics import sme_statistics
    from sme_insure.statistics import parse_period
    from sme_insure.statistics.report import write

    services = build_services()
    parsed = parse_period(period)
    dims = [d for d in by.split(",") if d]
    with services.db.reading() as session:
        tenant_id = tenant_of(session, tenant).id
        actor = Actor(tenant_id, None, Role.CHANNEL if channel else Role.ADMIN, channel)
        table = sme_statistics(session, actor, parsed, dims)
    if out:
        write(table, out, parsed, dims, f"{tenant}{'/' + channel if channel else ''}")
        console.print(f"wrote {out}")
    else:
        console.print(table.T.to_string())
