"""Scoring of labelled JSONL files ({"text", "intent", "slots"[, "now"]}) as defined in README.md."""
import json
from collections import Counter
from datetime import datetime
from pathlib import Path

from . import model
from .api import INTENTS, parse, warm_up
from .report import TITLE_MAX

DEFAULT_NOW = datetime.fromisoformat("2026-11-26T10:00:00+08:00")
STRUCTURED = ("date", "minutes", "material", "district", "phone", "name", "activity", "reason", "code", "report_id")


def load_jsonl(path) -> list:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def structured(slots: dict) -> dict:
    return {k: v for k, v in slots.items() if k in STRUCTURED}


def evaluate(examples: list) -> dict:
    """Intent accuracy, per-intent recall, slot exact-match, category accuracy, title checks, errors."""
    warm_up()
    total = Counter()
    hits = Counter()
    slot_ok = cat_total = cat_ok = title_total = title_ok = 0
    errors = []
    for ex in examples:
        now = datetime.fromisoformat(ex["now"]) if ex.get("now") else DEFAULT_NOW
        p = parse(ex["text"], now)
        gold = ex.get("slots") or {}
        total[ex["intent"]] += 1
        intent_ok = p.intent == ex["intent"]
        hits[ex["intent"]] += intent_ok
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
        "errors": errors,
    }


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


def format_report(report: dict) -> str:
    pct = lambda x: "n/a" if x is None else f"{100 * x:.1f}%"
    lines = [f"examples           {report['n']}",
             f"intent accuracy    {pct(report['intent_accuracy'])}",
             f"slot exact-match   {pct(report['slot_exact_match'])}",
             f"category accuracy  {pct(report['category_accuracy'])} (n={report['category_n']})",
             f"title present/<=20 {pct(report['title_ok'])}",
             "per-intent recall:"]
    for intent, (recall, count) in report["recall"].items():
        lines.append(f"  {intent:<16} {pct(recall):>7}  (n={count})")
    if report.get("verbose"):
        lines.append(f"errors ({len(report['errors'])}):")
        for err in report["errors"]:
            lines.append("  " + json.dumps(err, ensure_ascii=False))
    return "\n".join(lines)
