"""Where one check-in (or one QR-scan sign-in) spends its time: round trips and a cProfile, in one process.

    .venv/bin/python bench/profile_checkin.py [--messages 400] [--kind checkin|scan] [--top 25]

Builds the real app (webhook.create_app) on a scratch PostgreSQL database and a Redis key prefix of its
own (both removed at the end), warms it up, then posts signed messages through Flask's test client one
after another and reports per message: PostgreSQL statements and commits (counted with SQLAlchemy
events; the pool's pre-ping, if any, shows up as a statement too), Redis round trips (each command or
pipeline sent), wall and CPU time, and the cProfile functions with the most own time. Sequential, so it
measures cost, not contention. Loopback only; bounded by --messages. See bench/README.md.
"""
from __future__ import annotations

import argparse
import cProfile
import collections
import io
import os
import pstats
import secrets
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from bench_webhook import TOKEN, Stores  # noqa: E402
from bot.protocol import sign  # noqa: E402

COUNTS: collections.Counter = collections.Counter()
STATEMENTS: collections.Counter = collections.Counter()


def count_round_trips(db) -> None:
    """Count PostgreSQL statements/commits (both of the Database's pools, and the prepared statements run on
    the driver's cursor) and Redis round trips into COUNTS."""
    import redis
    from sqlalchemy import event

    from storage.prepared import Prepared

    with db.autocommit():   # the check-in's pool exists from here on
        pass
    for engine in (db.engine, db._autocommit):
        _count_statements(engine)
    one = Prepared.one

    def prepared(self, conn, params):
        COUNTS["pg EXECUTE"] += 1
        STATEMENTS[f"EXECUTE {self.name} (prepared: storage/prepared.py)"] += 1
        return one(self, conn, params)

    Prepared.one = prepared
    _count_redis(redis)


def _count_statements(engine) -> None:
    from sqlalchemy import event

    @event.listens_for(engine, "before_cursor_execute")
    def _statement(conn, cursor, statement, params, context, executemany):
        COUNTS["pg " + statement.split(None, 1)[0].upper()] += 1
        STATEMENTS[" ".join(statement.split())[:110]] += 1

    @event.listens_for(engine, "commit")
    def _commit(conn):
        COUNTS["pg COMMIT"] += 1

    @event.listens_for(engine, "rollback")
    def _rollback(conn):
        COUNTS["pg ROLLBACK"] += 1


def _count_redis(redis) -> None:
    plain, piped = redis.Redis.execute_command, redis.client.Pipeline.execute

    def execute_command(self, *args, **options):
        if not isinstance(self, redis.client.Pipeline):
            COUNTS["redis " + str(args[0]).upper()] += 1
        return plain(self, *args, **options)

    def execute(self, *args, **kwargs):
        COUNTS["redis PIPELINE(" + "+".join(str(c[0][0]).upper() for c in self.command_stack) + ")"] += 1
        return piped(self, *args, **kwargs)

    redis.Redis.execute_command = execute_command
    redis.client.Pipeline.execute = execute


HANDLER_PROFILING = threading.Event()


def profile_handler_threads() -> cProfile.Profile:
    """cProfile sees one thread; the handler runs on bot.inbox's pool, so profile it there too.
    Messages are posted one after another, so one handler runs at a time. The main thread's wait
    for it shows up as `acquire` of a lock in the main profile: skip that line."""
    from bot import inbox

    handler_profiler = cProfile.Profile()
    submit = inbox._pool.submit

    def profiled(fn, *args, **kwargs):
        def run(*a, **kw):
            if not HANDLER_PROFILING.is_set():
                return fn(*a, **kw)
            handler_profiler.enable()
            try:
                return fn(*a, **kw)
            finally:
                handler_profiler.disable()
        return submit(run, *args, **kwargs)

    inbox._pool.submit = profiled
    return handler_profiler


def body(kind: str, openid: str, n: int) -> str:
    head = (f"<xml><ToUserName><![CDATA[gh_prof]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time()) + n}</CreateTime>")
    if kind == "scan":
        return head + ("<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[SCAN]]></Event>"
                       "<EventKey><![CDATA[A1]]></EventKey></xml>")
    return head + (f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[学习打卡 今天学习了《政协理论第{n}讲》30分钟]]>"
                   f"</Content><MsgId>{9_000_000_000 + n}</MsgId></xml>")


def post(client, kind: str, openid: str, n: int) -> str:
    now, nonce = str(int(time.time())), secrets.token_hex(6)
    query = urlencode({"signature": sign(TOKEN, now, nonce), "timestamp": now, "nonce": nonce, "openid": openid})
    resp = client.post("/wechat?" + query, data=body(kind, openid, n).encode(), content_type="text/xml")
    return resp.get_data(as_text=True)


def seed(stores: Stores, members: int, kind: str) -> None:
    from datetime import timedelta

    from storage.models import Activity, utcnow

    stores.migrate_and_seed(members)
    if kind == "scan":
        now = utcnow()
        with stores.db.session() as session:
            session.add(Activity(code="A1", title="全体会议", kind="会议", start_at=now + timedelta(minutes=10),
                                 end_at=now + timedelta(hours=3), capacity=0, checkin_code="4821"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--kind", choices=("checkin", "scan"), default="checkin")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    args = parser.parse_args(argv)
    if not 1 <= args.messages <= 5000:
        parser.error("--messages must be 1..5000")
    members = max(args.messages, 10) * 2   # warm-up and measured messages come from different members
    stores = Stores(args.pg_admin_url, args.redis_url)
    try:
        seed(stores, members, args.kind)
        os.environ.update({"WECHAT_TOKEN": TOKEN, "DATABASE_URL": stores.database_url, "REDIS_URL": stores.redis_url,
                           "BOT__REDIS__PREFIX": stores.redis_prefix})
        import webhook

        app = webhook.create_app()
        webhook._warm_up(app)   # as gunicorn's master does before forking: models, and the roster's openids
        count_round_trips(app.extensions["runtime"].db)
        handler_profiler = profile_handler_threads()
        client = app.test_client()
        expected = "签到成功" if args.kind == "scan" else "学习打卡成功"
        for n in range(args.messages):                 # warm-up: caches, pools, statement cache
            post(client, args.kind, f"o_bench_{members // 2 + n:05d}", n)
        COUNTS.clear()
        STATEMENTS.clear()
        profiler = cProfile.Profile()
        cpu, wall = time.process_time(), time.perf_counter()
        profiler.enable()
        HANDLER_PROFILING.set()
        replies = [post(client, args.kind, f"o_bench_{n:05d}", 10_000 + n) for n in range(args.messages)]
        HANDLER_PROFILING.clear()
        profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        counts, statements = dict(COUNTS), dict(STATEMENTS)
        ok = sum(expected in r for r in replies)
    finally:
        stores.close()
    n = args.messages
    print(f"{args.kind}: {n} messages, {ok} answered '{expected}'; per message: wall {1000 * wall / n:.2f} ms, "
          f"CPU (this process, under cProfile) {1000 * cpu / n:.2f} ms")
    print("round trips per message:")
    for group in ("pg", "redis"):
        items = {k: v for k, v in counts.items() if k.startswith(group + " ")}
        print(f"  {group}: {sum(items.values()) / n:.2f}  " + ", ".join(f"{k[len(group) + 1:]} {v / n:.2f}"
                                                                    for k, v in sorted(items.items())))
    print("PostgreSQL statements per message:")
    for statement, times in sorted(statements.items(), key=lambda item: -item[1]):
        print(f"  {times / n:.2f}  {statement}")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    if handler_profiler.getstats():   # the quick lane (a plain check-in) runs on the request thread
        stats.add(handler_profiler)
    stats.sort_stats("tottime").print_stats(args.top)
    print(out.getvalue())
    return 0 if ok == n else 1


if __name__ == "__main__":
    sys.exit(main())
