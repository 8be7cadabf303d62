"""Trains the intent and report-category classifiers from data/train.jsonl (at warm-up)."""
import json
import threading
from pathlib import Path

from .features import category_features, intent_features
from .linear import LinearModel
from .normalize import normalize

TRAIN = Path(__file__).with_name("data") / "train.jsonl"
# Softmax temperatures tuned on the dev split (see README).
INTENT_TEMPERATURE = 0.54
CATEGORY_TEMPERATURE = 1.0

_lock = threading.Lock()
_models = {}


def load_corpus(split=None) -> list:
    rows = [json.loads(line) for line in TRAIN.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if split is None or r.get("split", "train") == split]


def train(include_dev: bool = True) -> dict:
    """Fit both models; include_dev=False keeps the dev split unseen (for tuning)."""
    rows = load_corpus() if include_dev else load_corpus("train")
    texts = [normalize(r["text"]) for r in rows]
    intent = LinearModel.fit([intent_features(t) for t in texts], [r["intent"] for r in rows])
    intent.temperature = INTENT_TEMPERATURE
    reports = [(t, r["slots"]["category"]) for t, r in zip(texts, rows)
               if r["intent"] == "report" and "category" in r["slots"]]
    category = LinearModel.fit([category_features(t) for t, _ in reports], [c for _, c in reports])
    category.temperature = CATEGORY_TEMPERATURE
    return {"intent": intent, "category": category}


def models(include_dev: bool = True) -> dict:
    """Trained models (trained once per process, thread-safe)."""
    key = "all" if include_dev else "train"
    if key not in _models:
        with _lock:
            if key not in _models:
                _models[key] = train(include_dev)
    return _models[key]


def use(include_dev: bool) -> None:
    """Select which trained models parse() uses (evaluation on the dev split uses include_dev=False)."""
    _models["active"] = models(include_dev)


def active() -> dict:
    if "active" not in _models:
        use(True)
    return _models["active"]


def classify_category(text: str) -> str:
    """Report category of normalised text."""
    return active()["category"].ranked(category_features(text), top=1)[0][0]
