from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from sme_insure.pension import PensionTerms, load_terms

EXAMPLE = Path(__file__).with_name("terms_example.yaml")


@pytest.fixture(scope="session")
def terms() -> PensionTerms:
    return load_terms(EXAMPLE)


@pytest.fixture
def example_data() -> dict[str, Any]:
    """The example terms file as a fresh mapping, to embed or mutate."""
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
