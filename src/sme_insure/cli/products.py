"""``sme-insure products ...``: list, show, validate, schema."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from sme_insure.catalogue import Catalogue, check_catalogue
from sme_insure.catalogue.schema import write_schemas
from sme_insure.cli.common import console, err_console, reports_errors
from sme_insure.settings import default_catalogue, products_dir, tables_dir

app = typer.Typer(help="The product catalogue.", no_args_is_help=True)


@app.command("list")
@reports_errors
def list_products() -> None:
    """List every product version with its line and dates."""
    table = Table("code", "version", "line", "name", "effective", "coverages")
    for p in sorted(default_catalogue().products, key=lambda p: (p.code, p.effective_from)):
        table.add_row(
            p.code,
            p.version,
            p.line,
            f"{p.name.zh} / {p.name.en}",
            f"{p.effective_from} – {p.effective_to or ''}",
            ", ".join(c.code for c in p.coverages),
        )
    console.print(table)


@app.command()
@reports_errors
def show(
    code: str, version: str | None = typer.Option(None, help="Version (default: in force today).")
) -> None:
    """Show a product definition as JSON."""
    product = default_catalogue().get(code, version)
    console.print_json(json.dumps(product.model_dump(mode="json", exclude_defaults=True)))


@app.command()
def validate(
    products: Path = typer.Option(None, help="Products folder."),
    tables: Path = typer.Option(None, help="Rating tables folder."),
) -> None:
    """Validate every product and table, and their cross-references; exit 1 on any problem."""
    catalogue = reports_errors(Catalogue.load)(products or products_dir(), tables or tables_dir())
    problems = check_catalogue(catalogue)
    for line in problems:
        err_console.print(f"  - {line}", markup=False)
    if problems:
        err_console.print(f"[red]{len(problems)} problem(s)[/red]")
        raise typer.Exit(1)
    n_tables = len(list(catalogue.tables))
    console.print(
        f"[green]ok[/green]: {len(catalogue.products)} product versions, {n_tables} table versions"
    )


@app.command()
def schema(
    out: Path = typer.Option(Path("products/_schema"), help="Folder to write into."),
) -> None:
    """Write the JSON Schemas of product and table-metadata files (for editors)."""
    for path in write_schemas(out):
        console.print(str(path))
