"""学习打卡: what was studied, how long, which day (default today)."""
from __future__ import annotations

import intents
from bot import replies
from bot.dialogs.base import NOT_MINE, Turn
from bot.dialogs.common import day_label, is_new_request, slot_date
from storage import checkins

NAME = "checkin"


def start(turn: Turn, slots: dict) -> str:
    data = {"date": slots.get("date"), "minutes": slots.get("minutes"), "material": slots.get("material"),
            "text": turn.text}
    return _next(turn, data)


def on_minutes(turn: Turn, data: dict) -> str:
    found = intents.extract(turn.text, turn.now, ("minutes", "material", "date"))
    if "minutes" not in found:
        if is_new_request(turn, (NAME,)):
            return NOT_MINE
        return turn.ask(NAME, "minutes", data, replies.CHECKIN_BAD_MINUTES)
    data["minutes"] = found["minutes"]
    data["material"] = data.get("material") or found.get("material")
    data["date"] = data.get("date") or found.get("date")
    return _next(turn, data)


def on_material(turn: Turn, data: dict) -> str:
    if is_new_request(turn, (NAME,)):
        return NOT_MINE
    found = intents.extract(turn.text, turn.now, ("material",))
    data["material"] = found.get("material") or turn.text.strip(" 《》\"“”")[:100]
    return _next(turn, data)


def _next(turn: Turn, data: dict) -> str:
    if not data.get("minutes"):
        return turn.ask(NAME, "minutes", data, replies.CHECKIN_ASK_MINUTES)
    if not data.get("material"):
        return turn.ask(NAME, "material", data, replies.CHECKIN_ASK_MATERIAL)
    return turn.finish(_save(turn, data))


def _save(turn: Turn, data: dict) -> str:
    cfg = turn.rt.config.checkin
    today = turn.now.date()
    day = slot_date(data.get("date")) or today
    minutes = int(data["minutes"])
    if day > today:
        return replies.CHECKIN_FUTURE
    if (today - day).days > cfg.max_backdate_days:
        return replies.CHECKIN_TOO_OLD.format(days=cfg.max_backdate_days)
    if not 0 < minutes <= cfg.max_minutes:
        return replies.CHECKIN_TOO_LONG.format(max=cfg.max_minutes)
    record = checkins.add_checkin(turn.session, turn.member, day, minutes, data["material"],
                                  text=data.get("text", ""), source=turn.source)
    month_count, _ = checkins.count_between(turn.session, turn.member.id, today.replace(day=1), today)
    return replies.CHECKIN_OK.format(day=day_label(record.day, today), material=record.material,
                                     minutes=record.minutes, month_count=month_count)


STEPS = {"minutes": on_minutes, "material": on_material}
