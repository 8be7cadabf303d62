"""Public entry points: parse() and warm_up()."""
import re
from dataclasses import dataclass, field
from datetime import datetime

from . import homophones, model, segment
from .features import intent_features
from .normalize import normalize
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


def classify(text: str) -> list:
    """[(intent, prob), ...] for normalised text, best first."""
    if not text:
        return [("unknown", 1.0)]
    return model.active()["intent"].ranked(intent_features(text))


# Fast path: unambiguous fixed commands skip the classifier (confidence 1.0).
_FIXED = ((re.compile(r"签到\s*(?:码)?\s*[:：]?\s*(?P<code>\d{3,6})"), "attend"),
          (re.compile(r"(?:报名|报个名)\s*(?P<activity>[A-Za-z]\d{1,3})"), "signup"),
          (re.compile(r"取消报名\s*(?P<activity>[A-Za-z]\d{1,3})"), "cancel_signup"))


def _fixed_command(clean: str):
    for pattern, intent in _FIXED:
        m = pattern.fullmatch(clean)
        if m:
            slots = {k: v.upper() for k, v in m.groupdict().items()}
            others = [(i, 0.0) for i in ("unknown", "help") if i != intent]
            return Parse(intent, 1.0, slots, ((intent, 1.0), *others))
    return None


def parse(text: str, now: datetime) -> Parse:
    """Classify a member's message and extract the slots relevant to its intent. Pure function."""
    clean = normalize(text)
    fixed = _fixed_command(clean)
    if fixed:
        return fixed
    ranked = classify(clean)
    intent, prob = ranked[0]
    slots = extract_slots(clean, now, INTENT_SLOTS[intent], intent)
    return Parse(intent, prob, slots, tuple(ranked[:3]))
