"""学习打卡: which day, how long, what was studied — each asked when missing or unreadable, never guessed.

A message without any day means today; a day-like expression that cannot be resolved ("前几天") is asked
about. Several items in one message ("政协章程30分钟，还有人民政协报20分钟") are recorded as several.
The reply echoes what was stored: 11月25日(周三) 政协章程 30分钟.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from bot import replies
from bot.dialogs.base import Ask, Dialog, Done, Handover, Message, Perform, Transition, Turn, Unclear
from bot.dialogs.common import day_label
from storage import checkins
from storage.checkins import DayLimits, Item, Outcome

NAME = "checkin"
OWN_INTENTS = ("checkin",)
MATERIAL_MAX = 100


class Step(StrEnum):
    DATE = "date"
    MINUTES = "minutes"
    MATERIAL = "material"


@dataclass
class CheckinDraft:
    text: str = ""
    date: str | None = None
    minutes: int | None = None
    material: str | None = None
    items: list[dict] = field(default_factory=list)  # two or more {material, minutes} from one message


def start(slots: dict, msg: Message) -> Transition:
    draft = CheckinDraft(text=msg.text, date=slots.get("date"), minutes=slots.get("minutes"),
                         material=slots.get("material"), items=list(slots.get("items") or []))
    if slots.get("date_unresolved") and not draft.date:
        return Ask(Step.DATE, draft, replies.CHECKIN_ASK_DATE.format(expr=slots["date_unresolved"]))
    return _next(draft)


def on_date(draft: CheckinDraft, msg: Message) -> Transition:
    return _answer(draft, msg, Step.DATE, replies.CHECKIN_BAD_DATE)


def on_minutes(draft: CheckinDraft, msg: Message) -> Transition:
    return _answer(draft, msg, Step.MINUTES, replies.CHECKIN_BAD_MINUTES)


def _answer(draft: CheckinDraft, msg: Message, step: Step, hint: str) -> Transition:
    """The answer to 'which day?' / 'how long?' (it may also name what was studied)."""
    found = msg.extract("date", "minutes", "material")
    if step.value not in found:
        return _partial(draft, msg, found, step, hint)
    _fill(draft, found)
    return _next(draft)


def _partial(draft: CheckinDraft, msg: Message, found: dict, step: Step, hint: str) -> Transition:
    """The answer missed the question but said something else we lacked (今天看了人民政协报): keep that, ask
    again. A material only counts from a message that reads as a check-in itself."""
    if msg.parsed.intent != "checkin":
        found = {k: v for k, v in found.items() if k != "material"}
    if msg.is_new_request(OWN_INTENTS) or not any(found.get(k) and not getattr(draft, k) for k in
                                                   ("material", "minutes", "date")):
        return Unclear(hint)
    _fill(draft, found)
    transition = _next(draft)
    if isinstance(transition, Ask) and transition.step == step:
        return Ask(step, draft, hint + "\n" + transition.question, repeat=transition.question)
    return transition


def on_material(draft: CheckinDraft, msg: Message) -> Transition:
    if msg.is_new_request(OWN_INTENTS):
        return Handover()
    found = msg.extract("material", "minutes", "date")
    material = found.get("material") or _as_material(msg)
    if not material:
        return Unclear()
    _fill(draft, found)
    draft.material = material
    return _next(draft)


def _as_material(msg: Message) -> str:
    """A bare answer taken as the material, unless it is a request word (学习打卡) or a question."""
    import intents

    text = msg.text.strip(" 。.!！《》\"“”")
    if not text or msg.parsed.intent == "checkin" or intents.is_question(text) or len(text) > MATERIAL_MAX:
        return ""
    return text


def _fill(draft: CheckinDraft, found: dict) -> None:
    """Take what a follow-up answer adds, without overwriting what was already said."""
    draft.minutes = draft.minutes or found.get("minutes")
    draft.material = draft.material or found.get("material")
    draft.date = draft.date or found.get("date")


def _next(draft: CheckinDraft) -> Transition:
    if draft.items:
        return Perform(save, draft)
    if draft.minutes is None:
        return Ask(Step.MINUTES, draft, replies.CHECKIN_ASK_MINUTES)
    if not draft.material:
        return Ask(Step.MATERIAL, draft, replies.CHECKIN_ASK_MATERIAL)
    return Perform(save, draft)


# --- storage -------------------------------------------------------------------------------------

def save(turn: Turn, draft: CheckinDraft) -> Transition:
    cfg = turn.rt.config.checkin
    today = turn.now.date()
    by_day = _items_by_day(draft, today)
    for day, items in by_day.items():
        refused = _refusal(day, today, items, cfg)
        if refused:
            return Done(refused)
    limits = DayLimits(cfg.daily_max_checkins, cfg.daily_max_minutes)
    if len(by_day) == 1 and len(items) == 1:
        with turn.rt.db.autocommit() as conn:
            recorded = checkins.record_one(conn, turn.member_id, turn.openid, day, items[0], limits,
                                           month=(today.replace(day=1), today), now=turn.now, text=draft.text,
                                           source=turn.source)
        if recorded is not None:
            turn.touched = True
            return Done(_reply([_outcome_lines(day, [(recorded.outcome, items[0])], limits)], recorded.month_count))
    lines = []
    for index, (day, items) in enumerate(by_day.items()):
        source = turn.source if len(by_day) == 1 else f"{turn.source}@{index + 1}"
        outcomes = checkins.record_items(turn.session, turn.member, day, items, limits, text=draft.text,
                                         source=source)
        lines.append(_outcome_lines(day, outcomes, limits))
    month_count, _ = checkins.count_between(turn.session, turn.member.id, today.replace(day=1), today)
    return Done(_reply(lines, month_count))


def _items_by_day(draft: CheckinDraft, today: date) -> dict[date, list[Item]]:
    """The items to record, grouped by day (an item may name its own day: 昨天…，今天又…)."""
    default = date.fromisoformat(draft.date) if draft.date else today
    raw = draft.items or [{"material": draft.material, "minutes": draft.minutes}]
    grouped: dict[date, list[Item]] = {}
    for item in raw:
        day = date.fromisoformat(item["date"]) if item.get("date") else default
        grouped.setdefault(day, []).append(Item(item["material"], int(item["minutes"])))
    return grouped


def _refusal(day: date, today: date, items: list[Item], cfg) -> str:
    if day > today:
        return replies.CHECKIN_FUTURE.format(day=day_label(day))
    first = today - timedelta(days=cfg.max_backdate_days)
    if day < first:
        return replies.CHECKIN_TOO_OLD.format(day=day_label(day), days=cfg.max_backdate_days,
                                              first=day_label(first))
    if any(not 0 < item.minutes <= cfg.max_minutes for item in items):
        return replies.CHECKIN_TOO_LONG.format(max=cfg.max_minutes)
    return ""


def _outcome_lines(day: date, outcomes: list[tuple[Outcome, Item]], limits: DayLimits) -> list[tuple[bool, str]]:
    """(saved?, line) for each item: what was stored, and why anything was not."""
    lines = []
    for outcome, item in outcomes:
        fields = dict(day=day_label(day), material=item.material, minutes=item.minutes)
        if outcome is Outcome.SAVED:
            lines.append((True, replies.CHECKIN_LINE.format(**fields)))
        else:
            lines.append((False, replies.CHECKIN_NOT_COUNTED[outcome].format(
                max_count=limits.checkins, max_minutes=limits.minutes, **fields)))
    return lines


def _reply(per_day: list[list[tuple[bool, str]]], month_count: int) -> str:
    lines = [line for day in per_day for line in day]
    saved = [text for ok, text in lines if ok]
    head = [replies.CHECKIN_OK if len(saved) == 1 else replies.CHECKIN_OK_MANY.format(n=len(saved))] if saved else []
    return "\n".join(head + saved + [text for ok, text in lines if not ok]
                     + [replies.CHECKIN_MONTH.format(month_count=month_count)])


DIALOG = Dialog(NAME, Step, CheckinDraft,
                {Step.DATE: on_date, Step.MINUTES: on_minutes, Step.MATERIAL: on_material},
                own_intents=OWN_INTENTS)


# --- my check-ins -----------------------------------------------------------------------------------

MY_CHECKINS_LINES = 15


def my_checkins(turn: Turn, slots: dict) -> Transition:
    """我的打卡: this month's check-ins with day, material and minutes."""
    today = turn.now.date()
    rows = checkins.of_member_between(turn.session, turn.member.id, today.replace(day=1), today)
    if not rows:
        return Done(replies.MY_CHECKINS_NONE)
    lines = [replies.MY_CHECKINS_HEADER.format(month=today.month, n=len(rows), minutes=sum(r.minutes for r in rows))]
    lines += [replies.CHECKIN_LINE.format(day=day_label(r.day), material=r.material, minutes=r.minutes)
              for r in rows[-MY_CHECKINS_LINES:]]
    if len(rows) > MY_CHECKINS_LINES:
        lines.append(replies.MY_CHECKINS_MORE.format(more=len(rows) - MY_CHECKINS_LINES))
    return Done("\n".join(lines))
