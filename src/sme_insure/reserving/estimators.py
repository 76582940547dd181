"""chainladder estimators built from configuration: one registry keyed by :class:`MethodName`.

Nothing here estimates anything; it only turns a validated :class:`~.config.LineConfig` into the
chainladder objects that do (``Development``, a tail, and a method).
"""

from __future__ import annotations

from collections.abc import Callable

import chainladder as cl

from sme_insure.reserving.config import DevelopmentConfig, LineConfig, TailConfig
from sme_insure.reserving.vocabulary import MethodName, TailKind

#: Methods whose fit needs earned premium (``sample_weight``).
EXPOSURE_METHODS = frozenset(
    {
        MethodName.BORNHUETTER_FERGUSON,
        MethodName.BENKTANDER,
        MethodName.CAPE_COD,
        MethodName.EXPECTED_LOSS,
    }
)


def development_estimator(cfg: DevelopmentConfig) -> cl.Development:
    """Age-to-age factors: ``average`` over the latest ``n_periods`` diagonals."""
    return cl.Development(
        average=cfg.average.value,
        n_periods=cfg.n_periods,
        sigma_interpolation=cfg.sigma_interpolation.value,
    )


def tail_estimator(cfg: TailConfig) -> cl.TailConstant | cl.TailCurve:
    """Tail: 1.0, a constant factor, or an exponential / inverse-power curve fitted to the LDFs."""
    if cfg.kind is TailKind.NONE:
        return cl.TailConstant(tail=1.0)
    if cfg.kind is TailKind.CONSTANT:
        return cl.TailConstant(tail=cfg.factor)
    return cl.TailCurve(curve=cfg.kind.value)


def _apriori(cfg: LineConfig) -> float:
    """The configured a priori loss ratio (validated present for the methods that need it)."""
    if cfg.apriori_loss_ratio is None:  # pragma: no cover - LineConfig validates this
        raise ValueError("apriori_loss_ratio missing")
    return cfg.apriori_loss_ratio


_REGISTRY: dict[MethodName, Callable[[LineConfig], cl.MethodBase]] = {
    MethodName.CHAINLADDER: lambda cfg: cl.Chainladder(),
    MethodName.MACK: lambda cfg: cl.MackChainladder(),
    MethodName.BORNHUETTER_FERGUSON: lambda cfg: cl.BornhuetterFerguson(apriori=_apriori(cfg)),
    MethodName.BENKTANDER: lambda cfg: cl.Benktander(
        apriori=_apriori(cfg), n_iters=cfg.benktander_iterations
    ),
    MethodName.CAPE_COD: lambda cfg: cl.CapeCod(trend=cfg.cape_cod_trend, decay=cfg.cape_cod_decay),
    MethodName.EXPECTED_LOSS: lambda cfg: cl.ExpectedLoss(apriori=_apriori(cfg)),
}


def method_estimator(method: MethodName, cfg: LineConfig) -> cl.MethodBase:
    """A fresh, unfitted chainladder method for ``method`` with ``cfg``'s assumptions."""
    return _REGISTRY[method](cfg)
