"""Configuration of a rate study: typed, validated (``extra="forbid"``), read from YAML.

Every assumption of a study lives here (periods, trend, expense and profit provisions, credibility
standard, capping); the code holds kinds of steps, never figures. Paths in a YAML file are read
relative to the file. See ``docs/rate-studies.md`` for a full example.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sme_insure.errors import ConfigurationError, Issue
from sme_insure.reserving import Grain
from sme_insure.studies.vocabulary import (
    ComplementKind,
    CredibilityMethod,
    DataSource,
    EngineKind,
    ExposureBase,
    IndicationMethod,
    ModelKind,
    OnLevelMethod,
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CatalogueConfig(_Model):
    """Folders of products and rating tables; ``None`` means the configured defaults."""

    products: Path | None = None
    tables: Path | None = None


class DataConfig(_Model):
    """Where the experience comes from: input files (CSV or Parquet), or the database.

    ``source: files`` (default): ``book``, exposure rows, one per policy term or premium
    transaction, with rating inputs (``docs/rate-studies.md``); ``claims``, claim transactions
    (the reserving contract); ``premiums``, optional premium transactions, joined to a
    one-row-per-policy ``book`` by ``policy_id`` to give the exposure rows. ``source: database``:
    a tenant's own policies, premium transactions and claims, and no file. ``strict``: any bad row
    is an error; otherwise bad rows are left out and listed in the report.
    """

    source: DataSource = DataSource.FILES
    book: Path | None = None
    claims: Path | None = None
    premiums: Path | None = None
    strict: bool = True

    @model_validator(mode="after")
    def _files(self) -> DataConfig:
        named = [n for n in ("book", "claims", "premiums") if getattr(self, n) is not None]
        if self.source is DataSource.DATABASE and named:
            raise ValueError(f"the database source reads no files: remove {named}")
        if self.source is DataSource.FILES and (self.book is None or self.claims is None):
            raise ValueError("give `book` and `claims` files, or `source: database`")
        return self


class ExperienceConfig(_Model):
    """Experience period ``[start, end]`` (both days included) split into periods of ``grain``."""

    start: dt.date
    end: dt.date
    grain: Grain = Grain.ANNUAL

    @model_validator(mode="after")
    def _order(self) -> ExperienceConfig:
        if self.end < self.start:
            raise ValueError("experience end is before its start")
        return self


class ExposureConfig(_Model):
    """Exposure unit: policy-years, or policy-years × ``input`` ÷ ``per``."""

    base: ExposureBase = ExposureBase.POLICY_YEAR
    input: str | None = None
    per: float = Field(1.0, gt=0)

    @model_validator(mode="after")
    def _input(self) -> ExposureConfig:
        if (self.base is ExposureBase.INPUT) != (self.input is not None):
            raise ValueError("give `input` exactly when base is `input`")
        return self

    @property
    def label(self) -> str:
        """How the unit reads in a report."""
        if self.input is None:
            return "policy-years"
        per = f" / {self.per:,.0f}" if self.per != 1 else ""
        return f"policy-years × {self.input}{per}"


class FactorConfig(_Model):
    """A rating factor to study: an input of the product and, when ambiguous, its table."""

    input: str
    table: str | None = None
    base_level: str | None = None


class TrendConfig(_Model):
    """Annual trend rates, applied as (1 + t)^years from each loss (or premium) date to the
    average date of the future policy period."""

    frequency: float = Field(0.0, gt=-0.5, lt=0.5)
    severity: float = Field(0.0, gt=-0.5, lt=0.5)
    premium: float = Field(0.0, gt=-0.5, lt=0.5)

    @property
    def pure_premium(self) -> float:
        """(1 + frequency trend)(1 + severity trend) − 1."""
        return (1 + self.frequency) * (1 + self.severity) - 1


class RateChange(_Model):
    """One historical rate change: effective date and change as a decimal (+5 % = 0.05)."""

    date: dt.date
    change: float = Field(gt=-1.0)


class OnLevelConfig(_Model):
    """On-level method; a rate history is needed for the parallelogram method."""

    method: OnLevelMethod = OnLevelMethod.RERATE
    rate_history: tuple[RateChange, ...] = ()

    @model_validator(mode="after")
    def _history(self) -> OnLevelConfig:
        if self.method is OnLevelMethod.PARALLELOGRAM and not self.rate_history:
            raise ValueError("the parallelogram method needs a rate_history")
        return self


class DevelopmentConfig(_Model):
    """Reserving assumptions (a reserving YAML file) used to develop losses and counts."""

    reserving_config: Path | None = None
    apriori_from_product: bool = Field(
        True, description="use the product's target loss ratio as the a priori for BF methods"
    )


class GlmConfig(_Model):
    """GLM structure and the confidence level of the relativities' intervals."""

    model: ModelKind = ModelKind.FREQUENCY_SEVERITY
    tweedie_power: float = Field(1.5, gt=1.0, lt=2.0)
    confidence: float = Field(0.95, gt=0.5, lt=1.0)


class CredibilityConfig(_Model):
    """Credibility of level relativities and of the overall indication.

    Classical full standard n_full = (z_{(1+p)/2} / k)², 1,082 claims for p = 90 %, k = 5 %.
    """

    method: CredibilityMethod = CredibilityMethod.CLASSICAL
    probability: float = Field(0.90, gt=0.5, lt=1.0)
    tolerance: float = Field(0.05, gt=0.0, lt=1.0)


class ComplementConfig(_Model):
    """Complement of credibility of the overall indication."""

    kind: ComplementKind = ComplementKind.TRENDED_PRESENT_RATES
    change: float = 0.0


class IndicationConfig(_Model):
    """Werner & Modlin provisions: LAE as a ratio to losses, expense and profit ratios to premium.

    ``fixed_expense_per_exposure`` (CNY per exposure unit) is used by the pure premium method;
    when absent it is F × on-level premium / exposure, so that both methods agree.
    """

    method: IndicationMethod = IndicationMethod.LOSS_RATIO
    lae_ratio: float = Field(0.0, ge=0.0, lt=1.0)
    variable_expense_ratio: float = Field(ge=0.0, lt=1.0)
    fixed_expense_ratio: float = Field(0.0, ge=0.0, lt=1.0)
    fixed_expense_per_exposure: float | None = Field(None, ge=0.0)
    profit_ratio: float = Field(ge=-0.5, lt=1.0)
    effective_from: dt.date = Field(description="first day of the future policy period")
    written_months: int = Field(12, ge=1, le=36)
    term_months: int = Field(12, ge=1, le=36)
    complement: ComplementConfig = ComplementConfig()

    @model_validator(mode="after")
    def _permissible(self) -> IndicationConfig:
        if self.variable_expense_ratio + self.profit_ratio >= 1.0:
            raise ValueError("variable expense + profit must be below 1 (permissible loss ratio)")
        return self


class ProposalConfig(_Model):
    """New draft table versions: label, effective date, selected overall change, base tables."""

    version: str = Field(min_length=1, pattern=r"^[A-Za-z0-9._-]+$")
    effective_from: dt.date
    overall_change: float | None = Field(None, gt=-0.9, lt=5.0)
    base_tables: tuple[str, ...] | None = None
    decimals: int = Field(6, ge=2, le=8)
    tables_out: Path | None = None


class CapConfig(_Model):
    """Capping of premium change per policy at renewal (decimals: 0.25 = ±25 %)."""

    up: float = Field(0.25, gt=0.0)
    down: float = Field(0.25, gt=0.0, lt=1.0)
    apply: bool = False


class ImpactConfig(_Model):
    """Dislocation of the in-force book on ``in_force_on`` (default: the valuation date)."""

    in_force_on: dt.date | None = None
    segments: tuple[str, ...] = ()
    cap: CapConfig = CapConfig()


class EngineConfig(_Model):
    """pandas in memory, or Dask: ``scheduler`` an address, ``synchronous``/``threads``/
    ``processes``, or ``None`` for a local cluster."""

    kind: EngineKind = EngineKind.PANDAS
    scheduler: str | None = None
    partitions: int = Field(8, ge=1)


class StudyConfig(_Model):
    """A whole rate study."""

    name: str = Field(min_length=1)
    product: str
    valuation_date: dt.date
    current_rates_as_of: dt.date
    experience: ExperienceConfig
    data: DataConfig
    catalogue: CatalogueConfig = CatalogueConfig()
    exposure: ExposureConfig = ExposureConfig()
    factors: tuple[FactorConfig, ...] = Field(min_length=1)
    trend: TrendConfig = TrendConfig()
    on_level: OnLevelConfig = OnLevelConfig()
    development: DevelopmentConfig = DevelopmentConfig()
    glm: GlmConfig = GlmConfig()
    credibility: CredibilityConfig = CredibilityConfig()
    indication: IndicationConfig
    proposal: ProposalConfig | None = None
    impact: ImpactConfig = ImpactConfig()
    engine: EngineConfig = EngineConfig()

    @model_validator(mode="after")
    def _dates(self) -> StudyConfig:
        if self.experience.start > self.valuation_date:
            raise ValueError("the experience period starts after the valuation date")
        names = [f.input for f in self.factors]
        if len(set(names)) != len(names):
            raise ValueError(f"a factor is listed twice: {names}")
        return self

    @property
    def in_force_on(self) -> dt.date:
        """Date of the in-force book for the impact."""
        return self.impact.in_force_on or self.valuation_date


_PATHS = (
    ("data", "book"),
    ("data", "claims"),
    ("data", "premiums"),
    ("catalogue", "products"),
    ("catalogue", "tables"),
    ("development", "reserving_config"),
    ("proposal", "tables_out"),
)


def named_paths(config: StudyConfig) -> list[str]:
    """The settings of ``config`` that name a file or folder (``section.key``), e.g. to refuse
    them where the study runs on a server."""
    return [
        f"{section}.{key}"
        for section, key in _PATHS
        if getattr(getattr(config, section), key, None) is not None
    ]


def _resolve_paths(raw: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Paths relative to the configuration file's folder."""
    for section, key in _PATHS:
        part = raw.get(section)
        if isinstance(part, dict) and part.get(key) is not None:
            path = Path(str(part[key]))
            part[key] = path if path.is_absolute() else folder / path
    return raw


def parse_study_config(data: object, source: str = "study config") -> StudyConfig:
    """Validate a mapping; :class:`ConfigurationError` lists every issue with its path."""
    try:
        return StudyConfig.model_validate(data)
    except ValidationError as error:
        issues = [
            Issue(".".join(map(str, e["loc"])), e.get("input"), e["msg"], source=source)
            for e in error.errors()
        ]
        raise ConfigurationError(issues) from error


def load_study_config(path: str | Path) -> StudyConfig:
    """Read a YAML study configuration; relative paths are taken from the file's folder."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ConfigurationError([Issue("path", str(path), str(error))]) from error
    if not isinstance(raw, dict):
        raise ConfigurationError(
            [Issue("", type(raw).__name__, "a study config is a mapping", source=str(path))]
        )
    return parse_study_config(_resolve_paths(raw, path.parent.resolve()), source=str(path))
