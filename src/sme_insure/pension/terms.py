"""Product terms of a commercial pension for flexible workers (专属商业养老保险), as data.

:class:`PensionTerms` is a self-contained section (``extra="forbid"``) that a product file can
embed under a key such as ``pension:``; every number comes from that data, none from code.
Each sleeve (steady/aggressive) has its own guaranteed minimum annual rate and low/medium/high
credited-rate scenarios; the rate credited in a scenario is max(scenario rate, guarantee).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sme_insure.errors import ConfigurationError, Issue
from sme_insure.life import MthlyMethod, Sex

Rate = Field(ge=-0.5, le=0.5)


class Sleeve(StrEnum):
    """Investment sleeves (账户) a member's account sits in; switchable by policy year."""

    STEADY = "steady"
    AGGRESSIVE = "aggressive"


class Scenario(StrEnum):
    """Credited-rate scenarios of a benefit illustration (低/中/高)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class PayoutKind(StrEnum):
    """How the account is paid out at retirement: a life annuity or an annuity certain."""

    LIFE = "life"
    FIXED_TERM = "fixed_term"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SleeveRates(_Model):
    """Guaranteed minimum annual rate and the three scenario rates of one sleeve."""

    guaranteed_rate: float = Field(ge=0.0, le=0.2)
    low: float = Rate
    medium: float = Rate
    high: float = Rate

    @model_validator(mode="after")
    def _ordered(self) -> SleeveRates:
        if not self.low <= self.medium <= self.high:
            raise ValueError("scenario rates must satisfy low ≤ medium ≤ high")
        return self

    def credited(self, scenario: Scenario | str) -> float:
        """Annual rate credited in ``scenario``: never below the guarantee."""
        return max(getattr(self, Scenario(scenario).value), self.guaranteed_rate)


class Fees(_Model):
    """Initial charge on each contribution and annual management fee on the account."""

    initial_charge: float = Field(ge=0.0, lt=1.0)
    annual_management_fee: float = Field(ge=0.0, lt=1.0)


class RetirementRules(_Model):
    """Earliest retirement age and shortest annuity-certain term."""

    minimum_age: int = Field(ge=0)
    minimum_fixed_term_years: int = Field(ge=1)


class AnnuityBasis(_Model):
    """Pricing basis of the payout annuity: mortality table by sex, interest, m-thly method."""

    tables: dict[Sex, str]
    interest_rate: float = Field(gt=-0.5, le=0.5)
    method: MthlyMethod = MthlyMethod.UDD


class PensionTerms(_Model):
    """All product terms the illustration needs; a section of a product definition."""

    sleeves: dict[Sleeve, SleeveRates]
    fees: Fees
    surrender_charges: dict[int, float]
    retirement: RetirementRules
    annuity: AnnuityBasis

    @model_validator(mode="after")
    def _complete(self) -> PensionTerms:
        missing = [s.value for s in Sleeve if s not in self.sleeves]
        if missing:
            raise ValueError(f"every sleeve needs rates; missing {missing}")
        years = sorted(self.surrender_charges)
        if years != list(range(1, len(years) + 1)):
            raise ValueError("surrender_charges must be keyed by policy years 1, 2, …, n")
        if any(not 0.0 <= r < 1.0 for r in self.surrender_charges.values()):
            raise ValueError("surrender charge rates must be in [0, 1)")
        return self

    def surrender_charge(self, policy_year: int) -> float:
        """Charge rate for surrender in ``policy_year`` (0 after the schedule ends)."""
        return self.surrender_charges.get(policy_year, 0.0)


def terms_from_mapping(data: Any, source: str = "pension terms") -> PensionTerms:
    """Validate parsed data, turning pydantic errors into one ConfigurationError."""
    try:
        return PensionTerms.model_validate(data)
    except ValidationError as exc:
        issues = [
            Issue(".".join(map(str, e["loc"])) or "terms", e.get("input"), e["msg"], source=source)
            for e in exc.errors()
        ]
        raise ConfigurationError(issues) from None


def load_terms(path: str | Path, *, section: str | None = None) -> PensionTerms:
    """Load terms from YAML; ``section`` picks a key of a larger product file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError([Issue("path", str(path), f"cannot read YAML: {exc}")]) from None
    if section is not None:
        if not isinstance(data, dict) or section not in data:
            raise ConfigurationError([Issue("section", section, "not found", source=str(path))])
        data = data[section]
    return terms_from_mapping(data, source=str(path))
