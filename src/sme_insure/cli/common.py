"""Shared pieces of the CLI: the console, date parsing and error display."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from sme_insure.errors import ConfigurationError, InputError, SmeInsureError

console = Console()
err_console = Console(stderr=True)


def parse_date(value: str | None) -> dt.date | None:
    """``YYYY-MM-DD`` or ``None``; a bad date is a usage error naming the option."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD)", param_hint="--as-of"
        ) from exc


def reports_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Show domain errors as a readable list and exit 1, instead of a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (ConfigurationError, InputError) as exc:
            err_console.print(f"[red]error:[/red] {type(exc).__name__}")
            for issue in exc.issues:
                err_console.print(f"  - {issue}", markup=False)
            raise typer.Exit(1) from exc
        except SmeInsureError as exc:
            err_console.print("[red]error:[/red]", escape(str(exc)))
            raise typer.Exit(1) from exc

    return wrapper
