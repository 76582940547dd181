"""The JSON Schema of the inputs a product's quote needs (for channels and web forms)."""

from __future__ import annotations

from typing import Any

from sme_insure.catalogue.product import Product
from sme_insure.catalogue.regions import province_codes
from sme_insure.catalogue.terms import InputSpec
from sme_insure.catalogue.vocabulary import InputType

_TYPES = {InputType.MONEY: "number", InputType.NUMBER: "number", InputType.INTEGER: "integer",
          InputType.BOOLEAN: "boolean", InputType.DATE: "string", InputType.INDUSTRY: "string"}


def _property(spec: InputSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"title": spec.label.en, "description": spec.label.zh}
    if spec.type is InputType.CATEGORY:
        out["enum"] = list(spec.levels or [])
    elif spec.type is InputType.REGION:
        out |= {"type": "string", "enum": province_codes()}
    else:
        out["type"] = _TYPES[spec.type]
    if spec.type is InputType.DATE:
        out["format"] = "date"
    if spec.type is InputType.INDUSTRY:
        out["pattern"] = "^[A-T](\\d{2})?$"
    if spec.min is not None:
        out["minimum"] = spec.min
    if spec.max is not None:
        out["maximum"] = spec.max
    if spec.default is not None:
        out["default"] = spec.default
    return out


def input_schema(product: Product) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a quote's ``inputs``; optional coverages appear as
    boolean ``cover_<code>`` properties."""
    props = {s.name: _property(s) for s in product.inputs}
    for cov in product.coverages:
        if cov.optional:
            props[cov.selector] = {"type": "boolean", "title": f"Include {cov.name.en}",
                                   "description": cov.name.zh, "default": cov.selected_by_default}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
            "properties": props, "required": [s.name for s in product.inputs if s.required],
            "additionalProperties": False}
