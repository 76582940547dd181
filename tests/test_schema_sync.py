"""The JSON Schemas shipped for editors are exactly what the models produce."""

from __future__ import annotations

from sme_insure.catalogue.schema import SCHEMAS, schema_text
from support.paths import ROOT


def test_shipped_schemas_match_models():
    for name, model in SCHEMAS.items():
        shipped = (ROOT / "products" / "_schema" / name).read_text(encoding="utf-8")
        assert shipped == schema_text(model), f"run `sme-insure products schema` to refresh {name}"


def test_catalogue_validates(catalogue):
    from sme_insure.catalogue import check_catalogue

    assert check_catalogue(catalogue) == []
