"""GLM options (Tweedie, Bühlmann–Straub, pure premium method) and the claim that fitting on
cells gives the estimates of a fit on policy records."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from glum import GeneralizedLinearRegressor
from study_support import study_config

from sme_insure.studies import run_study
from sme_insure.studies.cells import CONVERSIONS, Experience


@pytest.fixture(scope="module")
def tweedie(tiny_book):
    return run_study(
        study_config(
            tiny_book,
            proposal=None,
            glm={"model": "tweedie", "tweedie_power": 1.6},
            credibility={"method": "buhlmann_straub"},
            indication={
                "method": "pure_premium",
                "lae_ratio": 0.08,
                "variable_expense_ratio": 0.25,
                "profit_ratio": 0.05,
                "fixed_expense_ratio": 0.05,
                "fixed_expense_per_exposure": 0.1,
                "effective_from": "2027-01-01",
            },
        )
    )


def test_tweedie_and_buhlmann_straub_give_flagged_blends(tweedie):
    rel = tweedie.relativities
    fitted = rel.loc[np.isfinite(rel["indicated"])]
    assert (fitted["lower"] <= fitted["indicated"]).all()
    assert (fitted["indicated"] <= fitted["upper"]).all()
    assert rel["z"].between(0, 1).all()
    assert rel.loc[rel["base"], "blended"].tolist() == pytest.approx([1.0] * rel["base"].sum())
    assert np.isfinite(rel["blended"]).all()


def test_pure_premium_method_uses_the_stated_fixed_expense(tweedie):
    q = tweedie.indication.quantities.set_index("quantity")["value"]
    assert q["F_bar"] == 0.1
    assert tweedie.indication.indicated == pytest.approx(q["pure_premium_change"])
    assert q["pure_premium_change"] != pytest.approx(q["loss_ratio_change"], abs=1e-6)


def test_cells_give_the_estimates_of_policy_records(tiny_book):
    result = run_study(study_config(tiny_book, proposal=None))
    names = [f.input for f in result.inputs.factors]
    records = result.records.groupby(["policy_id", "period", *names], as_index=False).sum(
        numeric_only=True
    )
    frames = {}
    for label, table in (("cells", result.experience.cells), ("records", records)):
        frame = Experience(table, result.experience.grid, result.inputs.factors, "").frame()
        frame = frame.loc[frame["exposure"] > 0]
        x = frame[names].apply(lambda c: c.cat.remove_unused_categories())
        model = GeneralizedLinearRegressor(family="poisson", alpha=0, drop_first=True)
        model.fit(x, frame["trended_claims"], offset=np.log(frame["exposure"]))
        frames[label] = pd.Series(model.coef_, index=model.feature_names_)
    assert set(CONVERSIONS) <= set(
        Experience(result.experience.cells, result.experience.grid, result.inputs.factors, "")
        .frame()
        .columns
    )
    pd.testing.assert_series_equal(frames["cells"], frames["records"], atol=1e-6, rtol=0)
