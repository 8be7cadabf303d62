"""Public entry points: parse() and warm_up()."""
from dataclasses import dataclass, field
from datetime import datetime

from . import fast_path, homophones, model, segment
from .durations import _durations
from .features import intent_features
from .normalize import _normalize_cached, normalize
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
    """Load the jieba dictionaries and train the classifiers now (call before forking web workers)."""
    segment.initialize()
    homophones.initialize()
    normalize("學")                     # loads OpenCC's tables
    model.active()


def forget_texts() -> None:
    """Empty the per-text caches (normalised texts, durations, plain check-ins): benchmarks time every message as a new one."""
    _normalize_cached.cache_clear()
    _durations.cache_clear()
    fast_path.is_plain_checkin.cache_clear()


def classify(text: str) -> list:
    """[(intent, prob), ...] for normalised text, best first."""
    if not text:
        return [("unknown", 1.0)]
    return model.active()["intent"].ranked(intent_features(text))


def parse(text: str, now: datetime) -> Parse:
    """Classify a member's message and extract the slots relevant to its intent. Pure function."""
    clean = normalize(text)
    return _fast_parse(clean, now) or _classified_parse(clean, now)


def parse_with_classifier(text: str, now: datetime) -> Parse:
    """parse() without the rules fast path (for checking that the fast path changes nothing)."""
    return _classified_parse(normalize(text), now)


def _classified_parse(clean: str, now: datetime) -> Parse:
    ranked = classify(clean)
    intent, prob = ranked[0]
    slots = extract_slots(clean, now, INTENT_SLOTS[intent], intent)
    return Parse(intent, prob, slots, tuple(ranked[:3]))


def is_plain_checkin(text: str) -> bool:
    """Does the rules fast path read this message as a check-in (no classifier needed)?"""
    return fast_path.is_plain_checkin(normalize(text))


def _fast_parse(clean: str, now: datetime):
    """Fast path (fast_path.py): an intent the rules make certain, with confidence 1.0; else None."""
    fixed = fast_path.fixed_command(clean)
    if fixed:
        return _certain(*fixed)
    intent = fast_path.certain_intent(clean)
    if intent:
        return _certain(intent, extract_slots(clean, now, INTENT_SLOTS[intent], intent))
    return None


def _certain(intent: str, slots: dict) -> Parse:
    others = [(i, 0.0) for i in ("unknown", "help", "report") if i != intent][:2]   # the shape of a classified Parse
    return Parse(intent, 1.0, slots, ((intent, 1.0), *others))
