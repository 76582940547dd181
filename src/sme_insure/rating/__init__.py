"""Rating: a vectorised engine over a DataFrame of risks; a single quote is a batch of one."""

from sme_insure.rating.engine import Rater
from sme_insure.rating.result import RatingResult

__all__ = ["Rater", "RatingResult"]
