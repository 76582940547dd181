"""Generated books of risks for any product (the library's example generator), and one plain
risk for tests of a single quote."""

from sme_insure.rating.examples import example_risks as random_book  # noqa: F401

# A plain SME property risk, every required input given, accepted as it stands
PROPERTY_RISK = {
    "occupancy_class": "office",
    "construction": "class_1",
    "province": "11",
    "sum_insured": 1_000_000,
    "fire_protection": "hydrants",
}
