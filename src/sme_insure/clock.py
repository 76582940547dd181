"""The business day: the date in the insurer's time zone, not the host's.

Cover, quote validity, cooling-off and claim deadlines count calendar days in China. A server
kept on UTC (the usual for containers) would otherwise still be on yesterday from 00:00 to
08:00 Beijing time, and price or refuse by the wrong day. China keeps no daylight saving, so
UTC+08:00 is exact; ``SME_INSURE_TIMEZONE`` (an IANA name such as ``Asia/Shanghai``) sets
another zone.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")


def business_zone() -> dt.tzinfo:
    """``SME_INSURE_TIMEZONE`` if set (a bad name is an error naming it), else UTC+08:00."""
    name = os.environ.get("SME_INSURE_TIMEZONE")
    if not name:
        return CHINA
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError) as exc:
        raise ValueError(f"SME_INSURE_TIMEZONE={name!r} is not a known time zone") from exc


def today(now: dt.datetime | None = None) -> dt.date:
    """The date in the business time zone at ``now`` (an aware time; default: this instant)."""
    zone = business_zone()
    return (now.astimezone(zone) if now is not None else dt.datetime.now(zone)).date()


def day_of(moment: dt.datetime) -> dt.date:
    """The business day of a stored time (UTC; SQLite returns it naive): an issue at 23:30 UTC is
    the next day in Beijing, where cooling-off periods are counted."""
    return today(moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC))
