"""Row-level problems of a batch, collected in bulk (arrays, not one object per row)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from sme_insure.errors import Issue

ISSUE_COLUMNS = ["row", "field", "value", "reason"]


@dataclass
class IssueLog:
    """Problems found while preparing or rating N rows; ``bad`` marks rows that cannot be rated."""

    n: int
    bad: npt.NDArray[np.bool_] = field(init=False)
    _chunks: list[pd.DataFrame] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.bad = np.zeros(self.n, dtype=bool)

    def add(
        self, mask: npt.NDArray[np.bool_], field_name: str, values: object, reason: str
    ) -> None:
        """Record ``reason`` for every row where ``mask`` holds, with that row's value."""
        if not mask.any():
            return
        rows = np.flatnonzero(mask)
        if isinstance(values, pd.Series):
            picked = values.iloc[rows].to_numpy(dtype=object)
        elif isinstance(values, np.ndarray) and values.ndim == 1 and values.size == self.n:
            picked = values[rows].astype(object)
        else:
            picked = np.full(rows.size, values, dtype=object)
        self._chunks.append(
            pd.DataFrame({"row": rows, "field": field_name, "value": picked, "reason": reason})
        )
        self.bad[rows] = True

    def add_issue(self, row: int, issue: Issue) -> None:
        """Record one :class:`Issue` for one row."""
        self._chunks.append(
            pd.DataFrame(
                {
                    "row": [row],
                    "field": [issue.field],
                    "value": [issue.value],
                    "reason": [issue.reason],
                }
            )
        )
        self.bad[row] = True

    @classmethod
    def concat(cls, logs: list[IssueLog]) -> IssueLog:
        """The logs of consecutive chunks as one, row positions shifted to the whole batch."""
        out = cls(sum(log.n for log in logs))
        out.bad = np.concatenate([log.bad for log in logs]) if logs else out.bad
        start = 0
        for log in logs:
            out._chunks += [c.assign(row=c["row"] + start) for c in log._chunks]
            start += log.n
        return out

    def frame(self, index: pd.Index | None = None) -> pd.DataFrame:
        """All problems, ordered by row; ``row`` is the position, ``label`` the input's index label."""
        if not self._chunks:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in ["row", "label", *ISSUE_COLUMNS[1:]]})
        else:
            out = pd.concat(self._chunks, ignore_index=True).sort_values("row", kind="stable")
        if index is not None:
            out.insert(1, "label", index[out["row"].to_numpy(dtype=np.int64)] if len(out) else [])
        return out.reset_index(drop=True)

    def issues(self) -> list[Issue]:
        """The problems as :class:`Issue` objects (for a single quote's error)."""
        return [
            Issue(str(r.field), r.value, str(r.reason), row=int(r.row))
            for r in self.frame().itertuples(index=False)
        ]
