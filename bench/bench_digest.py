"""Benchmark: building the staff daily digest on a large roster.

Seeds 2,000 members (+ 20 staff; 10% of members idle for the last 30 days) and 100,000 records
over 90 days (25% reports, 60% check-ins, 15% sign-ups on 150 activities) into a fresh SQLite
file and, if PostgreSQL is reachable, a fresh PostgreSQL database (created and dropped here).
Times `build_digest` for the last seeded day (cold, then --runs more) and one full
/digest/<date> page request. Target: under 2 s per build. Results also go to
bench/results/digest.json.

    .venv/bin/python bench/bench_digest.py [--members 2000] [--records 100000] [--runs 5]
                                           [--postgres postgresql://postgres@127.0.0.1:5432/test | --no-postgres]
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, time as dtime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from bot.config import load_config  # noqa: E402
from bot.digest import build_digest, render_text  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.kv import MemoryStore  # noqa: E402
from storage.models import Activity, Checkin, Member, Report, Signup  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
DAYS = 90
TARGET_SECONDS = 2.0
STAFF = 20
ACTIVITIES = 150
DORMANT = 0.1  # share of members with no activity in the last 30 days
SHARES = {"reports": 0.25, "checkins": 0.60, "signups": 0.15}   # of --records
STATUSES = ["已提交"] * 3 + ["已采用", "已退回", "未采用", "已报送", "已批示", "已办结", "已合并"]
SIGNUP_STATUSES = ["signed"] * 7 + ["waitlist", "cancelled", "leave"]
RESULTS = ROOT / "bench" / "results"


def seed(db: Database, members: int, records: int, last_day: date, rng: random.Random) -> dict[str, int]:
    cfg = load_config(env={})
    districts, categories = cfg.org.districts, cfg.reports.categories
    first_day = last_day - timedelta(days=DAYS - 1)

    def moment(day: date) -> datetime:
        return datetime.combine(day, dtime(8), tzinfo=TZ) + timedelta(seconds=rng.randrange(14 * 3600))

    def some_day() -> date:
        return first_day + timedelta(days=rng.randrange(DAYS))

    active = int(members * (1 - DORMANT))  # the last DORMANT share of members did nothing for 30 days

    def someone(day: date) -> int:
        return rng.randint(1, active if day > last_day - timedelta(days=30) else members)

    created = datetime.combine(first_day - timedelta(days=30), dtime(9), tzinfo=TZ)
    people = [{"id": i, "name": f"委员{i:04d}", "phone": f"139{i:08d}", "sector": "经济界",
               "district": rng.choice(districts), "role": "member", "openid": f"o_member_{i}",
               "created_at": created, "updated_at": created} for i in range(1, members + 1)]
    people += [{"id": members + i, "name": f"工作人员{i:02d}", "phone": f"138{i:08d}", "sector": "",
                "district": "", "role": "staff", "openid": f"o_staff_{i}", "created_at": created,
                "updated_at": created} for i in range(1, STAFF + 1)]
    n_reports = int(records * SHARES["reports"])
    n_checkins = int(records * SHARES["checkins"])
    n_signups = records - n_reports - n_checkins
    reports = []
    for n in range(1, n_reports + 1):
        day = some_day()
        at = moment(day)
        reports.append({"receipt_no": f"SQ{at.year}-{n:06d}", "member_id": someone(day),
                        "text": "关于城区供暖不足的问题和建议" * 4, "title": f"社情民意{n}",
                        "category": rng.choice(categories), "district": rng.choice(districts),
                        "status": rng.choice(STATUSES), "created_at": at, "updated_at": at})
    checkins = []
    for _ in range(n_checkins):
        day = some_day()
        checkins.append({"member_id": someone(day), "day": day, "minutes": rng.choice([20, 30, 45, 60, 90]),
                         "material": "政协理论学习", "text": "", "created_at": moment(day)})
    # activities from 60 days back to 30 days ahead; sign-ups unique per (activity, member)
    activities = []
    for i in range(1, ACTIVITIES + 1):
        start = moment(last_day + timedelta(days=rng.randint(-60, 30)))
        activities.append({"id": i, "code": f"A{i}", "title": f"活动{i}", "kind": "视察", "start_at": start,
                           "place": "市政协", "capacity": rng.choice([0, 50, 100, 150]), "audience": "",
                           "status": "open", "created_at": start - timedelta(days=20),
                           "updated_at": start - timedelta(days=20)})
    per_activity = n_signups // ACTIVITIES
    signups = []
    for a in activities:
        count = per_activity + (1 if a["id"] <= n_signups % ACTIVITIES else 0)
        opened = a["created_at"]
        for member_id in rng.sample(range(1, active + 1), count):
            at = min(opened + timedelta(seconds=rng.randrange(19 * 86400)),
                     datetime.combine(last_day, dtime(20), tzinfo=TZ))
            signups.append({"activity_id": a["id"], "member_id": member_id, "status": rng.choice(SIGNUP_STATUSES),
                            "reason": "", "created_at": at, "updated_at": at})
    with db.session() as s:
        for model, rows in ((Member, people), (Activity, activities), (Report, reports), (Checkin, checkins),
                            (Signup, signups)):
            for start in range(0, len(rows), 5000):
                s.execute(insert(model), rows[start:start + 5000])
    return {"members": members, "staff": STAFF, "reports": len(reports), "checkins": len(checkins),
            "signups": len(signups), "activities": len(activities)}


def time_builds(db: Database, last_day: date, runs: int) -> dict:
    clock = datetime.combine(last_day + timedelta(days=1), dtime(8, 30), tzinfo=TZ)
    rt = Runtime(config=load_config(env={}), db=db, kv=MemoryStore(), clock=lambda: clock)
    times = []
    for _ in range(runs + 1):  # the first build is the cold one
        started = time.perf_counter()
        digest = build_digest(rt, last_day)
        times.append(time.perf_counter() - started)
    started = time.perf_counter()
    text = render_text(digest)
    render = time.perf_counter() - started
    page, status = _time_page(rt, last_day)
    return {"cold_s": round(times[0], 4), "median_s": round(statistics.median(times[1:]), 4),
            "max_s": round(max(times[1:]), 4), "render_text_s": round(render, 4),
            "page_s": round(page, 4), "page_status": status,
            "new_reports": len(digest.new_reports), "overdue": digest.overdue_total,
            "checkin_members": digest.checkin_members, "upcoming_activities": len(digest.activities),
            "inactive": digest.inactive_members, "text_chars": len(text)}


def _time_page(rt: Runtime, day: date) -> tuple[float, int]:
    """The whole /digest/<date> request: token check, build, HTML with charts."""
    from flask import Flask

    from bot.signed_links import digest_path
    from bot.web import register

    rt = Runtime(config=rt.config.with_overrides({"digest.secret": "bench"}), db=rt.db, kv=rt.kv, clock=rt.clock)
    app = Flask(__name__)
    register(app, rt)
    client = app.test_client()
    started = time.perf_counter()
    status = client.get(digest_path(rt, day)).status_code
    return time.perf_counter() - started, status


def run_backend(name: str, url: str, args, last_day: date) -> dict:
    db = Database(url)
    try:
        db.migrate()
        started = time.perf_counter()
        counts = seed(db, args.members, args.records, last_day, random.Random(args.seed))
        seeded = time.perf_counter() - started
        result = {"backend": name, **counts, "seed_s": round(seeded, 1), **time_builds(db, last_day, args.runs)}
    finally:
        db.engine.dispose()
    result["ok"] = result["max_s"] < TARGET_SECONDS and result["cold_s"] < TARGET_SECONDS
    return result


def postgres_database(admin_url: str):
    """Create a throw-away database; returns (url, drop) or None when PostgreSQL is unreachable."""
    from storage.scratch import create_database

    try:
        return create_database(admin_url, prefix="cppcc_bench")
    except Exception as exc:
        print(f"PostgreSQL not reachable ({exc.__class__.__name__}); skipped", file=sys.stderr)
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5, help="timed builds after the cold one")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test",
                        help="admin URL used to create and drop a throw-away database")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    last_day = datetime.now(TZ).date() - timedelta(days=1)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(run_backend("sqlite", f"sqlite:///{tmp}/bench.db", args, last_day))
    pg = None if args.no_postgres else postgres_database(args.postgres)
    if pg:
        url, drop = pg
        try:
            results.append(run_backend("postgresql", url, args, last_day))
        finally:
            drop()
    print(f"build_digest for {last_day}: {args.members} members, {args.records} records over {DAYS} days; "
          f"target < {TARGET_SECONDS} s")
    print(f"{'backend':<11} {'seed s':>7} {'cold s':>7} {'median s':>9} {'max s':>7} {'page s':>7}  result")
    for r in results:
        print(f"{r['backend']:<11} {r['seed_s']:>7} {r['cold_s']:>7} {r['median_s']:>9} {r['max_s']:>7} "
              f"{r['page_s']:>7}  {'OK' if r['ok'] else 'TOO SLOW'}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "digest.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
