"""``sme-insure tables ...``: list versions, diff two versions, export/import Excel."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from sme_insure.catalogue.table_import import import_versions
from sme_insure.cli.common import console, reports_errors
from sme_insure.errors import InputError, Issue
from sme_insure.settings import default_catalogue, products_dir, tables_dir
from sme_insure.tables import diff_tables, from_excel, to_excel

app = typer.Typer(help="Rating tables.", no_args_is_help=True)


@app.command("list")
@reports_errors
def list_tables(table_id: str | None = typer.Argument(None, help="Only this table.")) -> None:
    """Table versions with status, dates, approval and source."""
    store = default_catalogue().tables
    out = Table("table", "version", "status", "effective", "approved by", "source")
    for tid in [table_id] if table_id else store.ids():
        for t in store.versions(tid):
            m = t.meta
            out.add_row(
                m.table,
                m.version,
                m.status,
                f"{m.effective_from} – {m.effective_to or ''}",
                m.approved_by or "",
                m.source[:50],
            )
    console.print(out)


@app.command()
@reports_errors
def diff(table_id: str, old: str, new: str) -> None:
    """Cell-level differences between two versions of a table."""
    store = default_catalogue().tables
    changes = diff_tables(store.get(table_id, old), store.get(table_id, new))
    out = Table(*map(str, changes.columns))
    for row in changes.itertuples(index=False):
        out.add_row(*map(str, row))
    console.print(out if len(changes) else "no differences")


@app.command()
@reports_errors
def export(table_id: str, version: str, path: Path) -> None:
    """Export a version to an Excel workbook for editing."""
    table = default_catalogue().tables.get(table_id, version)
    if path.suffix.lower() != ".xlsx":
        raise InputError([Issue("path", str(path), "the workbook name must end in .xlsx")])
    if not path.parent.is_dir():
        raise InputError([Issue("path", str(path), f"folder {path.parent} does not exist")])
    to_excel(table, path)
    console.print(f"wrote {path}")


@app.command("import")
@reports_errors
def import_(paths: list[Path] = typer.Argument(..., help="Workbooks, imported together."),
            into: Path = typer.Option(None, help="Tables folder."),
            reason: str = typer.Option(None, help="Why (kept in the audit trail).")) -> None:
    """Import workbooks (each checked like any table) as CSV + YAML into the tables folder, all
    or none; each version written is recorded in the audit trail of the configured database.
    An existing version's figures are never changed (the same content again is a no-op); its
    status, end date, approval and filing may be, so a successor and the ``effective_to`` of
    the version it replaces are imported together. An import that would add a problem
    ``products validate`` reports is refused before anything is written."""
    from sme_insure.http.main import database_url
    from sme_insure.services.audit import record_table_version
    from sme_insure.storage.database import Database

    batch = [from_excel(path) for path in paths]
    outcomes = import_versions(batch, into or tables_dir(), products_dir())
    written = [(t, o) for t, o in zip(batch, outcomes, strict=True) if o.written]
    for table, outcome in zip(batch, outcomes, strict=True):
        if not outcome.written:
            console.print(f"unchanged: {outcome.path} already holds {table.label} as imported")
    if not written:
        return
    db = Database(database_url())
    db.migrate()
    for table, outcome in written:
        record_table_version(db, table, outcome.path, reason)
        console.print(f"wrote {outcome.path} ({outcome.change}; recorded in the audit trail)")
    db.engine.dispose()
