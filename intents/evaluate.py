"""Scoring of labelled JSONL files ({"text", "intent", "slots"[, "now"]}) as defined in README.md."""
import json
from collections import Counter
from datetime import datetime
from pathlib import Path

from . import model
from .api import INTENTS, parse, warm_up
from .report import TITLE_MAX

DEFAULT_NOW = datetime.fromisoformat("2026-11-26T10:00:00+08:00")
# Intents added after the held-out set was written refine an older label: a file whose labels never use the
# finer intent scores it as the older one (my_activities / my_checkins are look-ups of the duty record).
REFINES = {"my_activities": "query_record", "my_checkins": "query_record"}
HIGH_CONFIDENCE = 0.9
RELIABILITY_BINS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.97, 1.0)
STRUCTURED = ("date", "minutes", "material", "district", "phone", "name", "activity", "reason", "code", "report_id")


def load_jsonl(path) -> list:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def structured(slots: dict) -> dict:
    return {k: v for k, v in slots.items() if k in STRUCTURED}


def evaluate(examples: list) -> dict:
    """Intent accuracy, per-intent recall, slot exact-match, category accuracy, title checks, errors."""
    warm_up()
    finer = {ex["intent"] for ex in examples} & set(REFINES)
    scored = lambda intent: intent if intent in finer else REFINES.get(intent, intent)
    bins = [[0, 0.0, 0] for _ in RELIABILITY_BINS[1:]]       # count, sum of confidence, correct
    confident_wrong = 0
    total = Counter()
    hits = Counter()
    slot_ok = cat_total = cat_ok = title_total = title_ok = 0
    errors = []
    for ex in examples:
        now = datetime.fromisoformat(ex["now"]) if ex.get("now") else DEFAULT_NOW
        p = parse(ex["text"], now)
        gold = ex.get("slots") or {}
        total[ex["intent"]] += 1
        intent_ok = scored(p.intent) == ex["intent"]
        hits[ex["intent"]] += intent_ok
        confident_wrong += (not intent_ok) and p.confidence >= HIGH_CONFIDENCE
        row = bins[_bin(p.confidence)]
        row[0] += 1
        row[1] += p.confidence
        row[2] += intent_ok
        slots_match = structured(p.slots) == structured(gold)
        slot_ok += slots_match
        if ex["intent"] == "report":
            if "category" in gold:
                cat_total += 1
                cat_ok += p.slots.get("category") == gold["category"]
            title_total += 1
            title_ok += 0 < len(p.slots.get("title", "")) <= TITLE_MAX
        if not (intent_ok and slots_match):
            errors.append({"text": ex["text"], "gold": ex["intent"], "pred": p.intent,
                           "confidence": round(p.confidence, 3),
                           "gold_slots": structured(gold), "pred_slots": structured(p.slots)})
    n = len(examples) or 1
    return {
        "n": len(examples),
        "intent_accuracy": sum(hits.values()) / n,
        "recall": {i: (hits[i] / total[i], total[i]) for i in INTENTS if total[i]},
        "slot_exact_match": slot_ok / n,
        "category_accuracy": cat_ok / cat_total if cat_total else None,
        "category_n": cat_total,
        "title_ok": title_ok / title_total if title_total else None,
        "confident_wrong": confident_wrong / n,
        "reliability": [(lo, hi, count, total_conf / count if count else None, correct / count if count else None)
                        for (lo, hi), (count, total_conf, correct) in zip(zip(RELIABILITY_BINS, RELIABILITY_BINS[1:]),
                                                                          bins)],
        "errors": errors,
    }


def _bin(confidence: float) -> int:
    for i, upper in enumerate(RELIABILITY_BINS[1:-1]):
        if confidence < upper:
            return i
    return len(RELIABILITY_BINS) - 2


def evaluate_file(path, verbose: bool = False) -> dict:
    report = evaluate(load_jsonl(path))
    report["verbose"] = verbose
    return report


def evaluate_dev(verbose: bool = False) -> dict:
    """Train on the train split only and score the dev split of our own corpus."""
    model.use(include_dev=False)
    try:
        report = evaluate(model.load_corpus("dev"))
    finally:
        model.use(include_dev=True)
    report["verbose"] = verbose
    return report


def fit_temperature() -> float:
    """Temperature minimising the negative log-likelihood of the dev split under the train-split model."""
    import numpy as np
    from .features import intent_features
    from .normalize import normalize
    trained = model.models(include_dev=False)["intent"]
    rows = model.load_corpus("dev")
    saved, trained.temperature = trained.temperature, 1.0
    try:
        logits = np.array([np.log(trained.proba(intent_features(normalize(r["text"]))) + 1e-12) for r in rows])
    finally:
        trained.temperature = saved
    gold = np.array([trained.labels.index(r["intent"]) for r in rows])

    def nll(t):
        z = logits / t
        z = z - z.max(1, keepdims=True)
        return float(-(z[np.arange(len(z)), gold] - np.log(np.exp(z).sum(1))).mean())
    return min(np.arange(0.3, 3.0, 0.01), key=nll)


def format_report(report: dict) -> str:
    pct = lambda x: "n/a" if x is None else f"{100 * x:.1f}%"
    lines = [f"examples           {report['n']}",
             f"intent accuracy    {pct(report['intent_accuracy'])}",
             f"slot exact-match   {pct(report['slot_exact_match'])}",
             f"category accuracy  {pct(report['category_accuracy'])} (n={report['category_n']})",
             f"title present/<=20 {pct(report['title_ok'])}",
             f"wrong with confidence >= {HIGH_CONFIDENCE}: {pct(report['confident_wrong'])} of all messages",
             "reliability (confidence bin: n, mean confidence, accuracy):"]
    for lo, hi, count, conf, acc in report["reliability"]:
        lines.append(f"  [{lo:.2f}, {hi:.2f}{']' if hi == 1.0 else ')'}  n={count:<4} conf {pct(conf):>6}  acc {pct(acc):>6}")
    lines.append("per-intent recall:")
    for intent, (recall, count) in report["recall"].items():
        lines.append(f"  {intent:<16} {pct(recall):>7}  (n={count})")
    if report.get("verbose"):
        lines.append(f"errors ({len(report['errors'])}):")
        for err in report["errors"]:
            lines.append("  " + json.dumps(err, ensure_ascii=False))
    return "\n".join(lines)
