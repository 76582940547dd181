"""Generated books of risks for any product (the library's example generator)."""

from sme_insure.rating.examples import example_risks as random_book  # noqa: F401
