"""``sme-insure serve``, ``sme-insure keys create|list|revoke`` and ``sme-insure demo``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import typer
from rich.markup import escape

from sme_insure.cli.common import console, err_console, reports_errors

keys_app = typer.Typer(help="API keys.", no_args_is_help=True)


def _print_keys(keys) -> None:  # noqa: ANN001
    typer.echo("API keys (shown once; send as 'X-API-Key: <key>'):")
    for key in keys:
        typer.echo(f"  {key.role:<17} {key.text}")


GRACE_SECONDS = 20  # a stopping worker's time to finish its requests (then it is killed)


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@reports_errors
def serve(host: str = typer.Option("127.0.0.1", help="Address to bind."),
          port: int = typer.Option(8000, help="Port."),
          workers: int = typer.Option(1, min=1, help="Worker processes, each on a socket of its own "
                                                     "(SO_REUSEPORT); on SQLite they take turns to write."),
          worker_timeout: float = typer.Option(60.0, min=1.0, help="With --workers: seconds a worker's "
                                               "event loop may stay blocked before the worker is replaced."),
          demo: bool = typer.Option(True, help="Create the demo tenant and book on first start.")) -> None:
    """Start the HTTP service (uvicorn). First start creates the schema and, with --demo, a demo
    tenant whose API keys are printed once."""
    import uvicorn

    from sme_insure.http import workers as reuse_port
    from sme_insure.http.main import build_services, database_url
    from sme_insure.http.supervisor import Supervisor
    from sme_insure.services.demo import create_demo, has_demo

    services = build_services()
    if demo and not has_demo(services):
        console.print("creating the demo tenant and book …")
        _print_keys(create_demo(services))
    console.print(f"database: {database_url().split('@')[-1]}")
    config = {"app": "sme_insure.http.main:app_factory", "factory": True, "host": host, "port": port,
              "log_level": os.environ.get("SME_INSURE_LOG_LEVEL", "warning")}
    if workers > 1 and reuse_port.available:
        try:
            reuse_port.check_port_free(host, port)
            sockets = reuse_port.listening_sockets(host, port, workers)
        except (reuse_port.PortUnavailable, OSError) as exc:
            err_console.print("[red]error:[/red]", escape(str(exc)))
            raise typer.Exit(1) from exc
        config["port"] = sockets[0].getsockname()[1]  # the one chosen, for port 0
        config["timeout_graceful_shutdown"] = GRACE_SECONDS
        uvicorn.Config(**config)  # uvicorn's logging for the supervisor's own messages
        console.print(f"serving on {_url(host, config['port'])} (OpenAPI at /docs), {workers} workers")
        supervisor = Supervisor(workers, reuse_port.worker_command(config), sockets=sockets,
                                grace=GRACE_SECONDS, timeout=worker_timeout)
        raise typer.Exit(supervisor.run())
    console.print(f"serving on {_url(host, port)} (OpenAPI at /docs)")
    uvicorn.run(**config, workers=workers)


@reports_errors
def demo(customers: int = typer.Option(3000, help="Customers to generate."),
         tenant: str = typer.Option("demo", help="Tenant code.")) -> None:
    """Load a synthetic demo book into the configured database."""
    from sme_insure.http.main import build_services
    from sme_insure.services.demo import create_demo

    _print_keys(create_demo(build_services(), tenant=tenant, customers=customers))


@keys_app.command("create")
@reports_errors
def create(tenant: str = typer.Option(..., help="Tenant code (created if new)."),
           role: str = typer.Option(..., help="admin, underwriter, channel, customer_service, "
                                              "actuary, claims_handler or customer."),
           channel: str | None = typer.Option(None, help="Channel name (channel keys)."),
           name: str = typer.Option("", help="Label of the key."),
           max_sum_insured: float | None = typer.Option(None, help="Underwriter authority: CNY."),
           max_loading: float = typer.Option(0.0, help="Underwriter authority: loading."),
           max_discount: float = typer.Option(0.0, help="Underwriter authority: discount.")) -> None:
    """Create an API key; it is printed once and stored hashed."""
    from sme_insure.http.main import build_services
    from sme_insure.services.keys import create_key

    authority = None
    if max_sum_insured is not None:
        authority = {"max_sum_insured_fen": round(max_sum_insured * 100), "max_loading": max_loading,
                     "max_discount": max_discount}
    services = build_services()
    with services.db.transaction() as session:
        key = create_key(session, tenant, role, name=name, channel=channel, authority=authority)
    _print_keys([key])


@keys_app.command("list")
@reports_errors
def list_(tenant: str = typer.Option(..., help="Tenant code.")) -> None:
    """A tenant's keys: prefix, role, channel, name and whether revoked (never the secret)."""
    from sme_insure.http.main import build_services
    from sme_insure.services.keys import list_keys

    with build_services().db.reading() as session:
        for key in list_keys(session, tenant):
            state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
            typer.echo(f"smei_{key.prefix}  {key.role:<17} {key.channel or '-':<12} "
                       f"{key.name or '-':<20} {state}")


@keys_app.command("revoke")
@reports_errors
def revoke(prefix: str = typer.Argument(..., help="The key's public prefix (smei_<prefix>)."),
           why: str = typer.Option(..., help="Reason, kept in the audit trail.")) -> None:
    """Revoke a key. Running servers refuse it once their memory of it expires
    (SME_INSURE_KEY_CACHE_SECONDS, default 30 s)."""
    from sme_insure.http.main import build_services
    from sme_insure.services.keys import revoke_key

    with build_services().db.transaction() as session:
        key = revoke_key(session, prefix, why)
        typer.echo(f"revoked smei_{key.prefix} ({key.role})")


def openapi(out: Path = typer.Option(Path("api/openapi.json"), help="Where to write.")) -> None:
    """Write the OpenAPI contract generated from the app."""
    from sme_insure.http.app import openapi_document

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    console.print(f"wrote {out}")


@reports_errors
def backup(target: Path = typer.Argument(..., help="Backup file to write.")) -> None:
    """Online, consistent copy of the SQLite database (for PostgreSQL use pg_dump)."""
    from sme_insure.http.main import database_url
    from sme_insure.storage.backup import backup as run

    console.print(f"wrote {target} sha256={run(database_url(), target)}")


@reports_errors
def restore(source: Path = typer.Argument(..., help="Backup file to restore (server stopped).")) -> None:
    """Replace the SQLite database with a backup, after an integrity check."""
    from sme_insure.http.main import database_url
    from sme_insure.storage.backup import restore as run

    console.print(f"restored {source} sha256={run(database_url(), source)}")
