"""The claims rules file validates and names real products and inputs; upload checks; the
claims migration creates exactly the tables the models declare."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sme_insure.claims.parties import mask_account, normalise_account
from sme_insure.claims.rules import default_rules, load_rules
from sme_insure.claims.uploads import check_upload, sniff
from sme_insure.errors import ConfigurationError, InputError
from sme_insure.storage.database import Database
from sme_insure.storage.schema import Base

RULES = default_rules()


def test_product_terms_name_real_products_and_inputs(catalogue):
    for code, terms in RULES.products.items():
        product = catalogue.get(code, "2026.1")
        perils = {p for c in product.coverages for p in c.perils}
        assert set(terms.waiting_perils) <= perils
        assert terms.indemnity_input is None or terms.indemnity_input in {i.name for i in product.inputs}


def test_a_bad_rules_file_lists_its_problems(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("deadlines: {decision_days: 0}\ntriage: {}\nuploads: {}\nextra: 1\n", encoding="utf-8")
    with pytest.raises(ConfigurationError) as err:
        load_rules(path)
    assert {i.field.split(".")[0] for i in err.value.issues} >= {"deadlines", "triage", "uploads", "extra"}


def test_uploads_are_checked_by_their_bytes():
    assert sniff(b"%PDF-1.7") == "application/pdf" and sniff(b"GIF89a") is None
    ok = check_upload("photos", b"\x89PNG\r\n\x1a\n...", allowed_docs=["photos"], rules=RULES.uploads)
    assert ok.content_type == "image/png" and len(ok.sha256) == 64
    with pytest.raises(InputError) as err:
        check_upload("passport", b"", allowed_docs=["photos"], rules=RULES.uploads)
    assert [i.field for i in err.value.issues] == ["doc_type", "file"]


def test_bank_accounts():
    assert normalise_account("6222 0202-0011 2233 445") == "6222020200112233445"
    assert mask_account("6222020200112233445") == "***************3445"
    with pytest.raises(InputError):
        normalise_account("1234")


def test_migrations_match_the_models(tmp_path):
    db = Database.sqlite_file(tmp_path / "m.db")
    db.migrate()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
