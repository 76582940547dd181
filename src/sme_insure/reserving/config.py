"""Reserving assumptions per line: a typed, validated configuration (``extra="forbid"``).

YAML example (every key optional; see ``docs/reserving-import.md``)::

    grain: annual
    default: {method: mack, basis: incurred}
    lines:
      public_liability:
        method: bornhuetter_ferguson
        apriori_loss_ratio: 0.55      # the product's target loss ratio
        tail: {kind: exponential}
    benchmarks: {public_liability: othliab}

Assumptions are parameters, data is data: the a priori loss ratio is given here and applied by the
method to unscaled earned premium.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sme_insure.errors import ConfigurationError, Issue
from sme_insure.reserving.vocabulary import (
    Averaging,
    Basis,
    BenchmarkLob,
    Grain,
    Line,
    MethodName,
    SigmaInterpolation,
    TailKind,
)

#: Methods that need an a priori loss ratio.
APRIORI_METHODS = frozenset(
    {MethodName.BORNHUETTER_FERGUSON, MethodName.BENKTANDER, MethodName.EXPECTED_LOSS}
)

#: Benchmark development patterns from the CAS Loss Reserve Database for lines likely to have too
#: few origins of their own: other liability for public and product liability (the CLRD product
#: liability triangles are few and erratic), workers' compensation for employer's liability and
#: group accident (both indemnify injured workers).
DEFAULT_BENCHMARKS: dict[Line, BenchmarkLob] = {
    Line.PUBLIC_LIABILITY: BenchmarkLob.OTHER_LIABILITY,
    Line.PRODUCT_LIABILITY: BenchmarkLob.OTHER_LIABILITY,
    Line.EMPLOYERS_LIABILITY: BenchmarkLob.WORKERS_COMPENSATION,
    Line.GROUP_ACCIDENT: BenchmarkLob.WORKERS_COMPENSATION,
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TailConfig(_Model):
    """Tail beyond the last age: none (1.0), a constant factor, or a fitted curve."""

    kind: TailKind = TailKind.NONE
    factor: float = Field(1.0, ge=1.0, description="tail factor when kind is constant")


class DevelopmentConfig(_Model):
    """How age-to-age factors are selected (chainladder ``Development``)."""

    average: Averaging = Averaging.VOLUME
    n_periods: int = Field(-1, description="latest diagonals averaged; -1 for all")
    sigma_interpolation: SigmaInterpolation = SigmaInterpolation.LOG_LINEAR

    @model_validator(mode="after")
    def _periods(self) -> DevelopmentConfig:
        if self.n_periods == 0 or self.n_periods < -1:
            raise ValueError("n_periods is -1 (all) or a positive number of diagonals")
        return self


class BootstrapConfig(_Model):
    """Bootstrap ODP (England & Verrall) for percentiles of IBNR."""

    n_sims: int = Field(1000, ge=100, le=100_000)
    hat_adj: bool = Field(True, description="England–Verrall degrees-of-freedom adjustment")
    random_state: int = 42
    percentiles: tuple[float, ...] = (0.75, 0.95, 0.995)

    @model_validator(mode="after")
    def _levels(self) -> BootstrapConfig:
        if not all(0.0 < p < 1.0 for p in self.percentiles):
            raise ValueError("percentiles lie strictly between 0 and 1")
        return self


class LineConfig(_Model):
    """Method and assumptions for one line."""

    method: MethodName = MethodName.MACK
    basis: Basis = Basis.INCURRED
    apriori_loss_ratio: float | None = Field(
        None, gt=0.0, le=5.0, description="a priori (target) loss ratio for BF, Benktander, ELR"
    )
    benktander_iterations: int = Field(2, ge=1, le=100)
    cape_cod_decay: float = Field(1.0, ge=0.0, le=1.0)
    cape_cod_trend: float = Field(0.0, ge=-0.5, le=0.5)
    min_origins: int = Field(5, ge=2, description="fewer origins than this: benchmark pattern")
    development: DevelopmentConfig = DevelopmentConfig()
    tail: TailConfig = TailConfig()
    bootstrap: BootstrapConfig | None = None

    @model_validator(mode="after")
    def _apriori(self) -> LineConfig:
        if self.method in APRIORI_METHODS and self.apriori_loss_ratio is None:
            raise ValueError(f"method {self.method.value} needs apriori_loss_ratio")
        return self


class ReservingConfig(_Model):
    """Reserving configuration: grain, a default line configuration and per-line overrides."""

    grain: Grain = Grain.ANNUAL
    default: LineConfig = LineConfig()
    lines: dict[Line, LineConfig] = Field(default_factory=dict)
    benchmarks: dict[Line, BenchmarkLob] = Field(default_factory=lambda: dict(DEFAULT_BENCHMARKS))

    def for_line(self, line: Line | None) -> LineConfig:
        """The configuration of ``line`` (the default when it has none or the line is mixed)."""
        return self.lines.get(line, self.default) if line is not None else self.default

    def with_apriori_loss_ratios(self, ratios: Mapping[Line, float]) -> ReservingConfig:
        """A copy in which each given line has that a priori (e.g. product target) loss ratio.

        A line without its own entry gets the default entry with the ratio set; values are
        validated like any configuration.
        """
        lines = dict(self.lines)
        for line, ratio in ratios.items():
            base = self.for_line(line).model_dump()
            lines[line] = LineConfig.model_validate({**base, "apriori_loss_ratio": ratio})
        return self.model_copy(update={"lines": lines})

    def benchmark_for(self, line: Line | None) -> BenchmarkLob | None:
        """The benchmark pattern of ``line``, if any."""
        return self.benchmarks.get(line) if line is not None else None


def _issues(error: ValidationError, source: str) -> list[Issue]:
    return [
        Issue(".".join(map(str, e["loc"])), e.get("input"), e["msg"], source=source)
        for e in error.errors()
    ]


def parse_config(data: object, source: str = "config") -> ReservingConfig:
    """Validate a mapping (e.g. parsed YAML); :class:`ConfigurationError` lists every issue."""
    try:
        return ReservingConfig.model_validate(data or {})
    except ValidationError as error:
        raise ConfigurationError(_issues(error, source)) from error


def load_config(path: str | Path) -> ReservingConfig:
    """Read and validate a YAML configuration file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ConfigurationError([Issue("path", str(path), str(error))]) from error
    return parse_config(data, source=path.name)
