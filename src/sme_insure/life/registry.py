"""Built-in life tables by id, and a registry an insurer can add its own tables to.

The built-in ids are :class:`TableId`; their parameters live in ``data/tables.yaml`` (the single
source of truth), loaded lazily and cached. ``TableRegistry.register`` adds a table read from the
insurer's CSV under its own id; ``get`` raises :class:`~sme_insure.errors.NotFoundError` for an
unknown id, listing the known ones.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from sme_insure.errors import ConfigurationError, Issue, NotFoundError
from sme_insure.life.china import load_pymort_table
from sme_insure.life.laws import MakehamLaw, table_from_law
from sme_insure.life.tables import LifeTable, Sex, TableKind


class TableId(StrEnum):
    """Ids of the built-in tables."""

    CL1 = "CL1"
    CL2 = "CL2"
    CL3 = "CL3"
    CL4 = "CL4"
    CL5 = "CL5"
    CL6 = "CL6"
    SULT = "SULT"


class _Pymort(BaseModel):
    model_config = ConfigDict(extra="forbid")
    soa_id: int


class _Makeham(BaseModel):
    model_config = ConfigDict(extra="forbid")
    a: float
    b: float
    c: float


class ManifestEntry(BaseModel):
    """One built-in table: read from pymort, or built from Makeham's law."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    sex: Sex
    kind: TableKind
    basis: str
    pymort: _Pymort | None = None
    makeham: _Makeham | None = None
    min_age: int | None = None
    max_age: int | None = None
    reference: str = ""


@cache
def manifest() -> dict[str, ManifestEntry]:
    """``data/tables.yaml`` validated; a broken manifest is a ConfigurationError."""
    text = resources.files("sme_insure.life").joinpath("data/tables.yaml").read_text("utf-8")
    try:
        return {key: ManifestEntry.model_validate(v) for key, v in yaml.safe_load(text).items()}
    except ValidationError as exc:
        issues = [
            Issue(".".join(map(str, e["loc"])), e.get("input"), e["msg"]) for e in exc.errors()
        ]
        raise ConfigurationError(issues) from None


@cache
def builtin_table(table_id: TableId) -> LifeTable:
    """Load (once) the built-in table ``table_id``."""
    entry = manifest()[table_id.value]
    if entry.pymort is not None:
        return load_pymort_table(
            table_id.value,
            soa_id=entry.pymort.soa_id,
            sex=entry.sex,
            kind=entry.kind,
            basis=entry.basis,
        )
    if entry.makeham is None or entry.min_age is None or entry.max_age is None:
        raise ConfigurationError([Issue(table_id.value, None, "needs pymort or makeham+ages")])
    law = MakehamLaw(entry.makeham.a, entry.makeham.b, entry.makeham.c)
    return table_from_law(
        law,
        min_age=entry.min_age,
        max_age=entry.max_age,
        table_id=table_id.value,
        name=entry.basis,
        source=entry.reference,
        kind=entry.kind,
        sex=entry.sex,
    )


class TableRegistry:
    """Tables by id: the built-ins plus any the insurer registers."""

    def __init__(self) -> None:
        self._own: dict[str, LifeTable] = {}

    def register(self, table: LifeTable) -> None:
        """Add an insurer's table; its id may not shadow a built-in or an earlier table."""
        if table.table_id in TableId.__members__ or table.table_id in self._own:
            reason = "this id is already taken; choose another"
            raise ConfigurationError([Issue("table_id", table.table_id, reason)])
        self._own[table.table_id] = table

    def ids(self) -> list[str]:
        """Every id this registry can give."""
        return [t.value for t in TableId] + sorted(self._own)

    def get(self, table_id: str) -> LifeTable:
        """The table with this id (built-in ids are case-insensitive)."""
        key = str(table_id).strip()
        if key.upper() in TableId.__members__:
            return builtin_table(TableId(key.upper()))
        if key in self._own:
            return self._own[key]
        raise NotFoundError("life table", table_id, self.ids())


DEFAULT_REGISTRY = TableRegistry()


def get_table(table_id: str) -> LifeTable:
    """A table from the default registry: ``get_table("CL5")``, ``get_table("SULT")``."""
    return DEFAULT_REGISTRY.get(table_id)
