"""Losses and claim counts to ultimate, per accident period, with the reserving module.

Losses: :func:`sme_insure.reserving.run_reserving` on the product's claim transactions (its
configured method, basis and tail) gives per origin the latest and the ultimate; a claim's
developed loss is its latest (same basis) × f_o, f_o = ultimate_o / latest_o. An origin with no
reported loss but a projected ultimate (expected-loss fallback) cannot be spread over claims: its
ultimate is carried as *unallocated* and added to the overall indication only (flagged).

Counts: chain ladder (volume-weighted) on the reported-count triangle that reserving built; a
claim counts g_o = ultimate count_o / reported_o.

An origin with reported loss whose ultimate reserving could not project has no loss factor: it
stays empty (NaN) with the flag ``undeveloped``, never 0 or 1 silently; its claims are then taken
at their latest and flagged (:func:`.losses.developed_claims`).
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass

import chainladder as cl
import numpy as np
import pandas as pd

from sme_insure.errors import InputError, Issue
from sme_insure.reserving import (
    Basis,
    Grain,
    ReservingConfig,
    ReservingResult,
    run_reserving,
)
from sme_insure.studies.cells import flag_where, join_flags
from sme_insure.studies.vocabulary import Flag


@dataclass(frozen=True)
class Development:
    """Per origin: latest and ultimate losses (fen), reported and ultimate counts, factors."""

    basis: Basis
    origins: pd.DataFrame
    result: ReservingResult
    notes: tuple[str, ...]

    def factors(self) -> tuple[dict[str, float], dict[str, float]]:
        """Loss and count development factors by origin label."""
        o = self.origins.set_index("origin")
        return o["loss_factor"].to_dict(), o["count_factor"].to_dict()


def _count_ultimates(result: ReservingResult) -> pd.DataFrame:
    """Reported and chain-ladder ultimate counts per origin of the (single) segment."""
    tri = result.triangles.reported_count
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        ultimate = cl.Chainladder().fit(cl.Development(average="volume").fit_transform(tri))
        latest = tri.latest_diagonal.values[0, 0, :, -1]
        ult = ultimate.ultimate_.values[0, 0, :, -1]
    labels = [str(p) for p in tri.origin]
    latest, ult = np.nan_to_num(latest), np.nan_to_num(ult)
    ult = np.where(ult < latest, latest, ult)  # a count never develops downwards
    return pd.DataFrame({"origin": labels, "reported_count": latest, "ultimate_count": ult})


def _loss_origins(result: ReservingResult) -> pd.DataFrame:
    origins = result.origins
    cols = ["origin", "earned_premium_fen", "latest_fen", "ultimate_fen", "method"]
    return origins[cols]


def _factors(frame: pd.DataFrame) -> pd.DataFrame:
    """f_o = ultimate_o / latest_o (1 without reported loss; NaN and flagged where reserving gave
    no ultimate), g_o = ultimate count_o / reported_o, and the unallocated ultimate."""
    latest, ult = frame["latest_fen"].to_numpy(float), frame["ultimate_fen"].to_numpy(float)
    with np.errstate(all="ignore"):
        loss_factor = np.where(latest > 0, ult / latest, 1.0)
    unallocated = np.where(latest > 0, 0.0, np.nan_to_num(ult))
    rep, ucount = frame["reported_count"].to_numpy(float), frame["ultimate_count"].to_numpy(float)
    with np.errstate(all="ignore"):
        count_factor = np.where(rep > 0, ucount / rep, 1.0)
    return frame.assign(
        ultimate_fen=np.where(latest > 0, ult, np.nan_to_num(ult)),
        loss_factor=loss_factor,
        count_factor=count_factor,
        unallocated_fen=unallocated,
        flag=join_flags(flag_where(~np.isfinite(loss_factor), Flag.UNDEVELOPED)),
    )


def develop(
    claims: pd.DataFrame,
    premiums: pd.DataFrame,
    valuation: dt.date,
    grain: Grain,
    config: ReservingConfig,
) -> Development:
    """Run reserving on one product's transactions and derive per-origin factors."""
    if claims.empty:
        raise InputError(
            [
                Issue(
                    "claims", 0, "no claim transactions for the product: losses cannot be developed"
                )
            ]
        )
    result = run_reserving(
        claims, premiums, valuation, by=("line",), config=config, grain=grain, strict=True
    )
    if len(result.plans) != 1:
        raise InputError(
            [
                Issue(
                    "line",
                    [p.label for p in result.plans],
                    "a study covers one product of one line",
                )
            ]
        )
    frame = _loss_origins(result).merge(_count_ultimates(result), on="origin", how="outer")
    frame = frame.fillna(
        {
            "earned_premium_fen": 0.0,
            "latest_fen": 0.0,
            "reported_count": 0.0,
            "ultimate_count": 0.0,
            "method": "",
        }
    )
    frame = _factors(frame.sort_values("origin").reset_index(drop=True))
    plan = result.plans[0]
    notes = [
        *plan.notes,
        f"losses: {plan.method.value} on {plan.cfg.basis.value}, pattern "
        f"{plan.source.value}; counts: volume-weighted chain ladder on reported counts",
    ]
    for row in frame.loc[frame["unallocated_fen"] > 0].itertuples():
        notes.append(
            f"origin {row.origin}: no reported loss, projected ultimate "
            f"{row.unallocated_fen / 100:,.0f} CNY added to the overall indication only"
        )
    return Development(plan.cfg.basis, frame, result, tuple(notes))
