"""Feature extraction for the intent and category classifiers."""
import math
import re

from . import segment
from .dates import DATE_RE
from .durations import DURATION_RE
from .entities import ACTIVITY_CODE_RE, BOOK_RE, PHONE_RE, REPORT_ID_RE
from .places import find_district
from .report import keyword_scores
from .rules import report_hints, rule_hits, soft_hits

_DIGITS = re.compile(r"\d+")
_BARE_NUMBER = re.compile(r"(?<![\d.])\d{3,6}(?![\d.])")
_LENGTH_BUCKETS = (2, 4, 8, 14, 24, 40, 80)
HEAD_CHARS = 120      # n-grams and words look at the start of long messages only (intent is clear by then)


def _grams(text: str, orders=(1, 2, 3), limit=HEAD_CHARS) -> set:
    """Character n-grams with ^/$ boundaries, digits collapsed to 0, plus jieba words."""
    t = _DIGITS.sub("0", text[:limit].lower())
    padded = "^" + t.replace(" ", "_") + ("$" if len(text) <= limit else "")
    grams = {padded[i:i + n] for n in orders for i in range(len(padded) - n + 1)}
    grams.update("w:" + w for w in segment.words(t))
    return grams


def _normalised(grams) -> dict:
    weight = 1.0 / math.sqrt(len(grams) or 1)
    return {g: weight for g in grams}


def intent_features(text: str) -> dict:
    feats = _normalised(_grams(text))
    length = next((b for b in _LENGTH_BUCKETS if len(text) <= b), "long")
    topic_words = sum(keyword_scores(text).values())
    meta = [f"len:{length}", f"hints:{min(report_hints(text), 3)}", f"topic:{min(int(topic_words), 4)}"]
    hits = rule_hits(text)
    meta += [f"rule:{r}" for r in hits] + ([f"rule1:{hits[0]}"] if hits else ["rule:none"])
    meta += [f"soft:{r}" for r in soft_hits(text)]
    checks = (("phone", PHONE_RE), ("rid", REPORT_ID_RE), ("actcode", ACTIVITY_CODE_RE), ("date", DATE_RE),
              ("dur", DURATION_RE), ("book", BOOK_RE), ("num", _BARE_NUMBER))
    head = text[:HEAD_CHARS]
    meta += [f"has:{name}" for name, pattern in checks if pattern.search(head)]
    if find_district(text):
        meta.append("has:place")
    feats.update({m: 1.0 for m in meta})
    return feats


def category_features(text: str) -> dict:
    feats = _normalised(_grams(text, orders=(2,), limit=2 * HEAD_CHARS))
    scores = keyword_scores(text)
    for cat, score in scores.items():
        feats["kw:" + cat] = min(score, 4.0) / 2.0
    if scores:
        feats["kwtop:" + max(scores, key=scores.get)] = 1.0
    return feats
