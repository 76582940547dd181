"""JSON Schemas of product and table-metadata files, for editors (kept in sync by a test)."""

from __future__ import annotations

import json
from pathlib import Path

from sme_insure.catalogue.product import Product
from sme_insure.tables import TableMeta

SCHEMAS = {"product.schema.json": Product, "table.schema.json": TableMeta}


def schema_text(model: type) -> str:
    """Pretty JSON of a model's validation schema, with a trailing newline."""
    return json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False) + "\n"  # type: ignore[attr-defined]


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema into ``folder``; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, model in SCHEMAS.items():
        path = folder / name
        path.write_text(schema_text(model), encoding="utf-8")
        paths.append(path)
    return paths
