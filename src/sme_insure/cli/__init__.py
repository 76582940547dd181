"""The ``sme-insure`` command line: a thin layer over the library."""

from __future__ import annotations

import typer

from sme_insure.cli import (
    audit,
    life,
    privacy,
    products,
    rating,
    reserve,
    server,
    stats,
    study,
    tables,
)

app = typer.Typer(
    help="sme-insure: products, rating, policies, claims and actuarial tools.", no_args_is_help=True
)
app.add_typer(products.app, name="products")
app.add_typer(tables.app, name="tables")
app.add_typer(life.app, name="life")
app.add_typer(life.illustrate_app, name="illustrate")
app.add_typer(reserve.app, name="reserve")
app.add_typer(study.app, name="study")
app.add_typer(audit.app, name="audit")
app.add_typer(privacy.app, name="privacy")
app.command()(rating.quote)
app.command()(rating.rate)
app.command()(server.serve)
app.command()(server.demo)
app.command()(server.openapi)
app.command()(server.backup)
app.command()(server.restore)
app.command()(stats.stats)
app.add_typer(server.keys_app, name="keys")


def main() -> None:
    """Entry point of the ``sme-insure`` console script."""
    app()
