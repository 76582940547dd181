"""The authority check refuses a loading or discount that is not a finite fraction ≥ 0 (a
discount below 1), with an input error naming the field, before it compares the limits: no
caller (API, staff page, script) can pass a negative, NaN or infinite figure through."""

from __future__ import annotations

import math

import pytest

from sme_insure.errors import InputError, PermissionDenied
from sme_insure.underwriting import Authority
from sme_insure.underwriting.adjustment import AdjustmentKind, UnderwriterAdjustment

AUTHORITY = Authority(max_sum_insured_fen=100_000_000, max_loading=0.5, max_discount=0.1)


@pytest.mark.parametrize(("loading", "discount", "field", "shown"), [
    (-0.9, 0.0, "loading", -0.9),
    (math.nan, 0.0, "loading", "nan"),
    (math.inf, 0.0, "loading", "inf"),
    (0.0, -0.05, "discount", -0.05),
    (0.0, math.nan, "discount", "nan"),
    (0.0, -math.inf, "discount", "-inf"),
    (0.0, 1.0, "discount", 1.0),
])
def test_bad_figures_are_input_errors_naming_the_field(loading, discount, field, shown):
    with pytest.raises(InputError) as caught:
        AUTHORITY.check(sum_insured_fen=1, loading=loading, discount=discount)
    [issue] = caught.value.issues
    assert issue.field == field and issue.value == shown
    assert "finite fraction ≥ 0" in issue.reason


def test_a_loading_and_a_discount_together_are_refused():
    with pytest.raises(InputError, match="a loading or a discount, not both"):
        AUTHORITY.check(sum_insured_fen=1, loading=0.1, discount=0.05)


def test_limits_still_apply_to_good_figures():
    AUTHORITY.check(sum_insured_fen=1, loading=0.5, discount=0.0)
    with pytest.raises(PermissionDenied, match="loading"):
        AUTHORITY.check(sum_insured_fen=1, loading=0.51, discount=0.0)


def test_the_recorded_adjustment_gives_its_factor():
    loading = UnderwriterAdjustment.from_decision(loading=0.2, discount=0.0, by="key 7 (underwriter)",
                                                  referral_id=3)
    assert loading is not None and loading.kind is AdjustmentKind.LOADING and loading.factor == 1.2
    assert UnderwriterAdjustment.from_record(loading.record()) == loading
    assert loading.step().description == "underwriter loading 20 % by key 7 (underwriter)"
    discount = UnderwriterAdjustment.from_decision(loading=0.0, discount=0.1, by="k", referral_id=None)
    assert discount is not None and discount.factor == 0.9
    assert UnderwriterAdjustment.from_decision(loading=0.0, discount=0.0, by="k", referral_id=None) is None
