"""Triage: each red flag, the fast-track conditions and handler authority levels."""

from __future__ import annotations

import datetime as dt

from sme_insure.claims.rules import default_rules
from sme_insure.claims.triage import TriageFacts, authority_level, red_flags, triage
from sme_insure.claims.vocabulary import RedFlag, Route

RULES = default_rules().triage
D = dt.date
CLEAN = TriageFacts(D(2026, 6, 1), D(2026, 3, 10), False, ((D(2026, 3, 10), 200_000_000),), 0, False,
                    800_000, 200_000_000)


def _codes(**change):
    return [f.code for f in red_flags(TriageFacts(**{**CLEAN.__dict__, **change}), RULES)]


def test_a_clean_claim_has_no_flag():
    assert _codes() == []


def test_each_red_flag():
    assert _codes(loss_date=D(2026, 3, 20)) == [RedFlag.EARLY_LOSS]
    assert _codes(loss_date=D(2026, 3, 20), renewal=True) == []
    raised = ((D(2026, 3, 10), 200_000_000), (D(2026, 5, 20), 300_000_000))
    assert _codes(limit_history=raised) == [RedFlag.COVER_INCREASED]
    lowered = ((D(2026, 3, 10), 300_000_000), (D(2026, 5, 20), 200_000_000))
    assert _codes(limit_history=lowered) == []
    assert _codes(other_claims=2) == [RedFlag.REPEAT_CLAIMS]
    assert _codes(other_claims=1) == []
    assert _codes(estimated_fen=160_000_000) == [RedFlag.NEAR_LIMIT]
    assert _codes(bank_account_seen=True) == [RedFlag.BANK_ACCOUNT_SEEN]


def test_fast_track_needs_everything_clean():
    assert triage((), estimated_fen=800_000, fast_track_limit=10_000, has_bank_account=True,
                  waiting_until=None).route is Route.FAST_TRACK
    flagged = red_flags(TriageFacts(**{**CLEAN.__dict__, "other_claims": 3}), RULES)
    for kwargs in ({"fast_track_limit": None}, {"estimated_fen": 1_000_001},
                   {"has_bank_account": False}, {"waiting_until": D(2026, 9, 1)}, {"flags": flagged}):
        args = {"flags": (), "estimated_fen": 800_000, "fast_track_limit": 10_000,
                "has_bank_account": True, "waiting_until": None, **kwargs}
        routed = triage(args.pop("flags"), **args)
        assert routed.route is Route.HANDLER and len(routed.reasons) == 1, kwargs


def test_authority_levels():
    levels = {"junior": 50_000, "senior": 500_000}
    assert authority_level({}, 10**9) == "standard"
    assert authority_level(levels, 5_000_000) == "junior"
    assert authority_level(levels, 5_000_001) == "senior"
    assert authority_level(levels, 10**12) == "senior"
