"""The same experience from an imported book and from the system's policies and premium
transactions; a cancellation earns its return pro rata to the day."""

from __future__ import annotations

import pandas as pd
import pytest
from study_support import study_config

from sme_insure.errors import InputError
from sme_insure.studies import run_study


def _split(folder, tmp_path, cancel: int = 0):
    book = pd.read_parquet(folder / "book.parquet")
    tx = book[
        ["policy_id", "product_code", "effective_from", "effective_to", "written_fen", "exposure"]
    ].assign(line="property", transaction_date=book["effective_from"])
    if cancel:  # the first policies cancelled half way: return half the premium and exposure
        first = tx.head(cancel)
        half = (first["effective_to"] - first["effective_from"]) / 2
        start = (first["effective_from"] + half).dt.normalize()
        days = (first["effective_to"] - first["effective_from"]).dt.days + 1
        left = (first["effective_to"] - start).dt.days + 1
        share = left / days
        tx = pd.concat(
            [
                tx,
                first.assign(
                    effective_from=start,
                    transaction_date=start,
                    written_fen=-(first["written_fen"] * share).round().astype("int64"),
                    exposure=-share,
                ),
            ],
            ignore_index=True,
        )
    policies = book.drop(columns=["effective_from", "effective_to", "written_fen", "exposure"])
    policies.to_parquet(tmp_path / "policies.parquet", index=False)
    tx.to_parquet(tmp_path / "premiums.parquet", index=False)
    return tmp_path / "policies.parquet", tmp_path / "premiums.parquet"


def _with_premiums(folder, policies, premiums):
    config = study_config(folder, proposal=None)
    data = config.data.model_copy(update={"book": policies, "premiums": premiums})
    return config.model_copy(update={"data": data})


def test_policies_and_premium_transactions_give_the_imported_books_experience(tiny_book, tmp_path):
    imported = run_study(study_config(tiny_book, proposal=None))
    system = run_study(_with_premiums(tiny_book, *_split(tiny_book, tmp_path)))
    pd.testing.assert_frame_equal(
        imported.experience.cells, system.experience.cells, check_exact=True
    )


def test_a_cancellation_returns_exposure_pro_rata(tiny_book, tmp_path):
    imported = run_study(study_config(tiny_book, proposal=None))
    system = run_study(_with_premiums(tiny_book, *_split(tiny_book, tmp_path, cancel=50)))
    tx = pd.read_parquet(tmp_path / "premiums.parquet")
    returned = tx.loc[tx["exposure"] < 0]
    end = returned["effective_to"].clip(upper=pd.Timestamp("2025-12-31"))
    inside = ((end - returned["effective_from"]).dt.days + 1).clip(lower=0)
    expected = float(
        (
            -returned["exposure"]
            * inside
            / ((returned["effective_to"] - returned["effective_from"]).dt.days + 1)
        ).sum()
    )
    before = imported.indication.periods["policy_years"].sum()
    after = system.indication.periods["policy_years"].sum()
    assert expected > 10
    assert before - after == pytest.approx(expected, abs=1e-4)


def test_premium_transactions_of_unknown_policies_are_an_error(tiny_book, tmp_path):
    policies, premiums = _split(tiny_book, tmp_path)
    tx = pd.read_parquet(premiums)
    tx.loc[0, "policy_id"] = "P-NOWHERE"
    tx.to_parquet(premiums, index=False)
    with pytest.raises(InputError, match="not in the book"):
        run_study(_with_premiums(tiny_book, policies, premiums))
