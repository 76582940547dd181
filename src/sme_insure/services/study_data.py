"""The experience of a rate study from the system's own records: a tenant's policies, premium
transactions and claims, in the study's contracts (``docs/rate-studies.md``).

Exposure rows: one per premium transaction, ``policy_id`` the policy number, cover from the
transaction's effective date to the day before its period end (included), written premium signed,
exposure in policy-years, days / 365 as :mod:`.actuarial` counts it for reserving (written and
reinstatement +, cancellation −), with the rating inputs in force after the transaction, the
product code and version.

An endorsement or a year-end adjustment changes inputs but not exposure. One row would leave the
exposure on the old inputs and put the charge on no exposure at the new ones, so each part of the
cover from its date is reversed with the inputs that applied to that part (the remaining
exposure −, and the premium that part's annual premium charged for it −, pro rata to the day),
and the whole of it is put on the inputs after (+, the rest of the premium). An adjustment
dated from the policy start after an endorsement thus reverses both the original and the
endorsed parts. A cancellation reverses the parts it ends, its own premium shared as they
charged. The rows sum to the transactions' premium exactly, each cell's exposure is what was
in force with its inputs, and a claim after a change falls on the new inputs.

Claims are the tenant's claim transactions of the product (the reserving contract). Group
products rated on a schedule of insured persons (``inputs.persons``) are not per-risk: refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from itertools import groupby
from typing import Any

import pandas as pd
from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from sme_insure.catalogue import Catalogue
from sme_insure.catalogue.product import Product
from sme_insure.errors import ConfigurationError, InputError, Issue, NotFoundError
from sme_insure.policies.proration import exposure_years, round_fraction
from sme_insure.policies.states import TransactionKind
from sme_insure.services.actor import Action, Actor, authorize
from sme_insure.services.claims_reporting import claim_transactions_frame
from sme_insure.services.pricing import PERSONS
from sme_insure.storage.schema import Policy, PremiumTransaction
from sme_insure.studies import StudyConfig, StudyResult, run_study
from sme_insure.studies.config import CatalogueConfig, EngineConfig, named_paths
from sme_insure.studies.config import parse_study_config as _parse
from sme_insure.studies.inputs import resolve_study
from sme_insure.studies.study import Progress
from sme_insure.studies.vocabulary import DataSource, EngineKind

EXPOSING = {TransactionKind.WRITTEN: 1, TransactionKind.CANCELLATION: -1,
            TransactionKind.REINSTATEMENT: 1}
RE_RATING = (TransactionKind.ENDORSEMENT, TransactionKind.ADJUSTMENT)
ROW_COLUMNS = ("policy_id", "product_code", "product_version", "transaction_kind",
               "transaction_date", "effective_from", "effective_to", "written_fen", "exposure")
DAY = dt.timedelta(days=1)




@dataclass
class _Slice:
    """Part of a policy's cover in force while its transactions are read: [start, stop) with
    the inputs and annual premium that apply to it."""

    inputs: dict[str, Any]
    start: dt.date
    stop: dt.date
    annual_fen: int


def _row(t: Row[Any], inputs: Mapping[str, Any], start: dt.date, stop: dt.date, written: int,
         sign: int) -> dict[str, Any]:
    """One exposure row: cover [start, stop − 1 day], ``sign`` × its policy-years."""
    return {**inputs, "policy_id": t.number, "product_code": t.product_code,
            "product_version": t.product_version, "transaction_kind": t.kind,
            "transaction_date": t.transaction_date, "effective_from": start,
            "effective_to": stop - DAY, "written_fen": written,
            "exposure": sign * exposure_years(start, stop, (t.start_date, t.end_date))}


def _returned(piece: _Slice, start: dt.date, t: Row[Any]) -> int:
    """What a slice's annual premium charges for [start, its stop), pro rata to the day over
    the term (fen, half up), as an endorsement prorates."""
    share = Fraction((piece.stop - start).days, (t.end_date - t.start_date).days)
    return round_fraction(piece.annual_fen * share)


def _take_back(t: Row[Any], slices: list[_Slice]) -> tuple[list[dict[str, Any]], int, list[_Slice]]:
    """Reverse every slice from the transaction's effective date on, each with its own inputs
    (exposure −, the premium it charged for that part −); the slices kept, cut at that date."""
    rows, back_total, kept = [], 0, []
    for piece in slices:
        if piece.stop <= t.effective_date:
            kept.append(piece)
            continue
        start = max(piece.start, t.effective_date)
        back = _returned(piece, start, t)
        rows.append(_row(t, piece.inputs, start, piece.stop, -back, -1))
        back_total += back
        if piece.start < t.effective_date:
            kept.append(_Slice(piece.inputs, piece.start, t.effective_date, piece.annual_fen))
    return rows, back_total, kept


def _policy_rows(rows: Iterable[Row[Any]]) -> Iterator[dict[str, Any]]:
    """The exposure rows of one policy's transactions, in sequence (see the module docstring).

    A change from a date (endorsement, adjustment) reverses each part of the cover from that
    date with the inputs that applied to it, then puts the whole of it on the new inputs; a
    cancellation reverses the parts it ends, its premium on them pro rata (the last one takes
    the rounding), so that the rows always sum to the transactions."""
    slices: list[_Slice] = []
    for t in rows:
        inputs = {k: v for k, v in t.inputs_after.items() if k != PERSONS}
        e = t.effective_date
        stop = max((piece.stop for piece in slices), default=e)
        if t.kind in RE_RATING and slices and e < stop:
            taken, back, slices = _take_back(t, slices)
            yield from taken
            yield _row(t, inputs, e, stop, t.premium_fen + back, 1)
            slices.append(_Slice(inputs, e, stop, t.annual_premium_after_fen))
        elif t.kind == TransactionKind.CANCELLATION and slices and e < stop:
            taken, back, slices = _take_back(t, slices)
            share = [r["written_fen"] for r in taken]
            total = sum(share) or -1
            for r in taken:  # the cancellation's own premium, shared as the parts charged
                r["written_fen"] = round_fraction(Fraction(t.premium_fen * r["written_fen"], total))
            taken[-1]["written_fen"] += t.premium_fen - sum(r["written_fen"] for r in taken)
            yield from taken
        else:
            yield _row(t, inputs, e, t.period_end, t.premium_fen, EXPOSING.get(t.kind, 0))
            if EXPOSING.get(t.kind, 0) > 0:
                slices.append(_Slice(inputs, e, t.period_end, t.annual_premium_after_fen))


def _transactions(session: Session, actor: Actor, product_code: str,
                  as_of: dt.date) -> list[Row[Any]]:
    """Premium transactions of the product booked by ``as_of`` in the actor's scope, by policy
    and sequence."""
    pt = PremiumTransaction
    query = (select(Policy.number, Policy.product_code, Policy.product_version, Policy.start_date,
                    Policy.end_date, pt.sequence, pt.kind, pt.effective_date, pt.period_end,
                    pt.transaction_date, pt.premium_fen, pt.annual_premium_after_fen,
                    pt.inputs_after)
             .join(Policy, Policy.id == pt.policy_id)
             .where(pt.tenant_id == actor.tenant_id, Policy.tenant_id == actor.tenant_id,
                    Policy.product_code == product_code, pt.transaction_date <= as_of)
             .order_by(Policy.number, pt.sequence))
    if actor.channel_scope is not None:
        query = query.where(Policy.channel == actor.channel_scope)
    return list(session.execute(query))


def _refuse_schedules(rows: list[Row[Any]], product_code: str) -> None:
    if any(PERSONS in r.inputs_after for r in rows):
        raise InputError([Issue("product", product_code,
                                f"{product_code} is rated on a schedule of insured persons "
                                "(inputs.persons); a rate study is for per-risk products")])


def exposure_rows(session: Session, actor: Actor, product_code: str,
                  as_of: dt.date) -> pd.DataFrame:
    """The study's exposure rows of the product (see the module docstring)."""
    rows = _transactions(session, actor, product_code, as_of)
    _refuse_schedules(rows, product_code)
    found = [r for _, policy in groupby(rows, key=lambda r: r.number) for r in _policy_rows(policy)]
    frame = pd.DataFrame(found)
    if frame.empty:
        return pd.DataFrame(columns=list(ROW_COLUMNS))
    for name in ("transaction_date", "effective_from", "effective_to"):
        frame[name] = pd.to_datetime(frame[name])
    frame["written_fen"] = frame["written_fen"].astype("int64")
    inputs = [c for c in frame.columns if c not in ROW_COLUMNS]
    return frame[[*ROW_COLUMNS, *inputs]]


def study_frames(session: Session, actor: Actor, product_code: str,
                 as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(exposure rows, claim transactions) of the product in the actor's scope, booked by
    ``as_of``: the experience of a rate study from the system's own records."""
    authorize(actor, Action.ACTUARIAL)
    book = exposure_rows(session, actor, product_code, as_of)
    claims = claim_transactions_frame(session, actor.tenant_id, as_of)
    mine = claims["product_code"] == product_code
    if actor.channel_scope is not None:
        mine &= claims["policy_id"].isin(set(book["policy_id"]))
    return book, claims.loc[mine].reset_index(drop=True)


@dataclass(frozen=True)
class OwnBook:
    """A study configuration with the tenant's rows and claims, ready for ``run_study``."""

    config: StudyConfig
    rows: Any  # a pandas frame, or a dask frame partitioned by policy
    claims: pd.DataFrame


def _with_catalogue(config: StudyConfig, catalogue: Catalogue) -> StudyConfig:
    """The study re-rates on the service's catalogue folders unless it names its own."""
    if config.catalogue != CatalogueConfig() or catalogue.source is None:
        return config
    products, tables = catalogue.source
    return config.model_copy(update={"catalogue": CatalogueConfig(products=products,
                                                                  tables=tables)})


def _declared_inputs(rows: pd.DataFrame, product: Product) -> pd.DataFrame:
    """A column for every input of the product (empty where no policy gave it: the rater then
    takes the product's default, or reports the input missing)."""
    missing = [i.name for i in product.inputs if i.name not in rows.columns]
    return rows.assign(**dict.fromkeys(missing, None))


def _partitioned(rows: pd.DataFrame, engine: EngineConfig) -> Any:
    """For Dask, partitions by policy number, so that all rows of a policy are in one."""
    if engine.kind is EngineKind.PANDAS:
        return rows
    import dask.dataframe as dd

    keyed = rows.set_index(rows["policy_id"].rename("_policy"))
    return dd.from_pandas(keyed, npartitions=engine.partitions, sort=True)


def own_book(session: Session, catalogue: Catalogue, actor: Actor,
             config: StudyConfig) -> OwnBook:
    """Check a ``data.source: database`` configuration against the catalogue, then read the
    tenant's rows and claims of its product up to the valuation date."""
    authorize(actor, Action.ACTUARIAL)
    if config.data.source is not DataSource.DATABASE:
        raise InputError([Issue("data.source", str(config.data.source),
                                "the study names files; set `data: {source: database}` to "
                                "study the tenant's own book")])
    config = _with_catalogue(config, catalogue)
    product, _ = resolve_study(catalogue, config)
    rows, claims = study_frames(session, actor, config.product, config.valuation_date)
    if rows.empty:
        raise InputError([Issue("product", config.product, "no premium transaction of this "
                                f"product booked by {config.valuation_date} in this tenant")])
    rows = _declared_inputs(rows, product)
    return OwnBook(config, _partitioned(rows, config.engine), claims)


def run_study_on_database(session: Session, catalogue: Catalogue, actor: Actor,
                          config: StudyConfig, *, progress: Progress | None = None) -> StudyResult:
    """The rate study of ``config`` on the actor's tenant's own book (read in ``session``)."""
    book = own_book(session, catalogue, actor, config)
    return run_study(book.config, source=book.rows, claims=book.claims, progress=progress)


def _as_input_error(error: ConfigurationError | NotFoundError | InputError) -> InputError:
    """The configuration is the caller's input here: its problems are 422s naming its fields."""
    issues = getattr(error, "issues", None) or [Issue(getattr(error, "kind", ""),
                                                      getattr(error, "key", None), str(error))]
    return InputError([Issue(f"config.{i.field}".rstrip("."), i.value, i.reason) for i in issues],
                      context="study configuration")


def api_study_config(catalogue: Catalogue, actor: Actor, raw: Mapping[str, Any]) -> StudyConfig:
    """A study configuration sent over the API: the tenant's own book (``data`` defaults to
    ``{source: database}``), no server file or folder, the pandas engine, and checked against the
    catalogue; every problem is an :class:`InputError` naming ``config.<field>``."""
    authorize(actor, Action.ACTUARIAL)
    data = raw.get("data", {})
    body = {**raw, "data": {"source": "database", **data}} if isinstance(data, Mapping) else raw
    try:
        config = _parse(body, source="config")
        refused = [Issue(p, "given", "a study over the API names no server file or folder")
                   for p in named_paths(config)]
        if config.engine.kind is not EngineKind.PANDAS:
            refused.append(Issue("engine.kind", str(config.engine.kind),
                                 "studies over the API run in memory (pandas)"))
        if refused:
            raise InputError(refused)
        resolve_study(catalogue, config)
    except (ConfigurationError, NotFoundError, InputError) as error:
        raise _as_input_error(error) from error
    return config
