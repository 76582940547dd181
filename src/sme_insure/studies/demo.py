"""The demo: a synthetic SME property book with known truth and a study configuration for it."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import yaml

from sme_insure.settings import products_dir, tables_dir
from sme_insure.studies.config import StudyConfig, parse_study_config
from sme_insure.studies.factors import resolve_factors
from sme_insure.studies.losses import future_dates
from sme_insure.studies.rerating import RatingContext
from sme_insure.studies.synthetic import SyntheticBook, SyntheticSpec, Truth, synthetic_book

DATA = resources.files("sme_insure.studies") / "data"


def demo_truth() -> Truth:
    """The known truth of the demo book."""
    return Truth(**yaml.safe_load((DATA / "sme_property_truth.yaml").read_text("utf-8")))


def demo_config_text() -> str:
    """The demo study configuration, as shipped."""
    return (DATA / "sme_property_study.yaml").read_text("utf-8")


def spec_for(config: StudyConfig, n_policies: int, seed: int) -> SyntheticSpec:
    """A synthetic book matching a study's dates, rate history and exposure base."""
    return SyntheticSpec(
        n_policies=n_policies,
        first_written=config.experience.start,
        last_written=config.experience.end,
        window_start=config.experience.start,
        valuation=config.valuation_date,
        future_accident=future_dates(config.indication)[1].date(),
        rate_history=config.on_level.rate_history,
        exposure_input=config.exposure.input,
        exposure_per=config.exposure.per,
        seed=seed,
    )


def book_for(
    config: StudyConfig,
    rating: RatingContext,
    n_policies: int,
    seed: int,
    truth: Truth | None = None,
) -> SyntheticBook:
    """The synthetic book of a study configuration (its factors carry the truth)."""
    catalogue = rating.catalogue
    product = catalogue.get(config.product, as_of=config.current_rates_as_of)
    factors = resolve_factors(product, catalogue.tables, config.factors, config.current_rates_as_of)
    return synthetic_book(
        rating, factors, truth or demo_truth(), spec_for(config, n_policies, seed)
    )


def write_demo(folder: Path, n_policies: int = 200_000, seed: int = 7) -> list[Path]:
    """Write ``book.parquet``, ``claims.parquet``, ``truth.yaml`` and ``study.yaml``."""
    folder.mkdir(parents=True, exist_ok=True)
    raw = yaml.safe_load(demo_config_text())
    config = parse_study_config(
        {**raw, "data": {"book": "book.parquet", "claims": "claims.parquet"}}
    )
    rating = RatingContext(products_dir(), tables_dir(), config.product, config.current_rates_as_of)
    book = book_for(config, rating, n_policies, seed)
    book.book.to_parquet(folder / "book.parquet", index=False)
    book.claims.to_parquet(folder / "claims.parquet", index=False)
    (folder / "study.yaml").write_text(demo_config_text(), encoding="utf-8")
    with resources.as_file(DATA / "sme_property_truth.yaml") as truth:
        shutil.copyfile(truth, folder / "truth.yaml")
    return [folder / n for n in ("book.parquet", "claims.parquet", "truth.yaml", "study.yaml")]
