"""Coded values: integer codes into a tuple of level texts (−1 = missing).

A light stand-in for ``pd.Categorical`` on the hot path: a single quote is a batch of one, and
building pandas categoricals costs more than rating it. Levels are canonical texts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from sme_insure.tables.keys import canonical


def _absent(value: object) -> bool:
    """None, NaN and pandas' NA all mean no value."""
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


@dataclass(frozen=True, slots=True)
class Coded:
    """``codes[i]`` indexes ``levels``; −1 means no value."""

    codes: npt.NDArray[np.int64]
    levels: tuple[str, ...]
    _any_missing: bool | None = None  # cached by :meth:`any_missing`

    def any_missing(self) -> bool:
        """Whether some row has no value (computed once; lookups skip their checks if not)."""
        if self._any_missing is None:
            object.__setattr__(self, "_any_missing", bool((self.codes < 0).any()))
        return self._any_missing  # type: ignore[return-value]

    @classmethod
    def from_values(cls, values: object) -> Coded:
        """Code arbitrary values by their canonical text (slow path, for ad-hoc lookups)."""
        texts = [None if _absent(v) else canonical(v) for v in values]  # type: ignore[attr-defined]
        levels = tuple(dict.fromkeys(t for t in texts if t is not None))
        index = {t: i for i, t in enumerate(levels)}
        return cls(np.array([index.get(t, -1) if t is not None else -1 for t in texts],
                            dtype=np.int64), levels)

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def missing(self) -> npt.NDArray[np.bool_]:
        """Rows without a value."""
        return self.codes < 0

    def texts(self, rows: npt.ArrayLike) -> list[str | None]:
        """Level texts of some rows (``None`` where missing)."""
        return [self.levels[c] if c >= 0 else None for c in np.asarray(self.codes)[rows].tolist()]

    def __getitem__(self, pos: int) -> str | None:
        code = int(self.codes[pos])
        return self.levels[code] if code >= 0 else None
