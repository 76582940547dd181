"""All versions of all rating tables, and the choice of the version to rate with.

By date, only ``active`` and ``retired`` versions are candidates, and exactly one must be in force
on the date. A version can always be named explicitly (a draft for an impact test, or the version a
quote recorded, to re-rate it later with the same figures).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from pathlib import Path

from sme_insure.errors import ConfigurationError, Issue, NotFoundError, RatingInputError
from sme_insure.tables.files import load_version
from sme_insure.tables.metadata import SELECTABLE_BY_DATE
from sme_insure.tables.table import RatingTable


class TableStore:
    """Table versions keyed by table id and version label."""

    def __init__(self, tables: list[RatingTable] | None = None) -> None:
        self._tables: dict[str, dict[str, RatingTable]] = {}
        for table in tables or []:
            self.add(table)

    @classmethod
    def load(cls, folder: Path) -> TableStore:
        """Load every ``*.yaml`` under ``folder``; all errors of all files are raised together."""
        issues: list[Issue] = []
        tables: list[RatingTable] = []
        for meta_path in sorted(Path(folder).glob("*/*.yaml")):
            try:
                table = load_version(meta_path)
            except ConfigurationError as exc:
                issues.extend(exc.issues)
                continue
            if table.meta.table != meta_path.parent.name or table.meta.version != meta_path.stem:
                issues.append(
                    Issue(
                        "table/version",
                        table.label,
                        f"must match its path {meta_path.parent.name}/{meta_path.stem}",
                        source=str(meta_path),
                    )
                )
            tables.append(table)
        if issues:
            raise ConfigurationError(issues)
        return cls(tables)

    def add(self, table: RatingTable) -> None:
        """Register a version (e.g. a proposed draft made by a rate study)."""
        versions = self._tables.setdefault(table.meta.table, {})
        if table.meta.version in versions:
            raise ConfigurationError([Issue("version", table.label, "version already exists")])
        versions[table.meta.version] = table

    def __contains__(self, table_id: object) -> bool:
        return table_id in self._tables

    def __iter__(self) -> Iterator[RatingTable]:
        for versions in self._tables.values():
            yield from versions.values()

    def ids(self) -> list[str]:
        """Known table ids, sorted."""
        return sorted(self._tables)

    def versions(self, table_id: str) -> list[RatingTable]:
        """All versions of one table, by effective date."""
        if table_id not in self._tables:
            raise NotFoundError("rating table", table_id, self.ids())
        return sorted(
            self._tables[table_id].values(), key=lambda t: (t.meta.effective_from, t.meta.version)
        )

    def get(self, table_id: str, version: str) -> RatingTable:
        """A named version, whatever its status."""
        versions = {t.meta.version: t for t in self.versions(table_id)}
        if version not in versions:
            raise NotFoundError(f"version of table {table_id}", version, list(versions))
        return versions[version]

    def in_force(self, table_id: str, on: dt.date) -> RatingTable:
        """The active (or since retired) version whose dates cover ``on``."""
        found = [
            t
            for t in self.versions(table_id)
            if t.meta.status in SELECTABLE_BY_DATE and t.meta.in_force(on)
        ]
        if not found:
            spans = [
                f"{t.meta.version} {t.meta.effective_from}–{t.meta.effective_to or '∞'} "
                f"({t.meta.status})"
                for t in self.versions(table_id)
            ]
            raise RatingInputError(
                [
                    Issue(
                        "as_of",
                        on.isoformat(),
                        f"no version of table {table_id} in force; versions: {spans}",
                    )
                ]
            )
        if len(found) > 1:
            raise ConfigurationError(
                [
                    Issue(
                        "effective_from",
                        on.isoformat(),
                        f"{len(found)} versions of table {table_id} are in force on this date "
                        f"({', '.join(t.label for t in found)}); exactly one may be: give the "
                        "earlier one an effective_to (`sme-insure products validate` lists overlaps)",
                        source=table_id,
                    )
                ]
            )
        return found[0]

    def uncovered(
        self, table_id: str, start: dt.date, end: dt.date | None
    ) -> list[tuple[dt.date, dt.date | None]]:
        """The parts of ``[start, end)`` (``end=None``: open-ended) where no version selectable by
        date is in force: walk the versions by ``effective_from``, a cursor advancing to each one's
        ``effective_to``; a version starting after the cursor leaves a hole before it."""
        holes: list[tuple[dt.date, dt.date | None]] = []
        cursor: dt.date | None = start  # None: covered to the end of time
        for t in self.versions(table_id):
            if t.meta.status not in SELECTABLE_BY_DATE or cursor is None:
                continue
            if end is not None and cursor >= end:
                break
            if t.meta.effective_from > cursor:
                stop = t.meta.effective_from if end is None else min(t.meta.effective_from, end)
                holes.append((cursor, stop))
            to = t.meta.effective_to
            cursor = None if to is None else max(cursor, to)
        if cursor is not None and (end is None or cursor < end):
            holes.append((cursor, end))
        return holes

    def check_dates(self) -> list[Issue]:
        """Versions chosen by date must not overlap, and must leave no gap between them."""
        issues: list[Issue] = []
        for table_id in self.ids():
            dated = [t for t in self.versions(table_id) if t.meta.status in SELECTABLE_BY_DATE]
            for prev, nxt in itertools.pairwise(dated):
                end = prev.meta.effective_to
                if end is None or end > nxt.meta.effective_from:
                    issues.append(
                        Issue(
                            "effective_from",
                            nxt.label,
                            f"overlaps {prev.label} (to {end or 'open'})",
                            source=table_id,
                        )
                    )
                elif end < nxt.meta.effective_from:
                    issues.append(
                        Issue(
                            "effective_from",
                            nxt.label,
                            f"gap after {prev.label}, which ends {end}",
                            source=table_id,
                        )
                    )
        return issues
