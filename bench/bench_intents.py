"""Benchmark of the intents package: warm-up time (fresh subprocesses) and parse() throughput on one core.

Warm-up = `import intents; intents.warm_up()` (jieba dictionary + user words + training both classifiers),
timed inside a fresh interpreter (wall and CPU). Throughput = parse() calls per second over a message mix,
with the process pinned to one CPU. The mix is the training corpus re-weighted to a realistic traffic
shape (mostly short commands, some long reports); the whole corpus (more reports) is timed as well.
Under load, compare the calls per CPU-second. Targets: warm-up <= 2 s, >= 2,000 parses/s.
Every call parses its message as a new one (the per-text caches are emptied before each call), and typical
messages are also timed one by one (microseconds per parse()).

    .venv/bin/python bench/bench_intents.py [--runs 3] [--seconds 5]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "intents.json"
NOW = datetime.fromisoformat("2026-11-26T10:00:00+08:00")
WARMUP_TARGET, THROUGHPUT_TARGET = 2.0, 2000
# Share of each intent in the benchmark traffic (the rest of the corpus shape is kept within an intent).
TRAFFIC = {"checkin": 0.30, "signup": 0.10, "cancel_signup": 0.04, "leave": 0.04, "attend": 0.08,
           "list_activities": 0.06, "query_record": 0.05, "bind": 0.03, "report_status": 0.04, "help": 0.06,
           "unknown": 0.08, "report": 0.12}
# Typical messages timed one by one: explicit check-ins (the webhook benchmark's message first), fixed commands,
# menu words, and a free-form check-in and a report that take the classifier.
TYPICAL = ("学习打卡 今天学习了《政协理论第123讲》30分钟", "打卡 政协章程 30分钟", "学习打卡 人民政协报20分钟",
           "补卡 昨天学习党章1小时", "签到 4821", "报名 A3", "菜单", "我的履职", "今天读书一小时",
           "富兴街道老旧小区冬季供暖温度不达标，建议住建部门加强监管")

CHILD = """
import json, time
w, c = time.perf_counter(), time.process_time()
import intents
intents.warm_up()
print(json.dumps({"wall": time.perf_counter() - w, "cpu": time.process_time() - c}))
"""


def warm_up_times(runs: int) -> list[dict]:
    """Warm-up inside fresh interpreters (the first run may also build jieba's caches: reported separately)."""
    out = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        res = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, check=True)
        row = json.loads(res.stdout)
        row["process"] = time.perf_counter() - start
        out.append(row)
    return out


def message_mix(n: int = 4000) -> list[str]:
    lines = (ROOT / "intents/data/train.jsonl").read_text("utf-8").splitlines()
    by_intent: dict[str, list[str]] = {}
    for row in map(json.loads, lines):
        by_intent.setdefault(row["intent"], []).append(row["text"])
    rng = random.Random(7)
    intents_, weights = zip(*TRAFFIC.items())
    return [rng.choice(by_intent[rng.choices(intents_, weights)[0]]) for _ in range(n)]


def corpus_texts() -> list[str]:
    lines = (ROOT / "intents/data/train.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines]


def _forget():
    """Empties intents' per-text caches (a no-op before they existed), so each call parses a new message."""
    from intents import api
    return getattr(api, "forget_texts", lambda: None)


def throughput(seconds: float, mix: list[str]) -> dict:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    import intents
    intents.warm_up()
    forget = _forget()
    for text in mix[:500]:
        intents.parse(text, NOW)
    latencies, calls = [], 0
    start, cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        for text in mix:
            forget()
            t = time.perf_counter()
            intents.parse(text, NOW)
            latencies.append(time.perf_counter() - t)
        calls += len(mix)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    latencies.sort()
    lengths = [len(t) for t in mix]
    return {"calls": calls, "per_second": calls / elapsed, "per_cpu_second": calls / cpu, "p50_ms": 1000 * latencies[len(latencies) // 2],
            "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)], "mean_chars": statistics.mean(lengths)}


def typical_micros(calls: int = 3000) -> dict:
    """Microseconds per parse() of each typical message, each call as a new message (median of 5 rounds)."""
    import intents
    intents.warm_up()
    forget = _forget()
    out = {}
    for text in TYPICAL:
        rounds = []
        for _ in range(5):
            total = 0.0
            for _ in range(calls // 5):
                forget()
                t = time.perf_counter()
                intents.parse(text, NOW)
                total += time.perf_counter() - t
            rounds.append(1e6 * total / (calls // 5))
        out[text] = statistics.median(rounds)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3, help="fresh-process warm-ups to time (after one extra)")
    ap.add_argument("--seconds", type=float, default=5.0, help="duration of the throughput run")
    args = ap.parse_args()

    warm = warm_up_times(args.runs)
    first, rest = warm[0], warm[1:]
    med = {k: statistics.median(r[k] for r in rest) for k in ("wall", "cpu", "process")}
    tp = throughput(args.seconds, message_mix())
    corpus = throughput(args.seconds / 2, corpus_texts())
    micros = typical_micros()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    print(f"{'metric':<34}{'value':>12}  target")
    print(f"{'warm-up wall (median, s)':<34}{med['wall']:>12.3f}  <= {WARMUP_TARGET}")
    print(f"{'warm-up CPU (median, s)':<34}{med['cpu']:>12.3f}")
    print(f"{'fresh process incl. startup (s)':<34}{med['process']:>12.3f}")
    print(f"{'first-ever warm-up wall (s)':<34}{first['wall']:>12.3f}  (builds caches if absent)")
    print(f"{'parse() calls/s, one core':<34}{tp['per_second']:>12.0f}  >= {THROUGHPUT_TARGET}")
    print(f"{'parse() calls per CPU-second':<34}{tp['per_cpu_second']:>12.0f}  (robust to other load)")
    print(f"{'latency p50 / p99 (ms)':<34}{tp['p50_ms']:>6.3f} / {tp['p99_ms']:.3f}")
    print(f"{'mix: mean message length (chars)':<34}{tp['mean_chars']:>12.1f}")
    print(f"{'whole corpus, calls/s (per CPU-s)':<34}{corpus['per_second']:>12.0f}  "
          f"({corpus['per_cpu_second']:.0f}; mean {corpus['mean_chars']:.0f} chars)")
    print(f"{'load average (1 min)':<34}{load:>12.2f}")
    print("typical messages, us per parse():")
    for text, micro in micros.items():
        print(f"  {micro:>8.1f}  {text}")

    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"warm_up": med, "first_warm_up": first, "throughput": tp,
                                             "throughput_corpus": corpus, "typical_us": micros, "load_avg": load},
                                  indent=2) + "\n", encoding="utf-8")
    ok = med["wall"] <= WARMUP_TARGET and tp["per_second"] >= THROUGHPUT_TARGET
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
