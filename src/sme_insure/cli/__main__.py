"""``python -m sme_insure.cli``."""

from sme_insure.cli import main

main()
