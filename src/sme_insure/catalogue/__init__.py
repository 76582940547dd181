"""The product catalogue: validated, versioned, effective-dated product definitions."""

from sme_insure.catalogue.catalogue import Catalogue
from sme_insure.catalogue.checks import check_catalogue, load_checked
from sme_insure.catalogue.loader import load_products
from sme_insure.catalogue.product import Product
from sme_insure.catalogue.terms import Coverage, InputSpec, Text
from sme_insure.catalogue.vocabulary import (
    CustomerType,
    InputType,
    Line,
    RuleAction,
    TaxTreatment,
)

__all__ = [
    "Catalogue",
    "Coverage",
    "CustomerType",
    "InputSpec",
    "InputType",
    "Line",
    "Product",
    "RuleAction",
    "TaxTreatment",
    "Text",
    "check_catalogue",
    "load_checked",
    "load_products",
]
