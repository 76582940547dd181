"""Proposed tables are new draft versions that validate, re-rate exactly as the impact says, and
carry the selected overall change through the off-balance."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from study_support import study_config
from typer.testing import CliRunner

from sme_insure.catalogue import Catalogue, check_catalogue
from sme_insure.cli import app as main_app
from sme_insure.errors import ConfigurationError
from sme_insure.rating import Rater
from sme_insure.studies import run_study, write_proposal
from sme_insure.studies.book import typed
from sme_insure.studies.impact import in_force
from support.paths import ROOT


@pytest.fixture(scope="module")
def result(small_book):
    config = study_config(
        small_book,
        impact={
            "segments": ["occupancy_class", "construction"],
            "cap": {"up": 0.2, "down": 0.1, "apply": True},
        },
    )
    return run_study(config)


def test_drafts_are_written_as_new_draft_versions_that_validate(result, tables_copy):
    paths = write_proposal(result, tables_copy)
    assert {p.parent.name for p in paths} >= {
        "prop_fire_rate",
        "prop_construction",
        "prop_natcat_rate",
        "prop_si_size",
    }
    for path in paths:
        meta = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert meta["status"] == "draft" and meta["version"] == "2027.s1"
        assert str(meta["effective_from"]) == "2027-01-01"
    catalogue = Catalogue.load(ROOT / "products", tables_copy)
    assert check_catalogue(catalogue) == []
    run = CliRunner().invoke(
        main_app,
        [
            "products",
            "validate",
            "--products",
            str(ROOT / "products"),
            "--tables",
            str(tables_copy),
        ],
    )
    assert run.exit_code == 0, run.output
    with pytest.raises(ConfigurationError, match="exists already"):
        write_proposal(result, tables_copy)


def test_written_tables_rerate_the_in_force_book_exactly_as_the_impact(
    result, tables_copy, small_book
):
    paths = write_proposal(result, tables_copy)
    rater = Rater(Catalogue.load(ROOT / "products", tables_copy))
    book = in_force(
        typed(pd.read_parquet(small_book / "book.parquet")),
        result.config.in_force_on,
        "SME_PROPERTY",
    )
    versions = {p.parent.name: "2027.s1" for p in paths}
    proposed = (
        rater.rate(
            "SME_PROPERTY", book, as_of=result.config.current_rates_as_of, table_versions=versions
        )
        .premiums["premium"]
        .sum()
    )
    assert proposed == result.impact.overall["proposed_fen"].iloc[0]


def test_off_balance_carries_the_selected_change(result):
    selected = result.proposal.selected_change
    assert selected == pytest.approx(result.indication.selected)
    assert result.impact.overall_change == pytest.approx(selected, abs=1e-4)
    off = result.proposal.off_balance
    # proposed base = current base × (1 + change) / (1 + change in average relativity)
    assert off.factor == pytest.approx((1 + selected) / (1 + off.relativity_change), rel=0.02)


def test_capping_bounds_every_policy_and_counts_those_beyond(result):
    table = result.impact.table
    change = table["capped_fen"] / table["current_fen"] - 1
    assert change.max() <= 0.2 + 1e-4 and change.min() >= -0.1 - 1e-4
    inside, up, down = table["beyond"] == 0, table["beyond"] == 1, table["beyond"] == -1
    assert (table.loc[inside, "capped_fen"] == table.loc[inside, "proposed_fen"]).all()
    assert (table.loc[up, "capped_fen"] < table.loc[up, "proposed_fen"]).all()
    assert (table.loc[down, "capped_fen"] > table.loc[down, "proposed_fen"]).all()
    assert result.impact.beyond["policies"].iloc[0] == table.loc[~inside, "policies"].sum() > 0
    assert result.impact.overall["policies"].iloc[0] == table["policies"].sum()
    segments = result.impact.segments
    assert set(segments["segment"]) == {"occupancy_class", "construction"}
    by_segment = segments.groupby("segment")["proposed_fen"].sum()
    assert (by_segment == result.impact.overall["proposed_fen"].iloc[0]).all()


def test_parallelogram_on_level_agrees_with_rerating(small_book, result):
    config = study_config(small_book, proposal=None)
    config = config.model_copy(
        update={"on_level": config.on_level.model_copy(update={"method": "parallelogram"})}
    )
    para = run_study(config)
    exact = result.indication.loss_ratio_change
    assert para.indication.loss_ratio_change == pytest.approx(exact, abs=0.02)
