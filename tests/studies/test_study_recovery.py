"""On a 200,000-policy synthetic book the study finds what was put in: the GLM's intervals hold the
true relativities, and the indication finds the known rate inadequacy."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from study_support import study_config

from sme_insure.studies import demo_truth, run_study


@pytest.fixture(scope="module")
def result(large_book):
    return run_study(study_config(large_book, proposal=None))


def _truth_relative(truth, factor: str, levels: list[str], base: str) -> np.ndarray:
    rel = np.array([truth.relativity(factor, level) for level in levels])
    return rel / truth.relativity(factor, base)


def test_glm_intervals_hold_the_true_relativities(result):
    truth = demo_truth()
    rel = result.relativities
    estimable = rel.loc[np.isfinite(rel["indicated"]) & ~rel["base"]]
    inside, total = 0, 0
    for factor, rows in estimable.groupby("factor"):
        base = rel.loc[(rel["factor"] == factor) & rel["base"], "level"].iloc[0]
        true = _truth_relative(truth, factor, list(rows["level"]), base)
        inside += int(((rows["lower"] <= true) & (true <= rows["upper"])).sum())
        total += len(rows)
        # every level within a 99.9 % interval: widen by the ratio of normal quantiles
        widen = 3.29 / 1.96
        lo = rows["indicated"] * (rows["lower"] / rows["indicated"]) ** widen
        hi = rows["indicated"] * (rows["upper"] / rows["indicated"]) ** widen
        assert ((lo <= true) & (true <= hi)).all(), (factor, rows, true)
    assert total >= 15
    assert inside / total >= 0.85  # 95 % intervals: a few misses are chance


def test_indication_recovers_the_known_inadequacy(result, large_book):
    expected = yaml.safe_load((large_book / "expected.yaml").read_text())
    ind = result.config.indication

    def change(loss_ratio: float) -> float:
        return (loss_ratio * (1 + ind.lae_ratio) + ind.fixed_expense_ratio) / (
            1 - ind.variable_expense_ratio - ind.profit_ratio
        ) - 1

    true_change = change(demo_truth().loss_ratio)  # the inadequacy built into the book: +15.1 %
    realised = change(expected["simulated_loss_ratio"])  # the same with the book's own noise
    assert true_change == pytest.approx(0.1514, abs=1e-3)
    assert result.indication.loss_ratio_change == pytest.approx(realised, abs=0.025)
    assert result.indication.loss_ratio_change == pytest.approx(true_change, abs=0.05)
    assert result.indication.pure_premium_change == pytest.approx(
        result.indication.loss_ratio_change, rel=1e-9
    )
    assert result.indication.credibility == 1.0


def test_experience_is_consistent_with_the_data(result, large_book):
    periods = result.indication.periods
    assert list(periods["period"]) == ["2022", "2023", "2024", "2025"]
    assert (periods["flag"] == "").all()
    # every claim of the window found its policy; developed counts are at least reported ones
    assert periods["reported_claims"].sum() == pytest.approx(
        result.experience.cells["reported"].sum()
    )
    assert (periods["claims"] >= periods["reported_claims"] - 1e-9).all()
    assert result.records is not None and set(result.records["policy_id"]) <= set(
        result.inputs.source["policy_id"]
    )
