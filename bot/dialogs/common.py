"""Small helpers shared by the service dialogs."""
from __future__ import annotations

from datetime import date, datetime

from bot import replies


def slot_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def day_label(day: date) -> str:
    """11月25日(周三): how every stored day is echoed back."""
    return f"{day.month}月{day.day}日(周{replies.WEEKDAY_NAMES[day.weekday()]})"


def when_label(moment: datetime, tz) -> str:
    local = moment.astimezone(tz)
    return f"{local.month}月{local.day}日(周{replies.WEEKDAY_NAMES[local.weekday()]}) {local:%H:%M}"
