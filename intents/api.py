"""Public entry points: parse() and warm_up()."""
from dataclasses import dataclass, field
from datetime import datetime

from .normalize import normalize
from .rules import looks_like_report, match_rule
from .slots import INTENT_SLOTS, extract_slots

INTENTS = tuple(INTENT_SLOTS)


@dataclass(frozen=True)
class Parse:
    intent: str
    confidence: float
    slots: dict = field(default_factory=dict)
    alternatives: tuple = ()

    def to_dict(self) -> dict:
        return {"intent": self.intent, "confidence": round(self.confidence, 4), "slots": self.slots}


def warm_up() -> None:
    """Load dictionaries and train models now (call before forking web workers)."""


def _classify(text: str):
    """[(intent, prob), ...] best first."""
    rule = match_rule(text)
    if rule and not (rule in ("checkin", "signup", "list_activities") and len(text) >= 40 and looks_like_report(text)):
        return [(rule, 0.95), ("report" if rule != "report" else "unknown", 0.03), ("unknown", 0.02)]
    if looks_like_report(text):
        return [("report", 0.8), ("unknown", 0.15), ("help", 0.05)]
    return [("unknown", 0.6), ("report", 0.3), ("help", 0.1)]


def parse(text: str, now: datetime) -> Parse:
    """Classify a member's message and extract the slots relevant to its intent. Pure function."""
    clean = normalize(text)
    ranked = _classify(clean) if clean else [("unknown", 1.0)]
    intent, prob = ranked[0]
    slots = extract_slots(clean, now, INTENT_SLOTS[intent], intent)
    return Parse(intent, prob, slots, tuple(ranked[:3]))
