"""The ``sme-insure`` command line: a thin layer over the library."""

from __future__ import annotations

import typer

app = typer.Typer(help="sme-insure: products, rating, policies, claims and actuarial tools.",
                  no_args_is_help=True)


def main() -> None:
    """Entry point of the ``sme-insure`` console script."""
    app()
