"""Helpers shared by the API tests (importable; fixtures stay in conftest)."""

from conftest import ENTERPRISE, PROPERTY, new_customer, new_quote  # noqa: F401
