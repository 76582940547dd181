"""Underwriting authority: what an underwriter may approve, and with what loading or discount."""

from __future__ import annotations

from dataclasses import dataclass

from sme_insure.errors import Issue, PermissionDenied
from sme_insure.underwriting.adjustment import check_rates


@dataclass(frozen=True)
class Authority:
    """Limits of one underwriter: sum insured (fen) and the loading and discount they may give
    (as fractions of the premium, e.g. 0.25 = 25 %)."""

    max_sum_insured_fen: int
    max_loading: float
    max_discount: float

    def check(self, *, sum_insured_fen: int, loading: float, discount: float) -> None:
        """Raise :class:`PermissionDenied` naming each limit the decision would exceed; first
        :class:`InputError` for a loading or discount that is negative, NaN, infinite, a
        discount of 1 or more, or both at once (no caller can pass one through)."""
        check_rates(loading, discount)
        problems = []
        if sum_insured_fen > self.max_sum_insured_fen:
            problems.append(Issue("sum_insured", sum_insured_fen / 100,
                                  f"above your authority of {self.max_sum_insured_fen / 100:,.0f} CNY"))
        if loading > self.max_loading:
            problems.append(Issue("loading", loading, f"above your authority of {self.max_loading}"))
        if discount > self.max_discount:
            problems.append(Issue("discount", discount, f"above your authority of {self.max_discount}"))
        if problems:
            raise PermissionDenied("; ".join(str(p) for p in problems))
