"""Public entry points: parse() and warm_up()."""
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


def parse(text: str, now: datetime) -> Parse:
    """Classify a member's message and extract the slots relevant to its intent. Pure function."""
    clean = normalize(text)
    ranked = classify(clean)
    intent, prob = ranked[0]
    slots = extract_slots(clean, now, INTENT_SLOTS[intent], intent)
    return Parse(intent, prob, slots, tuple(ranked[:3]))
