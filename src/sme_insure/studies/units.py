"""Integer units of experience sums, so that totals do not depend on how rows are partitioned.

Floating-point addition is not associative: summing a column in one pass and in 200 partitions
gives results that differ in the last bits. Every additive quantity of the experience is therefore
rounded once per record to an integer unit and summed as ``int64``; pandas and Dask then agree
exactly, whatever the partitioning. Money is in fen; the other scales are below any figure a study
reports:

=====================  ================================  =========================================
quantity               unit                              headroom (int64 ≈ 9.2 × 10¹⁸)
=====================  ================================  =========================================
policy-years           10⁻⁶ policy-year (about 32 s)     10⁷ policy-years per row × 10⁹ rows
exposure base          10⁻³ of a unit                    2 × 10⁵ units per row × 10⁹ rows
claim counts           10⁻⁶ claim                        10³ claims per row × 10⁹ rows
money                  fen (0.01 CNY)                    CNY 10¹⁶
=====================  ================================  =========================================
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

YEAR_SCALE = 1_000_000
BASE_SCALE = 1_000
COUNT_SCALE = 1_000_000


def to_units(values: npt.ArrayLike, scale: float) -> npt.NDArray[np.int64]:
    """Round half up to integer units: ⌊round(x · scale, 6) + 0.5⌋ (as :mod:`sme_insure.money`)."""
    arr = np.asarray(values, dtype=np.float64)
    return np.floor(np.round(arr * scale, 6) + 0.5).astype(np.int64)


def from_units(values: npt.ArrayLike, scale: float) -> npt.NDArray[np.float64]:
    """Integer units back to floats for analysis and display."""
    return np.asarray(values, dtype=np.float64) / scale
