"""Rating tables: versioned, effective-dated CSV figures with exact, band and interpolated lookups."""

from sme_insure.tables.diff import diff_tables
from sme_insure.tables.files import from_excel, load_version, to_excel, write_version
from sme_insure.tables.metadata import KeySpec, MatchKind, TableMeta, TableStatus, ValueUnit
from sme_insure.tables.store import TableStore
from sme_insure.tables.table import Lookup, RatingTable

__all__ = [
    "KeySpec",
    "Lookup",
    "MatchKind",
    "RatingTable",
    "TableMeta",
    "TableStatus",
    "TableStore",
    "ValueUnit",
    "diff_tables",
    "from_excel",
    "load_version",
    "to_excel",
    "write_version",
]
