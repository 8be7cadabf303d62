"""Slot extraction: which slots each intent returns and how each kind is pulled from text."""
from datetime import datetime
from typing import Iterable

from . import entities, model
from .dates import extract_date, extract_unresolved_date
from .durations import extract_minutes, extract_unresolved_minutes
from .normalize import normalize
from .places import find_district
from .report import make_title
from .study_items import extract_items

INTENT_SLOTS = {
    "report": ("district", "category", "title"),
    "report_status": ("report_id",),
    "checkin": ("date", "date_unresolved", "items", "minutes", "minutes_unresolved", "material"),
    "signup": ("activity", "date", "date_unresolved"),
    "cancel_signup": ("activity", "date", "date_unresolved"),
    "leave": ("activity", "date", "date_unresolved", "reason"),
    "attend": ("code",),
    "list_activities": ("date",),
    "query_record": (),
    "my_activities": (),
    "my_checkins": (),
    "proposal": (),
    "bind": ("name", "phone"),
    "help": (),
    "unknown": (),
}
SLOT_KINDS = ("date", "minutes", "material", "district", "phone", "name", "activity", "reason", "code",
              "report_id", "category", "title", "date_unresolved", "minutes_unresolved", "items")
# Intents whose dates refer to upcoming events: a month/day already passed means next year.
FUTURE_INTENTS = {"signup", "cancel_signup", "leave", "list_activities"}


_EXTRACTORS = {
    "date": lambda text, now, intent, found: extract_date(text, now, future=intent in FUTURE_INTENTS),
    "date_unresolved": lambda text, now, intent, found:
        None if "date" in found else extract_unresolved_date(text, now, future=intent in FUTURE_INTENTS),
    "items": lambda text, now, intent, found: extract_items(text, now),
    # with several items, minutes and material are only inside `items` (never one of them on its own)
    "minutes": lambda text, now, intent, found: None if "items" in found else extract_minutes(text),
    "minutes_unresolved": lambda text, now, intent, found:
        None if "items" in found or "minutes" in found else extract_unresolved_minutes(text),
    "material": lambda text, now, intent, found: None if "items" in found else entities.extract_material(text),
    "district": lambda text, now, intent, found: find_district(text),
    "phone": lambda text, now, intent, found: entities.extract_phone(text),
    "name": lambda text, now, intent, found: entities.extract_name(text),
    "activity": lambda text, now, intent, found: entities.extract_activity(text),
    "reason": lambda text, now, intent, found: entities.extract_reason(text, found.get("activity")),
    "code": lambda text, now, intent, found: entities.extract_code(text),
    "report_id": lambda text, now, intent, found: entities.extract_report_id(text),
    "category": lambda text, now, intent, found: model.classify_category(text),
    "title": lambda text, now, intent, found: make_title(text) or None,
}


def extract_slots(text: str, now: datetime, kinds: Iterable[str], intent=None) -> dict:
    """Run the named extractors on already-normalised text; omit slots that are not found."""
    found = {}
    for kind in kinds:
        if kind not in _EXTRACTORS:
            raise ValueError(f"unknown slot kind: {kind!r}")
        value = _EXTRACTORS[kind](text, now, intent, found)
        if value not in (None, ""):
            found[kind] = value
    if any("date" in item for item in found.get("items", ())):
        found.pop("date", None)         # several days: each item has its own, never one date for all
    return found


def extract(text: str, now: datetime, kinds: Iterable[str], intent=None) -> dict:
    """Public: pull only the named slots from any text (e.g. bare follow-up answers).

    `intent` (optional) selects intent-specific policies, e.g. future dates for signup."""
    return extract_slots(normalize(text), now, list(kinds), intent)
