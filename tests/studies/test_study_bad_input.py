"""Bad input gives clear errors or clearly flagged results, never a silent NaN."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from study_support import study_config

from sme_insure.errors import ConfigurationError, InputError
from sme_insure.studies import render, run_study
from sme_insure.studies.book import typed
from sme_insure.studies.cells import check_flagged
from sme_insure.studies.config import load_study_config
from sme_insure.studies.impact import in_force


def _book(folder, tmp_path, change, orphan_claim=False):
    frame = change(pd.read_parquet(folder / "book.parquet"))
    frame.to_parquet(tmp_path / "book.parquet", index=False)
    claims = pd.read_parquet(folder / "claims.parquet")
    if orphan_claim:  # a claim on a policy the book does not have
        first = claims.loc[claims["claim_id"] == claims["claim_id"].iloc[0]]
        claims = pd.concat([claims, first.assign(claim_id="C-ORPHAN", policy_id="P-NONE")])
    claims.to_parquet(tmp_path / "claims.parquet", index=False)
    return tmp_path


def _no_bare_nan(html: str) -> None:
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)
    assert not re.search(r"\bnan\b", text, flags=re.IGNORECASE)


def test_unknown_factor_names_the_inputs(tiny_book):
    with pytest.raises(ConfigurationError, match="not an input of product SME_PROPERTY"):
        run_study(study_config(tiny_book, factors=[{"input": "roof_colour"}]))


def test_factor_rated_by_two_tables_needs_one_named(tiny_book):
    with pytest.raises(ConfigurationError, match=r"prop_fire_rate.*prop_bi_rate"):
        run_study(study_config(tiny_book, factors=[{"input": "occupancy_class"}]))


def test_unknown_configuration_key_is_an_error(tmp_path):
    path = tmp_path / "study.yaml"
    path.write_text("name: x\nproduct: SME_PROPERTY\ncolour: blue\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="colour"):
        load_study_config(path)


def test_missing_columns_are_named(tiny_book, tmp_path):
    folder = _book(tiny_book, tmp_path, lambda f: f.drop(columns=["effective_to", "construction"]))
    with pytest.raises(InputError) as error:
        run_study(study_config(folder))
    fields = {i.field for i in error.value.issues}
    assert {"effective_to", "construction"} <= fields


def _bad_rows(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.loc[0:2, "effective_to"] = frame.loc[0:2, "effective_from"] - pd.Timedelta(days=5)
    frame["occupancy_class"] = frame["occupancy_class"].astype(object)
    frame.loc[3, "occupancy_class"] = "spaceport"
    return frame


def test_inconsistent_dates_and_unknown_levels_stop_a_strict_study(tiny_book, tmp_path):
    folder = _book(tiny_book, tmp_path, _bad_rows)
    with pytest.raises(InputError, match="cover ends before it starts"):
        run_study(study_config(folder))


@pytest.fixture(scope="module")
def lenient(tiny_book, tmp_path_factory):
    """A lenient study of a book with bad rows, a window starting two years before the data,
    and a band without exposure."""
    folder = _book(tiny_book, tmp_path_factory.mktemp("bad"), _bad_rows, orphan_claim=True)
    config = study_config(
        folder,
        proposal={"version": "2027.t", "effective_from": "2027-01-01"},
        experience={"start": "2020-01-01", "end": "2025-12-31"},
    )
    config = config.model_copy(update={"data": config.data.model_copy(update={"strict": False})})
    return run_study(config)


def test_bad_rows_are_left_out_and_listed(lenient):
    issues = lenient.issues
    assert (issues["reason"] == "cover ends before it starts").sum() == 3
    assert (issues["field"] == "occupancy_class").sum() == 1
    assert any("claim(s) without a row" in n for n in lenient.notes)


def test_claims_without_their_policy_stop_a_strict_study(tiny_book, tmp_path):
    folder = _book(tiny_book, tmp_path, lambda f: f, orphan_claim=True)
    with pytest.raises(InputError, match="without a row of their policy"):
        run_study(study_config(folder, proposal=None))


def test_periods_without_data_are_flagged_and_left_out(lenient):
    periods = lenient.indication.periods.set_index("period")
    assert periods.loc["2020", "flag"] == "no_data_period"
    assert periods.loc["2021", "flag"] == "no_data_period"
    assert np.isnan(periods.loc["2020", "loss_ratio"])
    assert periods.loc["2022", "flag"] == ""
    assert np.isfinite(lenient.indication.loss_ratio_change)


def test_levels_without_exposure_keep_the_current_relativity(lenient):
    rel = lenient.relativities.set_index(["factor", "level"])
    top = rel.loc[("sum_insured", "[100000000, ∞)")]
    assert top["exposure"] == 0 and "zero_exposure" in top["flag"]
    assert np.isnan(top["indicated"]) and top["z"] == 0
    assert top["blended"] == pytest.approx(top["current_relativity"])


def test_every_missing_figure_is_flagged_and_the_report_shows_no_nan(lenient):
    for name, table in {
        "one_way": lenient.one_way,
        "glm": lenient.relativities,
        "periods": lenient.indication.periods,
        "segments": lenient.impact.segments,
    }.items():
        check_flagged(table, name)
    html = render(lenient)
    _no_bare_nan(html)
    assert "no exposure: not estimable" in html
    assert "period without data" in html
    assert "cover ends before it starts" in html


def test_no_policy_in_force_is_an_error(tiny_book):
    config = study_config(
        tiny_book,
        proposal={"version": "2027.t", "effective_from": "2027-01-01"},
        impact={"in_force_on": "2030-01-01"},
    )
    with pytest.raises(InputError, match="no policy of the book is in force"):
        run_study(config)


def test_an_in_force_policy_not_rated_is_counted_listed_and_reported(tiny_book, tmp_path):
    config = study_config(tiny_book, proposal={"version": "2027.t", "effective_from": "2027-01-01"})
    book = pd.read_parquet(tiny_book / "book.parquet")
    live = in_force(typed(book), config.in_force_on, "SME_PROPERTY")
    spoilt = live["policy_id"].iloc[0]

    def spoil(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        frame["occupancy_class"] = frame["occupancy_class"].astype(object)
        frame.loc[frame["policy_id"] == spoilt, "occupancy_class"] = "spaceport"
        return frame

    folder = _book(tiny_book, tmp_path, spoil)
    config = study_config(folder, proposal={"version": "2027.t", "effective_from": "2027-01-01"})
    config = config.model_copy(update={"data": config.data.model_copy(update={"strict": False})})
    result = run_study(config)
    overall = result.impact.overall.iloc[0]
    assert (overall["policies"], overall["unrated_policies"]) == (len(live) - 1, 1)
    assert overall["unrated_current_fen"] == 0  # no current premium to know
    left = result.issues.loc[result.issues["field"] == "impact"]
    assert left["policy_id"].tolist() == [spoilt]
    assert left["reason"].iloc[0].startswith("not rated at the current tables")
    assert any("1 left out" in n for n in result.notes)  # the off-balance says on what it balanced
    html = render(result)
    assert "1 in-force policies are not rated at both tables" in html and spoilt in html
