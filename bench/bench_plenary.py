"""Plenary sign-in burst: hundreds of members sign in at once while others chat.

    .venv/bin/python bench/bench_plenary.py [--window 60] [--scans 500] [--codes 200] [--chatters 50] [--cold]

Against gunicorn (the project's gunicorn.conf.py, 2 sync workers by default) + PostgreSQL + Redis,
in a scratch database (storage/scratch.py) and a Redis key prefix of its own, both removed at the end:

- one activity (全体会议, code A1, 签到 code 4821, check-in window open, capacity 600);
- 500 bound members scan the activity's QR code (SCAN events with EventKey A1) and 200 send
  `签到 4821`; 600 of these 700 booked a place, 100 walk in without one;
- 50 other bound members chat at the same time (2 messages each: 你好, 我的活动, 帮助 ...);
- every message is signed as WeChat signs it (token + timestamp + nonce, a fresh nonce per post) and
  arrives at a random moment within the window (open loop: latency counts from the scheduled
  moment, so a slow server cannot slow the arrivals down);
- some sign-ins (5 %) are delivered twice, 1 s apart, with the same body, as WeChat retries.

Afterwards it checks: each of the 700 has exactly one signup row with a sign-in time and got
"签到成功" (a retry gets the same answer), the chatters signed nobody in, the booked places are
still 600 ≤ capacity (walk-ins are recorded as walk-ins), no answer was 5xx or missing. Target:
p99 < 300 ms over all posts. Loopback only; the run is bounded (window + 60 s) and stops by itself.
Results: a summary on stdout and bench/results/plenary.json. See bench/README.md.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from bench_webhook import ROOT as PROJECT_ROOT, TOKEN, Server, Setting, Stores, cpu_snapshot  # noqa: E402
from bot.protocol import sign  # noqa: E402

RESULTS = BENCH / "results" / "plenary.json"
COLD_RESULTS = BENCH / "results" / "plenary-cold.json"
ACTIVITY_CODE = "A1"
SIGN_IN_CODE = "4821"
TARGET_P99_MS = 300.0
CHAT_TEXTS = ["你好", "我的活动", "帮助", "本月打卡情况", "今天有什么活动", "我的履职", "谢谢", "会议几点开始"]
CHAT_MESSAGES_EACH = 2
WARMUP_POSTS = 40          # before the burst, from members outside it: a server that has run for days is warm
RETRY_DELAY_S = 1.0
HTTP_TIMEOUT_S = 10.0
SIGNED_IN = "签到成功"
FIRST_SECONDS = 2.0        # the posts a freshly forked worker meets first (reported apart: --cold)
CONTENT_RE = re.compile(r"<Content><!\[CDATA\[(.*?)\]\]></Content>", re.S)


@dataclass
class Post:
    kind: str              # scan | code | chat
    openid: str
    at: float              # seconds after the start
    body: str
    retry: bool = False
    status: int = 0
    reply: str = ""
    latency_ms: float = 0.0
    error: str = ""


@dataclass
class Plan:
    posts: list[Post] = field(default_factory=list)
    signers: list[str] = field(default_factory=list)
    booked: list[str] = field(default_factory=list)
    chatters: list[str] = field(default_factory=list)
    warmers: list[str] = field(default_factory=list)


def _scan_xml(openid: str, create_time: int) -> str:
    return (f"<xml><ToUserName><![CDATA[gh_plenary]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[SCAN]]></Event><EventKey><![CDATA[{ACTIVITY_CODE}]]></EventKey>"
            f"<Ticket><![CDATA[bench-ticket]]></Ticket></xml>")


def _text_xml(openid: str, create_time: int, msg_id: int, text: str) -> str:
    return (f"<xml><ToUserName><![CDATA[gh_plenary]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>")


def make_plan(args: argparse.Namespace, rng: random.Random) -> Plan:
    plan = Plan()
    base_time = int(time.time())
    signers = [f"o_plen_{n:04d}" for n in range(args.scans + args.codes)]
    plan.signers = signers
    plan.booked = signers[:args.booked]
    plan.chatters = [f"o_plen_{n:04d}" for n in range(len(signers), len(signers) + args.chatters)]
    plan.warmers = [f"o_plen_{n:04d}" for n in range(len(signers) + args.chatters,
                                                       len(signers) + args.chatters + WARMUP_POSTS)]
    msg_id = 7_000_000_000
    for n, openid in enumerate(signers):
        at = rng.uniform(0, args.window)
        msg_id += 1
        if n < args.scans:
            post = Post("scan", openid, at, _scan_xml(openid, base_time + int(at)))
        else:
            post = Post("code", openid, at, _text_xml(openid, base_time + int(at), msg_id, f"签到 {SIGN_IN_CODE}"))
        plan.posts.append(post)
        if rng.random() < args.retry_share:   # WeChat delivers it again, same body
            plan.posts.append(Post(post.kind, openid, at + RETRY_DELAY_S, post.body, retry=True))
    for openid in plan.chatters:
        for _ in range(CHAT_MESSAGES_EACH):
            at = rng.uniform(0, args.window)
            msg_id += 1
            plan.posts.append(Post("chat", openid, at, _text_xml(openid, base_time + int(at), msg_id,
                                                                 rng.choice(CHAT_TEXTS))))
    plan.posts.sort(key=lambda p: p.at)
    return plan


def seed(stores: Stores, plan: Plan, capacity: int) -> None:
    """Members, the open activity and the booked places."""
    from storage.db import Database
    from storage.models import Activity, Member, Signup, utcnow
    from storage.statuses import SignupStatus

    stores.db = Database(stores.database_url)
    stores.db.migrate()
    now = utcnow()
    with stores.db.session() as session:
        members = {}
        for n, openid in enumerate(plan.signers + plan.chatters + plan.warmers):
            members[openid] = Member(name=f"委员{n:04d}", phone=f"138{n:08d}", role="member", sector="经济界",
                                     district="东胜区", openid=openid, bound_at=now)
        session.add_all(members.values())
        activity = Activity(code=ACTIVITY_CODE, title="全体会议", kind="会议", start_at=now + timedelta(minutes=10),
                            end_at=now + timedelta(hours=3), place="会议中心", capacity=capacity,
                            checkin_code=SIGN_IN_CODE)
        session.add(activity)
        session.flush()
        session.add_all(Signup(activity_id=activity.id, member_id=members[openid].id, status=SignupStatus.SIGNED)
                        for openid in plan.booked)


def send(url_host: str, port: int, post: Post, start: float) -> None:
    """One signed POST, as WeChat makes it; latency from the moment it was due."""
    now = str(int(time.time()))
    nonce = secrets.token_hex(6)
    query = urlencode({"signature": sign(TOKEN, now, nonce), "timestamp": now, "nonce": nonce,
                       "openid": post.openid})
    due = start + post.at
    conn = http.client.HTTPConnection(url_host, port, timeout=HTTP_TIMEOUT_S)
    try:
        conn.request("POST", "/wechat?" + query, body=post.body.encode("utf-8"),
                     headers={"Content-Type": "text/xml"})
        resp = conn.getresponse()
        raw = resp.read().decode("utf-8", errors="replace")
        post.status = resp.status
        found = CONTENT_RE.search(raw)
        post.reply = found.group(1) if found else raw
    except OSError as exc:
        post.error = f"{type(exc).__name__}: {exc}"
    finally:
        conn.close()
        post.latency_ms = 1000 * (time.monotonic() - due)


def warm_up(server: Server, plan: Plan) -> None:
    """Chat from members outside the burst, a few at a time, so every worker has served requests."""
    posts = [Post("warmup", openid, 0.0, _text_xml(openid, int(time.time()), 6_000_000_000 + n, text))
             for n, openid in enumerate(plan.warmers) for text in ("你好",)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda post: send("127.0.0.1", server.port, post, time.monotonic()), posts))
    failed = [p for p in posts if p.status != 200]
    if failed:
        raise RuntimeError(f"warm-up failed: {failed[0].status} {failed[0].error} {failed[0].reply[:200]}")


def run_load(server: Server, plan: Plan, concurrency: int, deadline_s: float) -> float:
    """Fire every post at its moment; returns the wall time. Bounded by deadline_s."""
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for post in plan.posts:
            delay = start + post.at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if time.monotonic() - start > deadline_s:
                post.error = "not sent: deadline"
                continue
            pool.submit(send, "127.0.0.1", server.port, post, start)
    return time.monotonic() - start


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def latency_summary(posts: list[Post]) -> dict:
    values = [p.latency_ms for p in posts if p.status]
    return {"count": len(values), "p50_ms": round(percentile(values, 50), 1), "p90_ms": round(percentile(values, 90), 1),
            "p99_ms": round(percentile(values, 99), 1), "max_ms": round(max(values, default=0.0), 1),
            "mean_ms": round(statistics.fmean(values), 1) if values else 0.0}


def verify(stores: Stores, plan: Plan, capacity: int) -> dict:
    from sqlalchemy import text

    with stores.db.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT m.openid, s.status, s.attended_at FROM signups s JOIN members m ON m.id = s.member_id "
            "JOIN activities a ON a.id = s.activity_id WHERE a.code = :code"), {"code": ACTIVITY_CODE}).all()
    per_member: dict[str, list] = {}
    for openid, status, attended_at in rows:
        per_member.setdefault(openid, []).append((status, attended_at))
    signer_set, chatters = set(plan.signers), set(plan.chatters)
    told: dict[str, int] = {}
    for post in plan.posts:
        if post.kind != "chat" and SIGNED_IN in post.reply:
            told[post.openid] = told.get(post.openid, 0) + 1
    statuses = [status for status, _ in (r for rs in per_member.values() for r in rs)]
    booked = statuses.count("signed")
    result = {
        "signers": len(signer_set),
        "signed_in_once": sum(1 for o in signer_set if len(per_member.get(o, [])) == 1
                              and per_member[o][0][1] is not None),
        "not_signed_in": sorted(o for o in signer_set if not any(a for _, a in per_member.get(o, [])))[:10],
        "more_than_one_row": sum(1 for rs in per_member.values() if len(rs) > 1),
        "told_signed_in": sum(1 for o in signer_set if told.get(o)),
        "told_already": sum(1 for p in plan.posts if p.kind != "chat" and "无需重复签到" in p.reply),
        "chatters_signed_in": sum(1 for o in chatters if per_member.get(o)),
        "booked_places": booked,
        "walk_ins": statuses.count("walkin"),
        "capacity": capacity,
        "non_2xx": sum(1 for p in plan.posts if p.status and not 200 <= p.status < 300),
        "status_5xx": sum(1 for p in plan.posts if p.status >= 500),
        "no_answer": sum(1 for p in plan.posts if not p.status),
        "errors_sample": sorted({p.error for p in plan.posts if p.error})[:3],
        "over_5s": sum(1 for p in plan.posts if p.latency_ms > 5000),
    }
    result["ok"] = (result["signed_in_once"] == len(signer_set) and result["more_than_one_row"] == 0
                    and result["told_signed_in"] == len(signer_set) and result["chatters_signed_in"] == 0
                    and booked <= capacity and result["non_2xx"] == 0 and result["no_answer"] == 0)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--window", type=float, default=60.0, help="seconds over which the posts arrive (default: 60)")
    parser.add_argument("--scans", type=int, default=500, help="members who scan the QR code (default: 500)")
    parser.add_argument("--codes", type=int, default=200, help="members who send 签到 4821 (default: 200)")
    parser.add_argument("--chatters", type=int, default=50, help="members who chat meanwhile (default: 50)")
    parser.add_argument("--booked", type=int, default=600, help="signers who booked a place (default: 600)")
    parser.add_argument("--capacity", type=int, default=600, help="places of the activity (default: 600)")
    parser.add_argument("--retry-share", type=float, default=0.05, help="sign-ins delivered twice (default: 0.05)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default: 2)")
    parser.add_argument("--concurrency", type=int, default=128, help="client threads (default: 128)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--pg-admin-url", default=os.environ.get(
        "BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"))
    parser.add_argument("--cold", action="store_true",
                        help="no warm-up posts: the burst meets freshly forked workers (a restart during a plenary)")
    parser.add_argument("--output", help="results file (default: results/plenary.json, --cold: plenary-cold.json)")
    args = parser.parse_args(argv)
    args.output = args.output or str(COLD_RESULTS if args.cold else RESULTS)
    if not 1 <= args.window <= 240:
        parser.error("--window must be 1..240 s (the signatures' replay window)")
    if args.scans + args.codes + args.chatters + WARMUP_POSTS > 9999 or args.booked > args.scans + args.codes:
        parser.error("at most 9,999 members, and no more booked than signers")
    for url in (args.pg_admin_url, args.redis_url):
        if "127.0.0.1" not in url and "localhost" not in url:
            parser.error(f"the benchmark only talks to this machine: {url}")

    plan = make_plan(args, random.Random(args.seed))
    log_dir = Path(tempfile.mkdtemp(prefix="bench_plenary_"))
    stores = Stores(args.pg_admin_url, args.redis_url)
    server = None
    try:
        seed(stores, plan, args.capacity)
        env = {"WECHAT_TOKEN": TOKEN, "DATABASE_URL": stores.database_url, "REDIS_URL": stores.redis_url,
               "BOT__REDIS__PREFIX": stores.redis_prefix}
        server = Server("real", "webhook:app", PROJECT_ROOT, Setting(args.workers, 1, "sync"), env, log_dir)
        server.wait_ready()
        print(f"{len(plan.posts)} posts over {args.window:.0f} s against {server.url} "
              f"({args.workers} sync workers{', cold' if args.cold else ''})", flush=True)
        if not args.cold:
            warm_up(server, plan)
        before = cpu_snapshot(server.proc.pid, stores.db_name)
        wall = run_load(server, plan, args.concurrency, args.window + 60)
        after = cpu_snapshot(server.proc.pid, stores.db_name)
        server.stop()
        verification = verify(stores, plan, args.capacity)
    finally:
        if server is not None:
            server.stop()
        stores.close()
        shutil.rmtree(log_dir, ignore_errors=True)

    cpu_s = {key: round(after[key] - before[key], 2) for key in before}
    by_kind = {kind: latency_summary([p for p in plan.posts if p.kind == kind]) for kind in ("scan", "code", "chat")}
    by_kind["first_2s"] = latency_summary([p for p in plan.posts if p.at < FIRST_SECONDS])  # what a cold start hits
    overall = latency_summary(plan.posts)
    met = overall["p99_ms"] < TARGET_P99_MS and verification["ok"]
    doc = {"benchmark": "plenary sign-in burst", "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
           "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
           "load": {"window_s": args.window, "scans": args.scans, "codes": args.codes, "chatters": args.chatters,
                    "chat_messages_each": CHAT_MESSAGES_EACH, "retry_share": args.retry_share,
                    "booked": args.booked, "capacity": args.capacity, "workers": args.workers,
                    "posts": len(plan.posts), "wall_s": round(wall, 1),
                    "cold": args.cold},
           "latency_ms": {"all": overall, **by_kind}, "cpu_seconds": cpu_s,
           "verification": verification,
           "slowest": [{"kind": p.kind, "at_s": round(p.at, 2), "retry": p.retry, "latency_ms": round(p.latency_ms, 1),
                        "status": p.status, "reply": p.reply[:40]}
                       for p in sorted(plan.posts, key=lambda p: -p.latency_ms)[:12]], "target": {"p99_ms": TARGET_P99_MS}, "meets_target": met}
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for name, summary in doc["latency_ms"].items():
        print(f"  {name:<8} n={summary['count']:<4} p50 {summary['p50_ms']:7.1f} ms  p90 {summary['p90_ms']:7.1f} ms  "
              f"p99 {summary['p99_ms']:7.1f} ms  max {summary['max_ms']:7.1f} ms")
    print(f"  CPU s during the burst: {json.dumps(cpu_s)}")
    print(f"  verification: {json.dumps(verification, ensure_ascii=False)}")
    print("  slowest: " + ", ".join(f"{p['kind']}@{p['at_s']}s{'(retry)' if p['retry'] else ''} {p['latency_ms']} ms"
                                    for p in doc["slowest"][:8]))
    print(f"target: p99 < {TARGET_P99_MS:.0f} ms, everyone signed in exactly once, booked places <= capacity, "
          f"no 5xx -> {'met' if met else 'missed'}")
    print(f"results: {output}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
