"""Everything a study reads before it computes: catalogue, product, factors, data sources.

Structural problems (unknown product or factor, a missing column, bad claim rows in a strict
study) are raised here, before any pass over the book.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from sme_insure.catalogue import Catalogue
from sme_insure.catalogue.product import Product
from sme_insure.errors import InputError, Issue
from sme_insure.reserving import read_claim_transactions, validate_claim_transactions
from sme_insure.settings import products_dir, tables_dir
from sme_insure.studies.book import (
    REQUIRED,
    is_parquet,
    read_table,
    require_columns,
    rows_from_transactions,
)
from sme_insure.studies.config import StudyConfig
from sme_insure.studies.engine import Source
from sme_insure.studies.factors import StudyFactor, check_exposure_input, resolve_factors
from sme_insure.studies.rerating import RatingContext
from sme_insure.studies.rows import RowSpec
from sme_insure.studies.vocabulary import DataSource, OnLevelMethod


@dataclass(frozen=True)
class StudyInputs:
    """The resolved study: rating context, product, factors, row spec, sources and claims."""

    rating: RatingContext
    product: Product
    factors: tuple[StudyFactor, ...]
    spec: RowSpec
    source: Source
    claims: pd.DataFrame
    notes: tuple[str, ...]


def rating_context(config: StudyConfig) -> RatingContext:
    """Catalogue folders (configured or default) and the current rates' date."""
    return RatingContext(
        Path(config.catalogue.products or products_dir()),
        Path(config.catalogue.tables or tables_dir()),
        config.product,
        config.current_rates_as_of,
    )


def _columns(source: Source) -> list[str]:
    if not isinstance(source, Path):  # a pandas or dask DataFrame
        return list(source.columns)
    if source.exists() and is_parquet(source):
        return list(pq.ParquetDataset(source).schema.names)
    if source.exists():
        return list(pd.read_csv(source, nrows=0).columns)
    return list(read_table(source).columns)  # raises the file's problem


def _needed(product: Product, spec: RowSpec) -> tuple[str, ...]:
    if spec.method is OnLevelMethod.PARALLELOGRAM:
        return spec.needed_inputs
    return tuple(
        dict.fromkeys([*(i.name for i in product.inputs if i.required), *spec.needed_inputs])
    )


def _claims(config: StudyConfig, given: pd.DataFrame | None) -> tuple[pd.DataFrame, list[str]]:
    if given is not None:
        checked = validate_claim_transactions(given, source="claims")
    else:
        assert config.data.claims is not None  # DataConfig requires it for files
        checked = read_claim_transactions(config.data.claims)
    notes = []
    if checked.issues:
        if config.data.strict:
            checked.raise_for_issues("claim transactions")
        notes.append(f"{checked.n_rejected} claim transaction row(s) rejected")
    frame = checked.frame
    mine = frame["product_code"] == config.product
    if (~mine).any():
        notes.append(f"{int((~mine).sum())} claim transaction row(s) of other products ignored")
    return frame.loc[mine].reset_index(drop=True), notes


def resolve_study(
    catalogue: Catalogue, config: StudyConfig
) -> tuple[Product, tuple[StudyFactor, ...]]:
    """The product in force on the current-rates date and the studied factors. Every problem of
    the configuration against the catalogue (product, factor, table, base level, exposure input,
    impact segment) is raised here, before any data is read."""
    product = catalogue.get(config.product, as_of=config.current_rates_as_of)
    factors = resolve_factors(product, catalogue.tables, config.factors, config.current_rates_as_of)
    check_exposure_input(product, config.exposure.input)
    _segments(config, factors)
    return product, factors


def _database_source(config: StudyConfig, source: Source | None, claims: object) -> None:
    if config.data.source is DataSource.DATABASE and (source is None or claims is None):
        raise InputError(
            [
                Issue(
                    "data.source",
                    "database",
                    "a tenant's own book is read by "
                    "sme_insure.services.study_data.run_study_on_database (CLI: --tenant)",
                )
            ]
        )


def load_inputs(
    config: StudyConfig, source: Source | None = None, claims: pd.DataFrame | None = None
) -> StudyInputs:
    """Resolve the study; ``source`` overrides the configured book (e.g. a dask DataFrame) and
    ``claims`` the configured claim transactions (both given for ``data.source: database``)."""
    _database_source(config, source, claims)
    rating = rating_context(config)
    product, factors = resolve_study(rating.catalogue, config)
    spec = RowSpec(
        rating, factors, config.exposure.input, config.exposure.per, config.on_level.method
    )
    needed = _needed(product, spec)
    if source is None and config.data.premiums is not None:
        assert config.data.book is not None  # DataConfig requires it for files
        book = read_table(config.data.book)
        require_columns(book, ["policy_id", *needed], str(config.data.book))
        source = rows_from_transactions(book, read_table(config.data.premiums))
    source = config.data.book if source is None else source
    columns = pd.DataFrame(columns=_columns(source))
    require_columns(columns, [*REQUIRED, *needed], str(config.data.book or "book"))
    claim_rows, notes = _claims(config, claims)
    return StudyInputs(rating, product, factors, spec, source, claim_rows, tuple(notes))


def _segments(config: StudyConfig, factors: tuple[StudyFactor, ...]) -> tuple[StudyFactor, ...]:
    by_name = {f.input: f for f in factors}
    names = config.impact.segments or tuple(by_name)
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise InputError(
            [Issue("impact.segments", unknown, f"segments are studied factors: {list(by_name)}")]
        )
    return tuple(by_name[n] for n in names)


def segment_factors(config: StudyConfig, inputs: StudyInputs) -> tuple[StudyFactor, ...]:
    """Impact segments: configured inputs (a studied factor keeps its levels), else the
    studied factors."""
    return _segments(config, inputs.factors)
