"""The money rules of :mod:`sme_insure.money`, worked in place on arrays the engine owns.

Each function does the same IEEE/int64 operations in the same order as its counterpart in
:mod:`sme_insure.money` (``tests/rating/test_fen_in_place.py`` checks it), only without fresh
temporaries: on a million rows every new 8 MB array costs page faults, not just arithmetic.

* :func:`to_fen_owned` = ``to_fen_array``: fen = ⌊round(cny × 100, 6) + 0.5⌋, written over the
  float buffer and returned as an int64 view of the same memory.
* :func:`share_fen_of` = ``share_fen_array``: fen = to_fen(float(amount) × share / 100).
* :func:`vat_of` = ``split_vat_array(...)[1]``: with 1 + r = a/b, net = (2·gross·b + a) // (2a)
  and VAT = gross − net. In int64 (wrap-around) arithmetic 2·gross·b = gross·(2b) exactly.
"""

from __future__ import annotations

import functools
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from sme_insure.money import FEN_PER_CNY

Fen = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
BLOCK = 65_536  # rows per block: 512 kB of float64, well inside a core's L2 cache


def to_fen_owned(cny: Floats) -> Fen:
    """Round half up to fen *in place*: ``cny`` (float64, contiguous, not shared) is consumed and
    its memory holds the int64 result. ⌊round(x·100, 6) + 0.5⌋, as ``money.to_fen_array``.

    Worked in blocks that stay in cache, through a small scratch buffer (the last step writes
    the int64 over the float it was computed from)."""
    fen = cny.view(np.int64)
    scratch = np.empty(min(BLOCK, cny.size))
    for start in range(0, cny.size, BLOCK):
        x = scratch[:min(BLOCK, cny.size - start)]
        np.multiply(cny[start:start + BLOCK], FEN_PER_CNY, out=x)
        np.round(x, 6, out=x)
        np.add(x, 0.5, out=x)
        np.floor(x, out=fen[start:start + BLOCK], casting="unsafe")
    return fen


def share_fen_of(amount_fen: Fen, share: float) -> Fen:
    """round_half_up(amount × share) in fen, as ``money.share_fen_array``: one new array."""
    x = amount_fen.astype(np.float64)
    np.multiply(x, share, out=x)
    np.divide(x, FEN_PER_CNY, out=x)
    return to_fen_owned(x)


@functools.lru_cache(maxsize=64)
def _one_plus(rate: float) -> tuple[int, int]:
    """``1 + rate`` = a/b in lowest terms, from the decimal text of the rate (as money.py)."""
    frac = 1 + Fraction(str(rate))
    return frac.numerator, frac.denominator


def vat_of(gross_fen: Fen, rate: float, out: Fen | None = None) -> Fen:
    """VAT in a VAT-inclusive gross: gross − (2·gross·b + a) // (2a), into ``out`` (or new)."""
    a, b = _one_plus(rate)
    net = np.multiply(gross_fen, 2 * b, out=out)
    np.add(net, a, out=net)
    np.floor_divide(net, 2 * a, out=net)
    return np.subtract(gross_fen, net, out=net)
