"""Benchmark: sending a burst of outbox rows with several worker processes sharing the table.

Writes --rows pending rows (PostgreSQL + Redis, a fresh database created and dropped here), starts a
fake WeChat API that answers each send after --latency seconds, then runs --workers processes that
each call outbox.deliver_due until nothing is due (the atomic claim keeps every row to one sender).
Reports wall time, messages per second and how many rows were sent more than once (must be 0).

    .venv/bin/python bench/bench_outbox.py [--rows 1000] [--workers 4] [--latency 0.02]
                                           [--postgres postgresql://postgres@127.0.0.1:5432/test]
                                           [--redis redis://127.0.0.1:6379/0]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import outbox  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.kv import RedisStore  # noqa: E402
from storage.scratch import create_database  # noqa: E402


def fake_wechat(latency: float) -> tuple[ThreadingHTTPServer, Counter]:
    sent: Counter = Counter()
    guard = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # the access token
            self._answer({"access_token": "T" * 32, "expires_in": 7200})

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            time.sleep(latency)
            with guard:
                sent[body.get("touser", "")] += 1
            self._answer({"errcode": 0, "errmsg": "ok", "msgid": 1})

        def _answer(self, data):  # one write: no Nagle / delayed-ACK stall between headers and body
            raw = json.dumps(data).encode()
            head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(raw)}\r\n\r\n"
            self.wfile.write(head.encode() + raw)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, sent


def runtime(db_url: str, redis_url: str, prefix: str, api_base: str) -> Runtime:
    config = load_config(env={}).with_overrides({
        "wechat.api_base": api_base, "wechat.appid": "wxbench", "wechat.secret": "s",
        "database.url": db_url, "redis.url": redis_url, "outbound.batch_size": 50})
    return Runtime(config=config, db=Database(db_url), kv=RedisStore(redis_url, prefix))


def sender(db_url: str, redis_url: str, prefix: str, api_base: str, start: multiprocessing.Event) -> None:
    rt = runtime(db_url, redis_url, prefix, api_base)
    start.wait()
    while True:
        report = outbox.deliver_due(rt)  # one WeChat client per runtime (bot.wechat_api.client_for)
        if not report.handled and not report.skipped:
            return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()

    db_url, drop = create_database(args.postgres, prefix="bench_outbox")
    prefix = f"bench:{uuid.uuid4().hex[:8]}:"
    server, sent = fake_wechat(args.latency)
    api_base = f"http://127.0.0.1:{server.server_port}"
    rt = runtime(db_url, args.redis, prefix, api_base)
    try:
        rt.db.migrate()
        with rt.db.session() as session:
            for i in range(args.rows):
                outbox.enqueue(session, openid=f"o_{i}", text="您报名的活动有空位了", kind="notice")
        start = multiprocessing.Event()
        procs = [multiprocessing.Process(target=sender, args=(db_url, args.redis, prefix, api_base, start))
                 for _ in range(args.workers)]
        for proc in procs:
            proc.start()
        time.sleep(2)  # imports and connections before the clock starts
        began = time.perf_counter()
        start.set()
        for proc in procs:
            proc.join()
        wall = time.perf_counter() - began
        twice = sum(1 for count in sent.values() if count > 1)
        result = {"rows": args.rows, "workers": args.workers, "latency_s": args.latency, "wall_s": round(wall, 2),
                  "msg_per_s": round(args.rows / wall, 1), "sent": len(sent), "sent_twice": twice,
                  "ideal_msg_per_s": round(args.workers / args.latency, 1) if args.latency else None}
        print(json.dumps(result, ensure_ascii=False))
    finally:
        for key in rt.kv.client.scan_iter(prefix + "*"):
            rt.kv.client.delete(key)
        rt.db.engine.dispose()
        server.shutdown()
        drop()


if __name__ == "__main__":
    main()
