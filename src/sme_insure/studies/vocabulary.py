"""Closed vocabularies of rate studies (``StrEnum``: the value is the text in configuration files).

A configuration names these by value (``"frequency_severity"``), so a typo is an error that lists
what is allowed, never a silent new choice.
"""

from __future__ import annotations

from enum import StrEnum


class EngineKind(StrEnum):
    """Where partitions are processed: in memory with pandas, or with Dask (local or a cluster)."""

    PANDAS = "pandas"
    DASK = "dask"


class DataSource(StrEnum):
    """Where a study's experience comes from.

    ``files``: the CSV/Parquet files named in ``data`` (book, claims, premiums); ``database``: the
    system's own policies, premium transactions and claims of one tenant, read by
    :func:`sme_insure.services.study_data.run_study_on_database` (no files are named).
    """

    FILES = "files"
    DATABASE = "database"


class ExposureBase(StrEnum):
    """The exposure unit of frequencies, pure premiums and the GLM offset.

    ``policy_year``: earned policy-years; ``input``: earned policy-years × a numeric rating input
    ÷ ``per`` (e.g. thousands of sum insured for property rated per mille).
    """

    POLICY_YEAR = "policy_year"
    INPUT = "input"


class OnLevelMethod(StrEnum):
    """How earned premium is brought to current rates.

    ``rerate``: extension of exposures, every row re-rated with the current tables (exact);
    ``parallelogram``: earned premium × parallelogram on-level factor of its period, from a rate
    history (fallback for imported books without rating inputs).
    """

    RERATE = "rerate"
    PARALLELOGRAM = "parallelogram"


class ModelKind(StrEnum):
    """GLM structure: Poisson frequency × Gamma severity, or one Tweedie pure-premium model."""

    FREQUENCY_SEVERITY = "frequency_severity"
    TWEEDIE = "tweedie"


class CredibilityMethod(StrEnum):
    """How indicated relativities are blended with current ones for thin levels.

    ``classical``: limited fluctuation, Z = min(1, √(n / n_full)) with n the level's claims;
    ``buhlmann_straub``: Z = w / (w + K), K = EPV / VHM estimated over levels and periods.
    """

    CLASSICAL = "classical"
    BUHLMANN_STRAUB = "buhlmann_straub"


class IndicationMethod(StrEnum):
    """Werner & Modlin overall rate indication methods."""

    LOSS_RATIO = "loss_ratio"
    PURE_PREMIUM = "pure_premium"


class ComplementKind(StrEnum):
    """Complement of credibility of the overall indication.

    ``value``: a stated change (e.g. a competitor's or the last filed change);
    ``trended_present_rates``: (1 + pure-premium trend)^years − 1, the change that keeps present
    rates adequate if they were adequate at the experience period's average accident date.
    """

    VALUE = "value"
    TRENDED_PRESENT_RATES = "trended_present_rates"


class Flag(StrEnum):
    """Why a figure in a study table is missing or should be read with care.

    Every NaN in a study table carries one of these in its row's ``flag`` column, and reports
    print the flag's text instead of the number.
    """

    ZERO_EXPOSURE = "zero_exposure"
    NO_CLAIMS = "no_claims"
    NO_PREMIUM = "no_premium"
    NO_DATA_PERIOD = "no_data_period"
    THIN = "thin"
    NOT_RATED = "not_rated"
    NOT_IN_MODEL = "not_in_model"
    NO_CREDIBLE_VARIATION = "no_credible_variation"
    BEYOND_CAP = "beyond_cap"
    NO_RATED = "no_rated"
    UNDEVELOPED = "undeveloped"

    @property
    def text(self) -> str:
        """What a reader sees in place of a missing number."""
        return _FLAG_TEXT[self]


_FLAG_TEXT = {
    Flag.ZERO_EXPOSURE: "no exposure: not estimable, current relativity kept",
    Flag.NO_CLAIMS: "no claims: severity not estimable",
    Flag.NO_PREMIUM: "no premium: loss ratio not defined",
    Flag.NO_DATA_PERIOD: "period without data: left out of the indication",
    Flag.THIN: "thin level: blended with the current relativity",
    Flag.NOT_RATED: "factor not in the rating tables: no current relativity",
    Flag.NOT_IN_MODEL: "factor has fewer than two levels with data: left out of the GLM",
    Flag.NO_CREDIBLE_VARIATION: "no variation between levels beyond noise: Z = 0",
    Flag.BEYOND_CAP: "premium change beyond the capping threshold",
    Flag.NO_RATED: "no policy rated at both tables: change not defined (see the issues)",
    Flag.UNDEVELOPED: "claims without a development factor: latest taken as ultimate",
}
