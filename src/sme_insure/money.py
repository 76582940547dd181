"""Money: CNY held as integer fen (分, 0.01 CNY).

Rating arithmetic runs in float64 CNY and is turned into fen at stated points only, by rounding
half up (away from zero for the non-negative amounts insurance premiums are):

    fen = floor(round(cny * 100, 6) + 0.5)

The inner ``round(..., 6)`` removes binary noise below a millionth of a fen, so 1.005 CNY (which is
1.00499999... in binary) becomes 101 fen, as a person computing by hand would expect. The scalar
function and the vectorised one do the same operations in the same order, so a single quote and
the same risk in a batch give identical fen.

VAT is split from a VAT-inclusive gross in integer arithmetic: with 1 + r = a/b in lowest terms,
net = round_half_up(gross · b / a) = (2·gross·b + a) // (2·a); VAT = gross − net.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import numpy.typing as npt

FEN_PER_CNY = 100


def to_fen(cny: float) -> int:
    """Round one CNY amount half up to integer fen."""
    return math.floor(round(cny * FEN_PER_CNY, 6) + 0.5)


def to_fen_array(cny: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Vectorised :func:`to_fen`: identical results element by element."""
    x = np.asarray(cny, dtype=np.float64) * FEN_PER_CNY  # one new array, then worked in place
    np.round(x, 6, out=x)
    x += 0.5
    np.floor(x, out=x)
    return x.astype(np.int64)


def fen_to_cny(fen: int) -> float:
    """Integer fen as a CNY float, for display only."""
    return fen / FEN_PER_CNY


def format_cny(fen: int) -> str:
    """``123456`` → ``'1,234.56'``: exact, from integer fen."""
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(int(fen)), FEN_PER_CNY)
    return f"{sign}{whole:,}.{part:02d}"


def _one_plus(rate: float) -> tuple[int, int]:
    """``1 + rate`` as a reduced fraction a/b, taken from the decimal text of ``rate``."""
    frac = 1 + Fraction(str(rate))
    return frac.numerator, frac.denominator


def split_vat(gross_fen: int, rate: float) -> tuple[int, int]:
    """Split a VAT-inclusive amount: ``(net, vat)`` with net = round_half_up(gross / (1 + rate))."""
    a, b = _one_plus(rate)
    net = (2 * gross_fen * b + a) // (2 * a)
    return net, gross_fen - net


def split_vat_array(
    gross_fen: npt.NDArray[np.int64], rate: float
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Vectorised :func:`split_vat` in exact int64 arithmetic."""
    a, b = _one_plus(rate)
    gross = np.asarray(gross_fen, dtype=np.int64)
    net = (2 * gross * b + a) // (2 * a)
    return net, gross - net


def share_fen(amount_fen: int, share: float) -> int:
    """``round_half_up(amount × share)`` in fen, e.g. a government subsidy or a commission."""
    return to_fen(amount_fen * share / FEN_PER_CNY)


def share_fen_array(amount_fen: npt.NDArray[np.int64], share: float) -> npt.NDArray[np.int64]:
    """Vectorised :func:`share_fen`."""
    return to_fen_array(np.asarray(amount_fen, dtype=np.float64) * share / FEN_PER_CNY)
