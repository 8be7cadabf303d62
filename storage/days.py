"""Calendar days of the organisation's timezone as aware datetime bounds for queries."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta


def day_start(day: date, tz) -> datetime:
    """Local midnight at the start of `day`."""
    return datetime.combine(day, time.min, tz)


def local_days(first: date, last: date, tz) -> tuple[datetime, datetime]:
    """[start of first, start of the day after last): the half-open range covering both days."""
    return day_start(first, tz), day_start(last + timedelta(days=1), tz)
