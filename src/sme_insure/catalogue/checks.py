"""Cross-checks of products against tables, run by ``sme-insure products validate``.

Beyond each file's own schema: every table a step names exists; its keys are the ones the step
maps; every level an input can send exists in every version of the table that can be in force
while the product is; numeric inputs' declared ranges fall inside band and interpolation ranges;
table versions have no gaps or overlaps, and cover each product's whole span; product versions of
one code do not overlap.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from pathlib import Path

import numpy as np

from sme_insure import clock
from sme_insure.catalogue.catalogue import Catalogue
from sme_insure.catalogue.product import Product
from sme_insure.catalogue.regions import province_codes
from sme_insure.catalogue.steps import Lookup, step_lookups
from sme_insure.catalogue.terms import InputSpec
from sme_insure.catalogue.vocabulary import InputType
from sme_insure.errors import ConfigurationError, Issue
from sme_insure.tables import MatchKind, RatingTable, TableStatus
from sme_insure.tables.keys import canonical

log = logging.getLogger(__name__)


def _overlaps(product: Product, table: RatingTable) -> bool:
    t, p = table.meta, product
    return (t.effective_to is None or t.effective_to > p.effective_from) and (
        p.effective_to is None or p.effective_to > t.effective_from
    )


def _sendable_levels(spec: InputSpec) -> list[str] | None:
    if spec.type is InputType.CATEGORY:
        return [canonical(v) for v in spec.levels or []]
    if spec.type is InputType.BOOLEAN:
        return ["true", "false"]
    if spec.type is InputType.REGION:
        return province_codes()
    return None


def _check_axis(
    product: Product, spec: InputSpec | None, table: RatingTable, key: str, match: MatchKind
) -> list[str]:
    if spec is None:  # derived numbers: ranges unknown, checked at rating time
        return (
            [] if match is not MatchKind.EXACT else [f"{key}: derived numbers cannot be exact keys"]
        )
    if match is MatchKind.EXACT:
        levels = _sendable_levels(spec)
        if levels is None:
            return (
                []
                if spec.type is InputType.INDUSTRY
                else [f"{key}: a {spec.type} input cannot be an exact key"]
            )
        missing = sorted(set(levels) - set(table.levels(key)))
        return (
            [f"levels {missing} of input {spec.name!r} are not in {table.label}"] if missing else []
        )
    if not spec.type.is_numeric:
        return [f"{key}: {spec.type} input {spec.name!r} cannot be a {match} key"]
    axis = next(a for a in table.axes if a.key.name == key)
    lo = axis.lower[0]  # type: ignore[index]
    hi = axis.upper[-1] if axis.upper is not None else axis.lower[-1]  # type: ignore[index]
    open_top = match is MatchKind.BAND and np.isfinite(hi)  # bands are [from, to): to is excluded
    too_high = spec.max is not None and (spec.max >= hi if open_top else spec.max > hi)
    if spec.min is None or spec.max is None or spec.min < lo or too_high:
        return [
            f"input {spec.name!r} range [{spec.min}, {spec.max}] is not inside {table.label}'s "
            f"{key} range [{lo:g}, {hi:g}]"
        ]
    return []


def _check_lookup(catalogue: Catalogue, product: Product, lookup: Lookup) -> list[str]:
    if lookup.table not in catalogue.tables:
        return [f"table {lookup.table!r} does not exist"]
    problems: list[str] = []
    specs = {i.name: i for i in product.inputs}
    for table in catalogue.tables.versions(lookup.table):
        if table.meta.status is TableStatus.DRAFT or not _overlaps(product, table):
            continue
        names = [a.key.name for a in table.axes]
        if list(lookup.keys) != names:
            problems.append(f"{table.label} keys are {names}, the step maps {list(lookup.keys)}")
            continue
        for axis, inp in zip(table.axes, lookup.inputs, strict=True):
            problems += _check_axis(product, specs.get(inp), table, axis.key.name, axis.key.match)
    return problems


def _check_cover(catalogue: Catalogue, product: Product, table_id: str) -> list[str]:
    """Rating by date picks the table version in force, so on every day of the product's span
    ``[effective_from, effective_to)`` one version selectable by date must be (products name
    tables, not versions; a version pinned at quote time is fetched by name, whatever its dates)."""
    holes = catalogue.tables.uncovered(table_id, product.effective_from, product.effective_to)
    return [
        f"no version of table {table_id} is in force from {a} to {b or 'open end'} "
        f"(the product runs {product.effective_from}–{product.effective_to or 'open end'})"
        for a, b in holes
    ]


def _product_issues(catalogue: Catalogue, product: Product, cover: bool) -> list[str]:
    problems = []
    for cov in product.coverages:
        lookups = [lk for step in cov.steps for lk in step_lookups(step)]
        lookups += [t.lookup for t in cov.limits if t.lookup]
        for lookup in lookups:
            problems += [
                f"coverage {cov.code}: {p}" for p in _check_lookup(catalogue, product, lookup)
            ]
        for table_id in dict.fromkeys(lk.table for lk in lookups) if cover else ():
            if table_id in catalogue.tables:
                problems += [
                    f"coverage {cov.code}: {p}" for p in _check_cover(catalogue, product, table_id)
                ]
    return problems


def check_catalogue(catalogue: Catalogue, *, cover: bool = True) -> list[str]:
    """Every cross-file problem, as ``'<where>: <what>'`` lines; empty when all is well.
    ``cover=False`` skips the check that table versions cover each product's dates (for a
    scratch catalogue where a draft stands alone for its table, whatever its dates)."""
    out: list[str] = [
        f"table {i.source}: {i.value} {i.reason}" for i in catalogue.tables.check_dates()
    ]
    for product in catalogue.products:
        out += [f"product {product.label}: {p}" for p in _product_issues(catalogue, product, cover)]
    for code in catalogue.codes():
        for a, b in itertools.pairwise(catalogue.versions(code)):
            if a.effective_to is None or a.effective_to > b.effective_from:
                out.append(f"product {code}: versions {a.version} and {b.version} overlap")
    return out


def load_checked(products_dir: Path, tables_dir: Path, *, as_of: dt.date | None = None) -> Catalogue:
    """Load the catalogue and refuse it unless ``check_catalogue`` finds nothing: what the server
    and the CLI rate with. The cross-checks cost a few milliseconds beside the ~0.2 s of loading.

    Problems of product versions not yet in force on ``as_of`` (the business day) are logged,
    not fatal: an insurer stages next year's product in the same folder, and the server must
    still restart meanwhile; ``products validate`` reports them all."""
    catalogue = Catalogue.load(products_dir, tables_dir)
    on = as_of or clock.today()
    staged = tuple(f"product {p.label}:" for p in catalogue.products if p.effective_from > on)
    problems = check_catalogue(catalogue)
    for later in (p for p in problems if p.startswith(staged)):
        log.warning("catalogue: %s (a product version not yet in force)", later)
    fatal = [p for p in problems if not p.startswith(staged)] if staged else problems
    if fatal:
        raise ConfigurationError(
            [
                Issue("cross-check", where, what)
                for where, _, what in (p.partition(": ") for p in fatal)
            ]
        )
    return catalogue
