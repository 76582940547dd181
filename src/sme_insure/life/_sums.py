"""The two sums every annual present value is made of, vectorised over ages, rates and terms.

For integer age x, annual effective rate i (v = 1/(1+i)) and whole-year bounds s ≤ k < e:

    survival sum  S(x, i, s, e) = Σ_{k=s}^{e−1} v^k · ₖp_x              (paid while alive)
    death sum     D(x, i, s, e) = Σ_{k=s}^{e−1} v^{k+1} · ₖp_x · q_{x+k} (paid at end of death year)

with ₖp_x = ℓ_{x+k} / ℓ_x (zero beyond the closed end of the table). Inputs broadcast like
numpy arrays; each distinct (x, i, s, e) combination is evaluated once, in blocks, so 100,000
policies on a few ages cost no more than the few ages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sme_insure.life._grid import FloatArray, IntArray

if TYPE_CHECKING:
    from sme_insure.life.tables import LifeTable

BLOCK = 4096


def _padded(table: LifeTable) -> tuple[FloatArray, FloatArray, int]:
    """ℓ and q indexed from ``min_age``, padded with ℓ = 0, q = 1 past the end; span K."""
    span = table.qx.size + 1
    lx = np.concatenate((table.lx, np.zeros(span)))
    qx = np.concatenate((table.qx, np.ones(span + 1)))
    return lx, qx, span


def _unique_rows(*arrays: FloatArray) -> tuple[FloatArray, IntArray, tuple[int, ...]]:
    """Broadcast, stack as columns and keep distinct rows; also the inverse and the shape."""
    wide = np.broadcast_arrays(*[np.asarray(a, dtype=np.float64) for a in arrays])
    shape = wide[0].shape
    stacked = np.stack([w.ravel() for w in wide], axis=1)
    rows, inverse = np.unique(stacked, axis=0, return_inverse=True)
    return rows, inverse.reshape(-1), shape


def _block_sum(table: LifeTable, rows: FloatArray, *, on_death: bool) -> FloatArray:
    """Evaluate S or D for the distinct rows (x, i, s, e), BLOCK rows at a time."""
    lx, qx, span = _padded(table)
    k = np.arange(span)
    out = np.empty(rows.shape[0])
    for lo in range(0, rows.shape[0], BLOCK):
        block = rows[lo : lo + BLOCK]
        idx = block[:, 0].astype(np.int64) - table.min_age
        at = idx[:, None] + k
        kpx = lx[at] / lx[idx][:, None]
        power = k + 1 if on_death else k
        v_k = (1.0 + block[:, 1])[:, None] ** -power
        term = v_k * kpx * (qx[at] if on_death else 1.0)
        inside = (k >= block[:, 2][:, None]) & (k < block[:, 3][:, None])
        out[lo : lo + BLOCK] = np.where(inside, term, 0.0).sum(axis=1)
    return out


def survival_sum(
    table: LifeTable, age: IntArray, interest: FloatArray, start: FloatArray, stop: FloatArray
) -> FloatArray:
    """S(x, i, s, e) = Σ_{k=s}^{e−1} v^k ₖp_x, broadcast over the four arguments."""
    rows, inverse, shape = _unique_rows(age, interest, start, stop)
    return _block_sum(table, rows, on_death=False)[inverse].reshape(shape)


def death_sum(
    table: LifeTable, age: IntArray, interest: FloatArray, start: FloatArray, stop: FloatArray
) -> FloatArray:
    """D(x, i, s, e) = Σ_{k=s}^{e−1} v^{k+1} ₖp_x q_{x+k}, broadcast over the four arguments."""
    rows, inverse, shape = _unique_rows(age, interest, start, stop)
    return _block_sum(table, rows, on_death=True)[inverse].reshape(shape)


def discounted_survival(
    table: LifeTable, age: IntArray, interest: FloatArray, n: FloatArray
) -> FloatArray:
    """ₙE_x = v^n · ₙp_x for whole n ≥ 0 (n may be ∞, giving 0)."""
    lx, _, span = _padded(table)
    x, i, duration = np.broadcast_arrays(age, interest, n)
    idx = x - table.min_age
    capped = np.minimum(duration, span).astype(np.int64)
    npx = lx[idx + capped] / lx[idx]
    with np.errstate(over="ignore", divide="ignore"):
        v_n = np.where(duration >= span, 0.0, (1.0 + i) ** -np.minimum(duration, span))
    return v_n * npx
