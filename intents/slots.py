"""Slot extraction: which slots each intent returns and how each kind is pulled from text."""
from datetime import datetime
from typing import Iterable

from . import entities, model
from .dates import extract_date
from .durations import extract_minutes
from .normalize import normalize
from .places import find_district
from .report import make_title

INTENT_SLOTS = {
    "report": ("district", "category", "title"),
    "report_status": ("report_id",),
    "checkin": ("date", "minutes", "material"),
    "signup": ("activity", "date"),
    "cancel_signup": ("activity", "date"),
    "leave": ("activity", "date", "reason"),
    "attend": ("code",),
    "list_activities": ("date",),
    "query_record": (),
    "bind": ("name", "phone"),
    "help": (),
    "unknown": (),
}
SLOT_KINDS = ("date", "minutes", "material", "district", "phone", "name", "activity", "reason", "code",
              "report_id", "category", "title")
# Intents whose dates refer to upcoming events: a month/day already passed means next year.
FUTURE_INTENTS = {"signup", "cancel_signup", "leave", "list_activities"}


_EXTRACTORS = {
    "date": lambda text, now, intent, found: extract_date(text, now, future=intent in FUTURE_INTENTS),
    "minutes": lambda text, now, intent, found: extract_minutes(text),
    "material": lambda text, now, intent, found: entities.extract_material(text),
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
    return found


def extract(text: str, now: datetime, kinds: Iterable[str], intent=None) -> dict:
    """Public: pull only the named slots from any text (e.g. bare follow-up answers).

    `intent` (optional) selects intent-specific policies, e.g. future dates for signup."""
    return extract_slots(normalize(text), now, list(kinds), intent)
