"""Schedules: group products rated person by person, the policy being their sum.

A schedule is a DataFrame with one row per insured person: the resident ID number (column
``id_number``), optionally ``birth_date`` and ``sex``, and the person-level inputs of the product
(occupational class, sum insured, ...). :func:`rate_schedule`

1. checks the schedule, vectorised (:mod:`sme_insure.rating.persons`): the ID number
   (GB 11643-1999; a wrong check character is an input error of that person), the same ID
   number on two rows (both rows flagged), a given birth date, sex or age that disagrees with
   the ID number;
2. derives ``birth_date`` and ``sex`` from the ID number, and ``age`` in completed years at cover
   start: age = ⌊(YYYYMMDD of cover start − YYYYMMDD of birth) / 10 000⌋ (a person born on
   29 February is a year older from 1 March in common years);
3. broadcasts the policy-level inputs to every person, sets ``headcount`` (when the product has
   that input) to the number of persons rated, and rates them with the same engine: a person
   alone is a batch of one and gets the same figures. A person who fails in rating is listed and
   the others are rated again without them, so the headcount never counts a person not insured;
4. rolls up: each fen column summed over the persons, plus the policy charges.

The policy is the schedule (for a per-day product, the day's roster): the product's ``policy``
section (minimum premium, fees) applies once to the roll-up, never to each person. Persons are
therefore rated on a view of the product without that section, and ``policy_adjustment`` is the
difference the section makes to the summed coverage premiums under the engine's own money rules
(:func:`~sme_insure.rating.totals.policy_totals`): zero when the product has no policy charges or
the roster is above its minimum, so that the roll-up is then exactly the sum of the persons.

Issues name the person by ``row`` (0-based position in the schedule) and ``label`` (its index
label), the ``field``, the ``value`` (ID numbers masked, never raw) and the ``reason``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sme_insure.catalogue.catalogue import Catalogue
from sme_insure.catalogue.product import Product
from sme_insure.catalogue.steps import AdjustmentStep
from sme_insure.errors import Issue, NotFoundError, RatingInputError
from sme_insure.rating.engine import Rater
from sme_insure.rating.persons import Problems, Rows, derive
from sme_insure.rating.result import RatingResult
from sme_insure.rating.totals import policy_totals

ID_COLUMN = "id_number"
HEADCOUNT = "headcount"
DERIVED = ("birth_date", "sex", "age")
ISSUE_COLUMNS = ["row", "label", "field", "value", "reason"]
@dataclass
class ScheduleResult:
    """A rated schedule.

    ``premiums``: one row per rated person (indexed like the schedule), int64 fen columns.
    ``issues``: one row per problem of a person not rated (``row``, ``label``, ``field``,
    ``value``, ``reason``). ``inputs``: what the engine rated for each person (derived age and
    sex, broadcast policy inputs and headcount included). ``totals``: the policy roll-up.
    """

    product: Product
    as_of: dt.date
    cover_start: dt.date
    headcount: int
    premiums: pd.DataFrame
    issues: pd.DataFrame
    policy_adjustment: pd.Series
    tables: dict[str, str]
    _rater: Rater = field(repr=False)
    _frame: pd.DataFrame = field(repr=False)
    _rating: RatingResult = field(repr=False)
    _adjustment: AdjustmentStep | None = field(default=None, repr=False)

    @property
    def rating(self) -> RatingResult:
        """The engine's result over the rated persons (typed inputs for underwriting rules)."""
        return self._rating

    @property
    def totals(self) -> pd.Series:
        """The policy: each fen column summed over the persons, plus the policy charges."""
        return self.premiums.sum().astype(np.int64) + self.policy_adjustment

    @property
    def inputs(self) -> pd.DataFrame:
        """The inputs each rated person was rated on, indexed like the schedule."""
        return self._frame.set_axis(self.premiums.index)

    @property
    def versions(self) -> dict[str, object]:
        """What the policy records to be reproducible: versions, quote date and cover start."""
        return {**self._rating.versions, "cover_start": self.cover_start.isoformat()}

    def exposure(self, name: str) -> float:
        """Σ over the rated persons of a numeric input as rated (product defaults included),
        e.g. ``exposure("days")`` = the person-days of a per-day roster."""
        column = np.asarray(self._rating.prepared.columns[name], dtype=np.float64)
        return float(column[self._rating.positions].sum())

    def worksheet(self, label: object) -> pd.DataFrame:
        """Every step of one person's premium; kept from rating (``worksheet=True``) or, on
        demand, the person rated again alone on the same inputs and table versions."""
        where = np.flatnonzero(self.premiums.index == label)
        if where.size != 1:
            raise NotFoundError("rated person", label, list(map(str, self.premiums.index[:20])))
        position = self._frame.index[where[0]]
        if self._rating.has_worksheet:
            return self._rating.worksheet(position)
        alone = self._rater.rate(
            self.product.code,
            self._frame.loc[[position]],
            as_of=self.as_of,
            product_version=self.product.version,
            table_versions=self.tables,
            worksheet=True,
            adjustment=self._adjustment,
        )
        return alone.worksheet(position)


def rate_schedule(
    rater: Rater,
    code: str,
    persons: pd.DataFrame,
    policy_inputs: Mapping[str, object] | None = None,
    *,
    as_of: dt.date,
    cover_start: dt.date | None = None,
    worksheet: bool = False,
    id_column: str = ID_COLUMN,
    product_version: str | None = None,
    table_versions: Mapping[str, str] | None = None,
    adjustment: AdjustmentStep | None = None,
) -> ScheduleResult:
    """Check, derive, broadcast and rate every person of ``persons``; roll up to the policy.
    An underwriter's ``adjustment`` applies to each person's coverages before their minimums,
    so before the policy minimum of the roll-up too.

    Raises :class:`RatingInputError` only for what concerns the whole schedule (no ID column,
    duplicate index labels, an unknown or conflicting policy input, a pension product); a
    problem of one person is an issue row and the other persons are still rated.
    """
    product = rater.catalogue.get(code, product_version, as_of=as_of)
    policy_inputs = dict(policy_inputs or {})
    _check_request(product, persons, policy_inputs, id_column)
    start = cover_start or as_of
    problems = Problems(len(persons))
    derived = derive(persons, id_column, as_of, start, problems)
    ok = np.flatnonzero(~problems.bad())
    frame = _rating_frame(product, persons, ok, derived, policy_inputs)
    view = _per_person(product)
    person_rater = Rater(Catalogue([view], rater.catalogue.tables))
    rating, frame, rating_issues = _rate(person_rater, view, frame, as_of, worksheet,
                                         dict(table_versions or {}), adjustment)
    premiums = rating.premiums.set_axis(persons.index[frame.index.to_numpy()])
    return ScheduleResult(
        product=product,
        as_of=as_of,
        cover_start=start,
        headcount=len(frame),
        premiums=premiums,
        issues=_issue_frame(problems, rating_issues, persons.index),
        policy_adjustment=_policy_adjustment(product, view, premiums),
        tables=dict(rating.tables),
        _rater=person_rater,
        _frame=frame,
        _rating=rating,
        _adjustment=adjustment,
    )


def _input_names(product: Product) -> set[str]:
    return {i.name for i in product.inputs} | {c.selector for c in product.coverages if c.optional}


def _check_request(
    product: Product, persons: pd.DataFrame, policy: dict[str, object], id_column: str
) -> None:
    """Problems of the whole schedule, raised together."""
    issues: list[Issue] = []
    if product.pension is not None:
        reason = "a pension product is illustrated (sme_insure.pension), not rated"
        issues.append(Issue("code", product.code, reason))
    if id_column not in persons.columns:
        issues.append(Issue(id_column, None, "the schedule needs a resident ID number column"))
    if not persons.index.is_unique:
        issues.append(Issue("index", None, "schedule row labels must be unique"))
    if HEADCOUNT in persons.columns:
        issues.append(Issue(HEADCOUNT, None, "counted from the schedule; remove the column"))
    names = _input_names(product)
    for name in policy:
        if name in (*DERIVED, HEADCOUNT):
            issues.append(Issue(name, policy[name], "derived from the schedule, not given"))
        elif name not in names:
            issues.append(Issue(name, policy[name], f"not an input of {product.label}"))
        elif name in persons.columns:
            issues.append(Issue(name, policy[name], "given both per person and for the policy"))
    if issues:
        raise RatingInputError(issues, context=f"schedule for {product.label}")


def _rating_frame(
    product: Product,
    persons: pd.DataFrame,
    ok: Rows,
    derived: dict[str, object],
    policy: dict[str, object],
) -> pd.DataFrame:
    """The valid persons' inputs as the engine reads them, indexed by schedule position."""
    columns: dict[str, object] = {}
    for name in sorted(_input_names(product)):
        if name in policy:
            columns[name] = _broadcast(policy[name], ok.size)
        elif name in derived:
            columns[name] = derived[name][ok]  # type: ignore[index]
        elif name in persons.columns:
            columns[name] = persons[name].iloc[ok].array
        elif name == HEADCOUNT:
            columns[name] = np.full(ok.size, ok.size)
    return pd.DataFrame(columns, index=pd.Index(ok, name="row"))


def _broadcast(value: object, n: int) -> object:
    """One policy value for n persons: numbers as a float array, anything else as a one-level
    categorical (typed once by the engine, not n times)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return np.full(n, float(value))
    if value is None:
        return np.full(n, None, dtype=object)
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[value])


def _per_person(product: Product) -> Product:
    """The product as each person is rated: its policy charges (minimum premium, fees) belong
    to the schedule; the rest of the policy section is kept."""
    if product.policy.minimum_premium is None and not product.policy.fees:
        return product
    policy = product.policy.model_copy(update={"minimum_premium": None, "fees": []})
    return product.model_copy(update={"policy": policy})


def _rate(
    rater: Rater, product: Product, frame: pd.DataFrame, as_of: dt.date, worksheet: bool,
    table_versions: dict[str, str], adjustment: AdjustmentStep | None = None,
) -> tuple[RatingResult, pd.DataFrame, list[pd.DataFrame]]:
    """Rate, and while persons fail and the headcount is an input, rate the others again."""
    failed: list[pd.DataFrame] = []
    while True:
        if HEADCOUNT in frame.columns:
            frame = frame.assign(**{HEADCOUNT: len(frame)})
        result = rater.rate(
            product.code, frame, as_of=as_of, product_version=product.version,
            table_versions=table_versions, worksheet=worksheet, adjustment=adjustment,
        )
        issues = result.issues
        if len(issues):
            failed.append(issues)
        if not len(issues) or HEADCOUNT not in frame.columns:
            return result, frame.iloc[result.positions], failed
        frame = frame.drop(index=issues["label"].unique())


def _issue_frame(problems: Problems, rating: list[pd.DataFrame], labels: pd.Index) -> pd.DataFrame:
    """Schedule and rating issues together, by schedule position; rating rows are relabelled."""
    chunks = list(problems.chunks)
    for issues in rating:
        chunks.append(issues.drop(columns="row").rename(columns={"label": "row"}))
    if not chunks:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ISSUE_COLUMNS})
    out = pd.concat(chunks, ignore_index=True).sort_values("row", kind="stable")
    out["row"] = out["row"].astype(np.int64)
    out.insert(1, "label", labels[out["row"].to_numpy()])
    return out.reset_index(drop=True)[ISSUE_COLUMNS]


def _policy_adjustment(product: Product, view: Product, premiums: pd.DataFrame) -> pd.Series:
    """What the policy section (minimum premium, fees) adds to the summed persons, in fen."""
    zero = pd.Series(0, index=premiums.columns, dtype=np.int64)
    if view is product or premiums.empty:
        return zero
    sums = premiums.sum()
    cover = {c.code: np.array([sums[f"premium_{c.code}"]]) for c in product.coverages}
    adj = np.array([sums["minimum_adjustment"]])
    charged = policy_totals(product, cover, adj).iloc[0]
    plain = policy_totals(view, cover, adj).iloc[0]
    return (charged - plain).reindex(premiums.columns).astype(np.int64)
