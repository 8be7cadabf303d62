"""Small helpers shared by the service dialogs."""
from __future__ import annotations

from datetime import date, datetime

from bot import replies
from bot.dialogs.base import Turn


def slot_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def is_new_request(turn: Turn, own_intents: tuple[str, ...], min_confidence: float = 0.8) -> bool:
    """Inside a dialog: does this message clearly ask for something else?"""
    parsed = turn.understood()
    return (parsed.intent not in own_intents + ("unknown",)
            and parsed.confidence >= min_confidence)


def day_label(day: date, today: date) -> str:
    names = {0: "今天", -1: "昨天", -2: "前天"}
    label = names.get((day - today).days)
    return label or f"{day.month}月{day.day}日"


def when_label(moment: datetime, tz) -> str:
    local = moment.astimezone(tz)
    return f"{local.month}月{local.day}日(周{replies.WEEKDAY_NAMES[local.weekday()]}) {local:%H:%M}"
