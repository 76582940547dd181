"""CLI sub-apps for life contingencies (``app``) and benefit illustrations (``illustrate_app``).

Register as ``sme-insure life …`` (``app``: ``annuity``, ``assurance``, ``table``) and
``sme-insure illustrate …`` (``illustrate_app``: ``pension``). A thin layer: parse options, call
the library, print a rich table or JSON. Library errors print their issues and exit with code 2.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from sme_insure import life
from sme_insure.errors import InputError, Issue, SmeInsureError
from sme_insure.money import format_cny
from sme_insure.pension import (
    AdHocContribution,
    MemberPlan,
    PayoutKind,
    Sleeve,
    SleeveSwitch,
    illustrate,
    load_terms,
)
from sme_insure.pension.render import render_html

app = typer.Typer(
    help="Life contingencies: tables, annuities and assurances.", no_args_is_help=True
)
illustrate_app = typer.Typer(help="Benefit illustrations.", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)


class Timing(StrEnum):
    """When annuity payments fall in each period."""

    DUE = "due"
    IMMEDIATE = "immediate"


class AssuranceKind(StrEnum):
    """Which assurance to value."""

    WHOLE = "whole"
    TERM = "term"
    ENDOWMENT = "endowment"
    PURE_ENDOWMENT = "pure-endowment"


TableOpt = Annotated[str, typer.Option("--table", "-t", help="Table id: CL1..CL6, SULT.")]
CsvOpt = Annotated[
    Path | None, typer.Option("--csv", help="Insurer's own table: CSV with age, qx[, sex].")
]
CsvKindOpt = Annotated[life.TableKind, typer.Option("--csv-kind", help="Kind of the CSV table.")]
AgesOpt = Annotated[list[int], typer.Option("--age", "-a", help="Age; repeat for several.")]
RatesOpt = Annotated[list[float], typer.Option("--interest", "-i", help="Annual rate; repeat.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@contextmanager
def _user_errors() -> Iterator[None]:
    """Print a library error's message and exit with code 2 (no traceback for bad input)."""
    try:
        yield
    except SmeInsureError as exc:
        errors.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(2) from None


def _table(table_id: str, csv: Path | None, csv_kind: life.TableKind) -> life.LifeTable:
    """The table named by id, or the insurer's CSV (id = file stem)."""
    if csv is not None:
        return life.read_table_csv(csv, table_id=csv.stem, kind=csv_kind)
    return life.get_table(table_id)


def _emit(title: str, headers: list[str], rows: list[list[Any]], as_json: bool) -> None:
    """Rows as a rich table, or as a JSON list of objects."""
    if as_json:
        console.print_json(json.dumps([dict(zip(headers, r, strict=True)) for r in rows]))
        return
    out = Table(title=title)
    for h in headers:
        out.add_column(h, justify="right", overflow="fold")
    for r in rows:
        out.add_row(*(f"{v:.6f}" if isinstance(v, float) else str(v) for v in r))
    console.print(out)


def _grid(ages: list[int], rates: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """Every (age, rate) pair as two broadcast columns."""
    return np.asarray(ages)[:, None], np.asarray(rates)[None, :]


@app.command()
def annuity(
    age: AgesOpt,
    interest: RatesOpt,
    table: TableOpt = "SULT",
    csv: CsvOpt = None,
    csv_kind: CsvKindOpt = life.TableKind.NON_ANNUITY,
    timing: Annotated[Timing, typer.Option(help="Payments in advance or in arrear.")] = Timing.DUE,
    term: Annotated[int | None, typer.Option(help="Temporary annuity: years.")] = None,
    deferral: Annotated[int | None, typer.Option(help="Deferred annuity: years.")] = None,
    m: Annotated[int, typer.Option("--m", help="Payments per year.")] = 1,
    method: Annotated[life.MthlyMethod, typer.Option(help="m-thly method.")] = life.MthlyMethod.UDD,
    as_json: JsonOpt = False,
) -> None:
    """Life annuity values (whole life, temporary or deferred) for each age and rate."""
    with _user_errors():
        if term is not None and deferral is not None:
            raise InputError([Issue("deferral", deferral, "give --term or --deferral, not both")])
        lt, (x, i) = _table(table, csv, csv_kind), _grid(age, interest)
        values = _annuity_values(lt, x, i, timing, term, deferral, m, method)
        rows = [
            [a, r, float(values[k, n])] for k, a in enumerate(age) for n, r in enumerate(interest)
        ]
        _emit(
            f"{timing} annuity, {lt.table_id}, m={m}", ["age", "interest", "value"], rows, as_json
        )


def _annuity_values(
    lt: life.LifeTable,
    x: Any,
    i: Any,
    timing: Timing,
    term: int | None,
    deferral: int | None,
    m: int,
    method: life.MthlyMethod,
) -> np.ndarray:
    """Dispatch to the annuity function the options name."""
    due = timing is Timing.DUE
    opts = {"interest": i, "m": m, "method": method}
    if term is not None:
        f = life.temporary_annuity_due if due else life.temporary_annuity_immediate
        return np.asarray(f(lt, x, term=term, **opts))
    if deferral is not None:
        f = life.deferred_annuity_due if due else life.deferred_annuity_immediate
        return np.asarray(f(lt, x, deferral=deferral, **opts))
    f = life.whole_life_annuity_due if due else life.whole_life_annuity_immediate
    return np.asarray(f(lt, x, **opts))


@app.command()
def assurance(
    age: AgesOpt,
    interest: RatesOpt,
    table: TableOpt = "SULT",
    csv: CsvOpt = None,
    csv_kind: CsvKindOpt = life.TableKind.NON_ANNUITY,
    kind: Annotated[AssuranceKind, typer.Option(help="Which benefit.")] = AssuranceKind.WHOLE,
    term: Annotated[int | None, typer.Option(help="Term in years (not for whole).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Assurance values (benefit at the end of the year of death) for each age and rate."""
    with _user_errors():
        lt, (x, i) = _table(table, csv, csv_kind), _grid(age, interest)
        if kind is AssuranceKind.WHOLE:
            values = life.whole_life_assurance(lt, x, interest=i)
        elif term is None:
            raise InputError([Issue("term", None, f"--term is required for {kind}")])
        else:
            f = {
                AssuranceKind.TERM: life.term_assurance,
                AssuranceKind.ENDOWMENT: life.endowment_assurance,
                AssuranceKind.PURE_ENDOWMENT: life.pure_endowment,
            }[kind]
            values = f(lt, x, term=term, interest=i)
        values = np.asarray(values)
        rows = [
            [a, r, float(values[k, n])] for k, a in enumerate(age) for n, r in enumerate(interest)
        ]
        _emit(f"{kind} assurance, {lt.table_id}", ["age", "interest", "value"], rows, as_json)


@app.command("table")
def show_table(
    table: TableOpt = "SULT",
    csv: CsvOpt = None,
    csv_kind: CsvKindOpt = life.TableKind.NON_ANNUITY,
    age: Annotated[
        list[int] | None, typer.Option("--age", "-a", help="Ages (default all).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """A table's metadata, and q_x, ℓ_x, e_x, e̊_x at the chosen ages."""
    with _user_errors():
        lt = _table(table, csv, csv_kind)
        ages = np.asarray(age if age else lt.ages)
        cols = [lt.q(ages), lt.survivors(ages), life.curtate_expectation(lt, ages)]
        cols.append(life.complete_expectation(lt, ages))
        rows = [[int(a), *(float(c[k]) for c in cols)] for k, a in enumerate(ages)]
        if not as_json:
            console.print(f"[bold]{lt.table_id}[/bold] {lt.name} ({lt.kind}, {lt.sex})")
            console.print(f"source: {lt.source}", highlight=False)
        _emit(lt.table_id, ["age", "qx", "lx", "ex", "e0x"], rows, as_json)


def _switches(specs: list[str]) -> tuple[SleeveSwitch, ...]:
    """``YEAR:SLEEVE`` texts as switches."""
    out = []
    for spec in specs:
        year, _, sleeve = spec.partition(":")
        if not year.strip().isdigit() or not sleeve:
            raise InputError([Issue("switch", spec, "must look like YEAR:SLEEVE, e.g. 10:steady")])
        out.append(SleeveSwitch(int(year), sleeve))
    return tuple(out)


def _ad_hoc(specs: list[str]) -> tuple[AdHocContribution, ...]:
    """``YEAR:MONTH:AMOUNT`` texts as ad hoc contributions."""
    out = []
    for spec in specs:
        parts = spec.split(":")
        try:
            year, month, amount = int(parts[0]), int(parts[1]), float(parts[2])
        except (ValueError, IndexError):
            reason = "must look like YEAR:MONTH:AMOUNT, e.g. 3:6:5000"
            raise InputError([Issue("ad_hoc", spec, reason)]) from None
        out.append(AdHocContribution(year, month, amount))
    return tuple(out)


def _print_illustration(ill: Any) -> None:
    """Year-end accounts and surrender values per scenario, then the pension at retirement."""
    names = list(ill.retirement_account)
    out = Table(title=f"利益演示 / Benefit illustration: {ill.member_id}")
    for h in ["year", "age", "sleeve", "paid", *[f"account {s}" for s in names]]:
        out.add_column(h, justify="right", overflow="fold")
    out.add_column("surrender (medium)", justify="right", overflow="fold")
    for r in ill.rows:
        paid = format_cny(r.contributions + r.top_ups)
        accounts = [format_cny(r.account[s]) for s in names]
        surrender = format_cny(r.surrender_value["medium"])
        out.add_row(str(r.policy_year), str(r.age), r.sleeve, paid, *accounts, surrender)
    console.print(out)
    pay = Table(title=f"退休领取 / Pension at {ill.retirement_age} ({ill.payout})")
    for h in ["", *names]:
        pay.add_column(h, justify="right", overflow="fold")
    pay.add_row("account at retirement", *[format_cny(ill.retirement_account[s]) for s in names])
    pay.add_row("monthly pension", *[format_cny(ill.monthly_pension[s]) for s in names])
    console.print(pay)
    console.print(ill.vat_note, highlight=False)


@illustrate_app.callback()
def _illustrate() -> None:
    """Benefit illustrations."""


@illustrate_app.command()
def pension(
    terms: Annotated[Path, typer.Option(help="YAML file of pension terms (or a product file).")],
    sex: Annotated[str, typer.Option(help="male or female.")],
    age: Annotated[int, typer.Option(help="Age last birthday at entry.")],
    retirement_age: Annotated[int, typer.Option(help="Age at retirement.")],
    sleeve: Annotated[Sleeve, typer.Option(help="Initial sleeve.")],
    section: Annotated[str | None, typer.Option(help="Key of the terms in a product file.")] = None,
    member_id: Annotated[str, typer.Option(help="Member reference.")] = "member",
    payout: Annotated[PayoutKind, typer.Option(help="Payout at retirement.")] = PayoutKind.LIFE,
    fixed_term: Annotated[int | None, typer.Option(help="Years, for fixed_term payout.")] = None,
    monthly: Annotated[float, typer.Option(help="Monthly contribution, CNY.")] = 0.0,
    annual: Annotated[float, typer.Option(help="Annual contribution, CNY.")] = 0.0,
    topup_monthly: Annotated[float, typer.Option(help="Employer/platform, monthly.")] = 0.0,
    topup_annual: Annotated[float, typer.Option(help="Employer/platform, annual.")] = 0.0,
    switch: Annotated[list[str] | None, typer.Option(help="YEAR:SLEEVE; repeat.")] = None,
    ad_hoc: Annotated[list[str] | None, typer.Option(help="YEAR:MONTH:AMOUNT; repeat.")] = None,
    html: Annotated[Path | None, typer.Option(help="Also write the HTML page here.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Benefit illustration of one member of the commercial pension for flexible workers."""
    with _user_errors():
        plan = MemberPlan(
            member_id,
            sex,
            age,
            retirement_age,
            sleeve,
            payout,
            fixed_term,
            monthly,
            annual,
            topup_monthly,
            topup_annual,
            _ad_hoc(ad_hoc or []),
            _switches(switch or []),
        )
        ill = illustrate(load_terms(terms, section=section), plan)
        if html is not None:
            html.write_text(render_html(ill), encoding="utf-8")
        if as_json:
            console.print_json(json.dumps(ill.to_dict(), ensure_ascii=False))
        else:
            _print_illustration(ill)
