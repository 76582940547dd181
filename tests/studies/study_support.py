"""Builders of the rate-study tests: configurations over synthetic books written to disk."""

from __future__ import annotations

from pathlib import Path

import yaml

from sme_insure.studies import book_for, parse_study_config
from sme_insure.studies.demo import demo_config_text
from sme_insure.studies.inputs import rating_context
from support.paths import ROOT


def study_config(folder: Path, tables: Path | None = None, **changes: object):
    """The demo configuration over ``folder``'s book and claims, with top-level changes."""
    raw = yaml.safe_load(demo_config_text())
    raw["data"] = {
        "book": str(folder / "book.parquet"),
        "claims": str(folder / "claims.parquet"),
        "strict": True,
    }
    raw["catalogue"] = {
        "products": str(ROOT / "products"),
        "tables": str(tables or ROOT / "rating_tables"),
    }
    for key, value in changes.items():
        raw[key] = value
    return parse_study_config(raw)


def write_book(folder: Path, n: int, seed: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = study_config(folder)
    synthetic = book_for(config, rating_context(config), n, seed)
    synthetic.book.to_parquet(folder / "book.parquet", index=False)
    synthetic.claims.to_parquet(folder / "claims.parquet", index=False)
    (folder / "expected.yaml").write_text(yaml.safe_dump(synthetic.expected), encoding="utf-8")
    return folder
