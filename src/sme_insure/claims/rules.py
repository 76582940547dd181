"""Claims rules: statutory deadlines, triage thresholds, upload limits, record retention and
per-product claim terms, read from ``data/rules.yaml`` and validated (unknown keys are errors)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sme_insure.errors import ConfigurationError, Issue


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Deadlines(_Model):
    """Days allowed by the Insurance Law, and how early the deadline list warns."""

    decision_days: int = Field(gt=0)
    payment_days: int = Field(gt=0)
    refusal_notice_days: int = Field(gt=0)
    certain_part_days: int = Field(gt=0)
    warn_days: int = Field(ge=0)


class Triage(_Model):
    """Thresholds of the red flags."""

    early_loss_days: int = Field(ge=0)
    cover_increase_days: int = Field(ge=0)
    repeat_claims: int = Field(ge=1)
    repeat_window_days: int = Field(gt=0)
    near_limit_share: float = Field(gt=0, le=1)


class Uploads(_Model):
    """What a claim document may be."""

    max_bytes: int = Field(gt=0)
    content_types: list[str] = Field(min_length=1)


class Retention(_Model):
    """How long claim records are kept before a person's request may erase them."""

    closed_claim_documents_days: int = Field(gt=0)


class ProductTerms(_Model):
    """Claim terms of one product: the input holding the indemnity percentage (export credit)
    and a waiting period before perils such as protracted default become payable."""

    indemnity_input: str | None = None
    waiting_days: int = Field(default=0, ge=0)
    waiting_perils: list[str] = Field(default_factory=list)


class ClaimRules(_Model):
    """All claims rules."""

    deadlines: Deadlines
    triage: Triage
    uploads: Uploads
    retention: Retention
    products: dict[str, ProductTerms] = Field(default_factory=dict)

    def product(self, code: str) -> ProductTerms:
        """Terms of a product; a product not listed has none (no waiting period, 100 %)."""
        return self.products.get(code, ProductTerms())


def load_rules(path: Path | None = None) -> ClaimRules:
    """Read and validate a rules file (default: the packaged one)."""
    source = path or Path(str(resources.files("sme_insure.claims") / "data" / "rules.yaml"))
    try:
        return ClaimRules.model_validate(yaml.safe_load(source.read_text(encoding="utf-8")))
    except ValidationError as exc:
        raise ConfigurationError([Issue(".".join(map(str, e["loc"])), e.get("input"), e["msg"],
                                        source=str(source)) for e in exc.errors()]) from exc


@cache
def default_rules() -> ClaimRules:
    """The packaged rules, read once per process."""
    return load_rules()
