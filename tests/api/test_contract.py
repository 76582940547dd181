"""The published OpenAPI contract matches the app, and the request examples match the contract."""

from __future__ import annotations

import json

import pytest

from sme_insure.http import schemas
from sme_insure.http.app import openapi_document
from support.paths import ROOT

EXAMPLES = {"customer.json": schemas.CustomerIn, "quote-sme-property.json": schemas.QuoteIn,
            "quote-compare.json": schemas.CompareIn, "bind.json": schemas.BindIn,
            "endorsement.json": schemas.EndorsementIn, "cancellation.json": schemas.CancellationIn,
            "referral-decision.json": schemas.DecisionIn}


def test_contract_has_not_drifted():
    shipped = json.loads((ROOT / "api" / "openapi.json").read_text(encoding="utf-8"))
    assert shipped == json.loads(json.dumps(openapi_document())), "run `sme-insure openapi`"


@pytest.mark.parametrize(("name", "model"), EXAMPLES.items())
def test_examples_validate(name, model):
    model.model_validate_json((ROOT / "api" / "examples" / name).read_text(encoding="utf-8"))
