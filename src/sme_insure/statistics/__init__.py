"""SME insurance statistics: definitions, periods and the measures by dimension."""

from sme_insure.statistics.measures import DIMENSIONS, MEASURES, statistics
from sme_insure.statistics.period import Period, parse_period

__all__ = ["DIMENSIONS", "MEASURES", "Period", "parse_period", "statistics"]
