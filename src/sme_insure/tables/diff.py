"""Cell-level differences between two versions of a table."""

from __future__ import annotations

import pandas as pd

from sme_insure.errors import InputError, Issue
from sme_insure.tables.metadata import MatchKind
from sme_insure.tables.table import RatingTable


def _key_columns(table: RatingTable) -> list[str]:
    cols: list[str] = []
    for key in table.meta.keys:
        cols += (
            [f"{key.name}_from", f"{key.name}_to"] if key.match is MatchKind.BAND else [key.name]
        )
    return cols


def diff_tables(old: RatingTable, new: RatingTable) -> pd.DataFrame:
    """Rows ``key columns…, old, new, change`` where the value differs, was added or removed.

    ``change`` is ``changed``, ``added`` or ``removed``; unchanged cells are left out. Keys are
    compared as text, values as numbers.
    """
    keys = _key_columns(old)
    if keys != _key_columns(new):
        raise InputError([Issue("versions", f"{old.label} → {new.label}",
                                "two versions with the same keys and match kinds: these have "
                                f"{keys} and {_key_columns(new)}, so cells cannot be paired")])
    a = old.frame[[*keys, old.meta.value]].rename(columns={old.meta.value: "old"})
    b = new.frame[[*keys, new.meta.value]].rename(columns={new.meta.value: "new"})
    merged = a.merge(b, on=keys, how="outer", indicator=True)
    old_v = pd.to_numeric(merged["old"], errors="coerce")
    new_v = pd.to_numeric(merged["new"], errors="coerce")
    merged["change"] = (
        merged["_merge"]
        .map({"left_only": "removed", "right_only": "added", "both": "changed"})
        .astype(str)
    )
    keep = (merged["_merge"] != "both") | (old_v != new_v)
    return merged.loc[keep, [*keys, "old", "new", "change"]].reset_index(drop=True)
