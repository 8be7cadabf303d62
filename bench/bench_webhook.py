"""Check-in throughput of the real webhook against a bare Flask endpoint and a WeRoBot echo bot, in one run.

    .venv/bin/pip install -r bench/requirements.txt     # WeRoBot, py-spy: benchmark only
    .venv/bin/python bench/bench_webhook.py [--settings 2x1:sync,4x1:sync] [--duration 15] ...

For each gunicorn setting (workers x threads, worker class) it starts three servers
on 127.0.0.1 with the same settings: the real app (`gunicorn webhook:app`, the
project's gunicorn.conf.py, PostgreSQL + Redis), bench/bare_app.py (signature
check + fixed XML) and bench/werobot_app.py (WeRoBot answering each text with its
own content, storing nothing). wrk (bench/checkin.lua) posts signed text check-ins
with unique MsgIds and materials from 10,000 bound members over 16 connections; warm-up first, then
measured runs alternate bare / real / WeRoBot. Afterwards it checks that every check-in reply has
exactly one Checkin row and that the only rows without a reply are the requests
wrk abandoned when its time ran out (nothing lost, nothing doubled), and that no
request got a non-2xx answer. It also accounts the CPU per request of the server,
its PostgreSQL backends, Redis and wrk from /proc. Everything it creates (database,
Redis keys, servers) is removed at the end. Results: a table on stdout and
bench/results/webhook.json. See bench/README.md.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from bot.protocol import sign  # noqa: E402

LUA = BENCH / "checkin.lua"
RESULTS = BENCH / "results" / "webhook.json"
# %s = a number unique in the benchmark: every check-in names its own material, so none is refused
# as "already recorded today" (the same member, day, material and minutes)
CONTENT = "学习打卡 今天学习了《政协理论第%s讲》30分钟"
# The day's caps (3 check-ins, 480 min) are raised for the benchmark so a faster build is never refused;
# with 10,000 members each still records only a few check-ins a day, as in real use.
CAPS_ENV = {"BOT__CHECKIN__DAILY_MAX_CHECKINS": "1000", "BOT__CHECKIN__DAILY_MAX_MINUTES": "100000"}
TOKEN = "benchtoken"
TARGET_RATIO = 0.25           # issue 15: check-in req/s >= 0.25 of the bare endpoint ...
TARGET_VS_WEROBOT = 1.5       # ... and >= 1.5x the WeRoBot echo bot, in the same run
TARGET_P99_MS = 100.0
MAX_RPS = 6000              # signed query strings made per second of a run (one per request: the
                            # webhook refuses a (timestamp, nonce) pair reused for another body)
READY_TIMEOUT_S = 90        # preload (jieba, models) + migration may take a while
MAX_RUN_SECONDS = 240       # signatures are made before each run; the replay window is 300 s


@dataclass(frozen=True)
class Setting:
    workers: int
    threads: int
    worker_class: str

    @property
    def label(self) -> str:
        return f"{self.workers}w x {self.threads}t {self.worker_class}"

    def gunicorn_args(self) -> list[str]:
        return ["--workers", str(self.workers), "--threads", str(self.threads),
                "--worker-class", self.worker_class]


def parse_settings(text: str) -> list[Setting]:
    """"2x4,4x1:sync,2x1:gthread" -> settings; threads > 1 always means gthread (as in gunicorn)."""
    settings = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        size, _, klass = item.partition(":")
        workers, threads = (int(n) for n in size.lower().split("x"))
        klass = klass or ("sync" if threads == 1 else "gthread")
        if threads > 1 and klass == "sync":
            klass = "gthread"
        settings.append(Setting(workers, threads, klass))
    return settings


@dataclass
class WrkRun:
    server: str            # bare | real | werobot
    phase: str             # warmup | measure
    rps: float
    latency_ms: dict
    requests: int
    sent: int
    received: int
    ok: int
    bad_status: int
    unexpected: int
    errors: dict
    sample: str = ""
    ids_file: str = ""
    cpu_ms_per_request: dict = field(default_factory=dict)


@dataclass
class SettingResult:
    setting: str
    workers: int
    threads: int
    worker_class: str
    bare: list[WrkRun] = field(default_factory=list)
    real: list[WrkRun] = field(default_factory=list)
    werobot: list[WrkRun] = field(default_factory=list)
    verification: dict = field(default_factory=dict)
    profile: dict = field(default_factory=dict)   # --py-spy: CPU shares of the real server

    def summary(self) -> dict:
        bare_rps = statistics.median(run.rps for run in self.bare)
        real_rps = statistics.median(run.rps for run in self.real)
        p99 = max(run.latency_ms["p99"] for run in self.real)
        ratio = real_rps / bare_rps if bare_rps else 0.0
        werobot_rps = statistics.median(run.rps for run in self.werobot) if self.werobot else 0.0
        vs_werobot = real_rps / werobot_rps if werobot_rps else 0.0
        real_cpu = _median_dict([run.cpu_ms_per_request for run in self.real])
        bare_cpu = _median_dict([run.cpu_ms_per_request for run in self.bare])
        werobot_cpu = _median_dict([run.cpu_ms_per_request for run in self.werobot])
        return {"bare_rps": round(bare_rps, 1), "real_rps": round(real_rps, 1), "ratio": round(ratio, 3),
                "werobot_rps": round(werobot_rps, 1), "vs_werobot": round(vs_werobot, 3),
                "werobot_p99_ms": max((run.latency_ms["p99"] for run in self.werobot), default=0.0),
                "werobot_cpu_ms_per_request": werobot_cpu,
                "cpu_ratio": round(_own_cpu(bare_cpu) / _own_cpu(real_cpu), 3) if _own_cpu(real_cpu) else 0.0,
                "real_p50_ms": statistics.median(run.latency_ms["p50"] for run in self.real),
                "real_p90_ms": statistics.median(run.latency_ms["p90"] for run in self.real),
                "real_p99_ms": p99,
                "bare_p99_ms": max(run.latency_ms["p99"] for run in self.bare),
                "real_cpu_ms_per_request": real_cpu,
                "bare_cpu_ms_per_request": bare_cpu,
                "verified": bool(self.verification.get("ok")),
                "meets_target": ratio >= TARGET_RATIO and vs_werobot >= TARGET_VS_WEROBOT
                and p99 < TARGET_P99_MS and bool(self.verification.get("ok"))}


def _median_dict(dicts: list[dict]) -> dict:
    return {key: round(statistics.median(d[key] for d in dicts), 3) for key in dicts[0]} if dicts else {}


# --- tools and services --------------------------------------------------------------------------

def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    print("wrk not found: installing the Debian package 'wrk'", flush=True)
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], stdout=subprocess.DEVNULL, check=True)
        subprocess.run(install, stdout=subprocess.DEVNULL, check=True)
    path = shutil.which("wrk")
    if not path:
        raise SystemExit("wrk is required (apt-get install wrk)")
    return path


class Stores:
    """A fresh PostgreSQL database and a Redis key prefix, both removed by close()."""

    def __init__(self, pg_admin_url: str, redis_url: str):
        import redis

        from storage.scratch import create_database

        self.tag = secrets.token_hex(4)
        self.database_url, self._drop_database = create_database(pg_admin_url, prefix="cppcc_bench")
        self.db_name = self.database_url.rsplit("/", 1)[1]
        self.redis_url = redis_url
        self.redis_prefix = f"bench:{self.tag}:"
        self.redis = redis.Redis.from_url(redis_url, socket_timeout=5)
        self.redis.ping()
        self.db = None

    def migrate_and_seed(self, members: int) -> None:
        from storage.db import Database
        from storage.models import Member, utcnow

        self.db = Database(self.database_url)
        self.db.migrate()
        with self.db.session() as session:
            for n in range(members):
                session.add(Member(name=f"委员{n:03d}", phone=f"139{n:08d}", role="member",
                                   sector="经济界", district="东胜区", openid=f"o_bench_{n:05d}",
                                   bound_at=utcnow()))

    def reset(self) -> None:
        """Every setting starts from the same state: no check-ins, no dedup keys."""
        from sqlalchemy import text

        with self.db.engine.begin() as conn:
            conn.execute(text("TRUNCATE checkins RESTART IDENTITY"))
            conn.execute(text("UPDATE members SET last_message_at = NULL"))
        self._clear_redis()

    def checkin_message_ids(self) -> list[str]:
        """MsgId of each Checkin row (source = "<openid>:<MsgId>")."""
        from sqlalchemy import text

        with self.db.engine.connect() as conn:
            sources = conn.execute(text("SELECT source FROM checkins")).scalars().all()
        return [(source or "").rsplit(":", 1)[-1] for source in sources]

    def _clear_redis(self) -> None:
        keys = list(self.redis.scan_iter(self.redis_prefix + "*", count=1000))
        for start in range(0, len(keys), 1000):
            self.redis.delete(*keys[start:start + 1000])

    def close(self) -> None:
        if self.db is not None:
            self.db.engine.dispose()
        self._clear_redis()
        self._drop_database()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One gunicorn master on 127.0.0.1, started and stopped by pid."""

    def __init__(self, name: str, app: str, cwd: Path, setting: Setting, env: dict, log_dir: Path):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"{name}-{setting.workers}x{setting.threads}-{setting.worker_class}.log"
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        env = {**os.environ, **env, "PORT": str(self.port), "WEB_CONCURRENCY": str(setting.workers),
               "GUNICORN_THREADS": str(setting.threads)}
        args = [gunicorn, app, "--bind", f"127.0.0.1:{self.port}", "--preload", "--log-level", "warning",
                *setting.gunicorn_args()]
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} server exited: see {self.log_path}\n{self.tail()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} server not ready after {READY_TIMEOUT_S}s\n{self.tail()}")

    def stop(self) -> None:
        """Graceful stop: gunicorn finishes the requests in flight (wrk may have abandoned some)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def tail(self, lines: int = 30) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


# --- CPU accounting ------------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _process_table() -> list[tuple[int, int, str, float]]:
    """(pid, ppid, comm, cpu seconds) of every process, from /proc."""
    rows = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1:raw.rindex(")")]
        rest = raw[raw.rindex(")") + 2:].split()
        rows.append((int(entry.name), int(rest[1]), comm, (int(rest[11]) + int(rest[12])) / CLOCK_TICKS))
    return rows


def _system_busy_seconds() -> float:
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


def _is_our_postgres(pid: int, db_name: str) -> bool:
    """A backend serving the bench database, or a shared background process (WAL writer ...)."""
    try:
        title = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    return f" {db_name} " in title or not any(tag in title for tag in ("127.0.0.1", "[local]", "::1"))


def cpu_snapshot(server_pid: int, db_name: str) -> dict[str, float]:
    """CPU seconds used so far by the server (master + workers), PostgreSQL, Redis and the whole machine.

    PostgreSQL counts the backends of the bench database and the shared background processes;
    backends of other databases (someone's tests) fall under 'other'.
    """
    groups = {"server": 0.0, "postgres": 0.0, "redis": 0.0}
    for pid, ppid, comm, seconds in _process_table():
        if pid == server_pid or ppid == server_pid:
            groups["server"] += seconds
        elif comm == "postgres" and _is_our_postgres(pid, db_name):
            groups["postgres"] += seconds
        elif comm.startswith("redis-server"):
            groups["redis"] += seconds
    groups["machine"] = _system_busy_seconds()
    return groups


def cpu_per_request(before: dict, after: dict, wrk_seconds: float, requests: int) -> dict:
    """ms of CPU per completed request, per component; 'other' is everything else on the machine."""
    used = {key: after[key] - before[key] for key in before}
    used["wrk"] = wrk_seconds
    used["other"] = used["machine"] - used["server"] - used["postgres"] - used["redis"] - wrk_seconds
    per = {key: round(1000 * value / max(requests, 1), 3) for key, value in used.items() if key != "machine"}
    per["total"] = round(1000 * used["machine"] / max(requests, 1), 3)
    return per


# --- load ----------------------------------------------------------------------------------------

class Load:
    """Runs wrk with checkin.lua; each run gets fresh signatures and its own MsgId prefix."""

    def __init__(self, wrk: str, args: argparse.Namespace, log_dir: Path, db_name: str):
        self.wrk = wrk
        self.db_name = db_name
        self.args = args
        self.log_dir = log_dir
        self.runs = 0

    def run(self, server: Server, mode: str, phase: str, seconds: int) -> WrkRun:
        self.runs += 1
        queries_file = self.log_dir / f"queries-{self.runs:03d}.txt"
        queries_file.write_text(signed_queries(MAX_RPS * seconds + 1000))
        ids_file = self.log_dir / f"ids-{self.runs:03d}-{server.name}-{phase}.txt"
        cmd = [self.wrk, "--latency", "--timeout", "10s", "-t", str(self.args.wrk_threads),
               "-c", str(self.args.connections), "-d", f"{seconds}s", "-s", str(LUA), server.url + "/wechat",
               "--", mode, str(self.runs), str(self.args.members), CONTENT, str(self.args.wrk_threads)]
        env = {**os.environ, "BENCH_IDS_FILE": str(ids_file), "BENCH_QUERIES_FILE": str(queries_file)}
        before, children = cpu_snapshot(server.proc.pid, self.db_name), resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run(cmd, capture_output=True, text=True, errors="replace", env=env,
                             timeout=seconds + 60)
        after, children_after = cpu_snapshot(server.proc.pid, self.db_name), resource.getrusage(resource.RUSAGE_CHILDREN)
        wrk_cpu = (children_after.ru_utime + children_after.ru_stime) - (children.ru_utime + children.ru_stime)
        (self.log_dir / f"wrk-{self.runs:03d}-{server.name}-{phase}.txt").write_text(out.stdout + out.stderr)
        line = next((l for l in out.stdout.splitlines() if l.startswith("BENCH_JSON ")), None)
        if out.returncode != 0 or line is None:
            raise RuntimeError(f"wrk failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
        data = json.loads(line[len("BENCH_JSON "):])
        return WrkRun(server=server.name, phase=phase, rps=data["rps"], latency_ms=data["latency_ms"],
                      requests=data["requests"], sent=data["sent"], received=data["received"], ok=data["ok"],
                      bad_status=data["bad_status"], unexpected=data["unexpected"], errors=data["errors"],
                      sample=data.get("sample", ""), ids_file=str(ids_file),
                      cpu_ms_per_request=cpu_per_request(before, after, wrk_cpu, data["requests"]))


def signed_queries(count: int) -> str:
    """`count` lines "signature=..&timestamp=..&nonce=..", each with its own nonce, signed now.

    The signature covers token + timestamp + nonce only; the webhook accepts each pair with one body,
    as WeChat sends it, so every request gets its own line."""
    now = str(int(time.time()))
    lines = []
    for _ in range(count):
        nonce = secrets.token_hex(6)
        lines.append(urlencode({"signature": sign(TOKEN, now, nonce), "timestamp": now, "nonce": nonce}))
    return "\n".join(lines) + "\n"


def verify(stores: Stores, runs: list[WrkRun]) -> dict:
    """Check-in replies vs Checkin rows, after the real server has stopped gracefully.

    wrk abandons the requests in flight when its time is up (sent - received per run);
    the server still completes them, so rows = answered check-ins + abandoned ones.
    """
    answered = [line for run in runs for line in Path(run.ids_file).read_text().split()]
    rows = stores.checkin_message_ids()
    answered_set, row_set = set(answered), set(rows)
    abandoned = sum(run.sent - run.received for run in runs)
    errors = sum(sum(run.errors.values()) for run in runs)
    result = {
        "checkin_replies": len(answered),
        "checkin_rows": len(rows),
        "abandoned_in_flight": abandoned,
        "replies_without_row": len(answered_set - row_set),       # lost
        "duplicate_replies": len(answered) - len(answered_set),    # one message answered twice
        "duplicate_rows": len(rows) - len(row_set),                # one message stored twice
        "rows_without_reply": len(row_set - answered_set),         # must be the abandoned ones
        "non_2xx": sum(run.bad_status for run in runs),
        "unexpected_replies": sum(run.unexpected for run in runs),
        "socket_errors": errors - sum(run.errors["status"] for run in runs),
    }
    result["ok"] = (result["replies_without_row"] == 0 and result["duplicate_replies"] == 0
                    and result["duplicate_rows"] == 0 and result["rows_without_reply"] == abandoned
                    and result["non_2xx"] == 0 and result["unexpected_replies"] == 0
                    and result["socket_errors"] == 0)
    return result


# --- one setting ---------------------------------------------------------------------------------

def bench_setting(setting: Setting, stores: Stores, load: Load, args: argparse.Namespace,
                  log_dir: Path) -> SettingResult:
    stores.reset()
    result = SettingResult(setting.label, setting.workers, setting.threads, setting.worker_class)
    real_env = {"WECHAT_TOKEN": TOKEN, "DATABASE_URL": stores.database_url, "REDIS_URL": stores.redis_url,
                "BOT__REDIS__PREFIX": stores.redis_prefix, **CAPS_ENV}
    bare = Server("bare", "bare_app:app", BENCH, setting, {"WECHAT_TOKEN": TOKEN}, log_dir)
    real = Server("real", args.real_app, ROOT, setting, real_env, log_dir)
    peer_env = {"WECHAT_TOKEN": TOKEN}
    peer_env.update(BENCH_WEROBOT_SESSION=args.werobot_session, BENCH_WEROBOT_SQLITE=str(log_dir / "werobot.sqlite3"))
    peer = Server("werobot", "werobot_app:app", BENCH, setting, peer_env, log_dir)
    try:
        bare.wait_ready()
        real.wait_ready()
        peer.wait_ready()
        real_runs = []
        if args.warmup > 0:
            load.run(bare, "bare", "warmup", args.warmup)
            real_runs.append(load.run(real, "checkin", "warmup", args.warmup))
            load.run(peer, "echo", "warmup", args.warmup)
        for _ in range(args.rounds):
            result.bare.append(load.run(bare, "bare", "measure", args.duration))
            result.real.append(load.run(real, "checkin", "measure", args.duration))
            result.werobot.append(load.run(peer, "echo", "measure", args.duration))
        real_runs += result.real
        if args.py_spy:   # an extra run: sampling slows the server, so it is not in the figures
            spy = start_py_spy(real, args.duration, log_dir)
            real_runs.append(load.run(real, "checkin", "profile", args.duration))
            result.profile = finish_py_spy(*spy)
    finally:
        bare.stop()
        real.stop()
        peer.stop()
    result.verification = verify(stores, real_runs)
    result.verification["werobot_unexpected_or_non_2xx"] = sum(run.unexpected + run.bad_status
                                                             for run in result.werobot)
    result.verification["ok"] = (result.verification["ok"]
                                 and result.verification["werobot_unexpected_or_non_2xx"] == 0)
    sample = next((run.sample for run in result.real + result.bare + result.werobot if run.sample), "")
    if sample:
        result.verification["sample"] = sample
    return result


def start_py_spy(server: Server, seconds: int, log_dir: Path):
    """Sample every worker of the server; --gil keeps only the thread running Python (CPU, not waits)."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    out = log_dir / f"py-spy-{server.port}.txt"
    cmd = [py_spy, "record", "--pid", str(server.proc.pid), "--subprocesses", "--format", "raw", "--gil",
           "--rate", "200", "--duration", str(seconds), "--output", str(out), "--nonblocking"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, out


def finish_py_spy(proc: subprocess.Popen, out: Path) -> dict:
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.terminate()
        proc.wait()
    return summarize_stacks(out) if out.exists() else {}


# Where CPU goes, by the innermost frame that matches (first pattern list that matches wins).
CATEGORIES = [
    ("intents.parse/extract", ("intents/", "jieba/")),
    ("Redis client", ("redis/",)),
    ("psycopg driver", ("psycopg2/", "psycopg/", "psycopg_binary/")),
    ("SQLAlchemy", ("sqlalchemy/", "wrapper for sqlalchemy")),
    ("protocol (signature, XML)", ("bot/protocol.py", "defusedxml/", "xml/")),
    ("Flask/Werkzeug", ("flask/", "werkzeug/")),
    ("gunicorn", ("gunicorn/",)),
    ("threads (pool hand-off)", ("concurrent/", "threading.py", "queue.py")),
]
PROJECT_FILES = ("bot/", "storage/", "intents/", "webhook.py")


def summarize_stacks(path: Path, top: int = 15) -> dict:
    """py-spy raw (collapsed) stacks -> CPU share per library and per project function."""
    categories: dict[str, int] = {}
    functions: dict[str, int] = {}
    pairs: dict[str, int] = {}
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = [f for f in stack.split(";") if not f.startswith("process ")]
        n = int(count)
        total += n
        category = next((name for frame in reversed(frames) for name, marks in CATEGORIES
                         if any(mark in frame for mark in marks)), "other")
        mine = next((frame for frame in reversed(frames) if any(f"({p}" in frame for p in PROJECT_FILES)),
                    "(outside project code)")
        categories[category] = categories.get(category, 0) + n
        functions[mine] = functions.get(mine, 0) + n
        pairs[f"{mine} -> {category}"] = pairs.get(f"{mine} -> {category}", 0) + n

    def share(counts: dict[str, int], limit: int | None = None) -> dict[str, float]:
        ranked = sorted(counts.items(), key=lambda item: -item[1])[:limit]
        return {name: round(100 * n / total, 1) for name, n in ranked}

    return {"samples": total, "cpu_percent_by_library": share(categories),
            "cpu_percent_by_project_function": share(functions, top),
            "cpu_percent_by_function_and_library": share(pairs, top)} if total else {}


def print_profile(profile: dict) -> None:
    print(f"   py-spy CPU profile of the real server ({profile['samples']} samples):")
    for title, key in (("by library", "cpu_percent_by_library"),
                       ("by innermost project function", "cpu_percent_by_project_function"),
                       ("by function and library", "cpu_percent_by_function_and_library")):
        print(f"     {title}:")
        for name, pct in profile[key].items():
            print(f"       {pct:5.1f}%  {name}")


# --- report --------------------------------------------------------------------------------------

def print_table(results: list[SettingResult]) -> None:
    header = (f"{'setting':<22}{'bare req/s':>11}{'real req/s':>11}{'WeRoBot':>9}{'ratio':>7}{'xWeRoBot':>9}"
              f"{'p50 ms':>8}{'p90 ms':>8}"
              f"{'p99 ms':>8}{'CPU ms':>8}{'CPU ratio':>10}{'other%':>7}{'verified':>9}{'target':>8}")
    print(header)
    print("-" * len(header))
    for result in results:
        s = result.summary()
        print(f"{result.setting:<22}{s['bare_rps']:>11.0f}{s['real_rps']:>11.0f}{s['werobot_rps']:>9.0f}"
              f"{s['ratio']:>7.2f}{s['vs_werobot']:>9.2f}"
              f"{s['real_p50_ms']:>8.1f}{s['real_p90_ms']:>8.1f}{s['real_p99_ms']:>8.1f}"
              f"{_own_cpu(s['real_cpu_ms_per_request']):>8.2f}{s['cpu_ratio']:>10.2f}"
              f"{_other_share(s['real_cpu_ms_per_request']):>7.0f}"
              f"{'yes' if s['verified'] else 'NO':>9}{'met' if s['meets_target'] else 'missed':>8}")
    print(f"target: real/bare >= {TARGET_RATIO:.2f}, real/WeRoBot >= {TARGET_VS_WEROBOT:.1f}, "
          f"real p99 < {TARGET_P99_MS:.0f} ms "
          f"(+ every check-in stored exactly once, no non-2xx)")
    print("CPU ms = CPU per check-in of gunicorn + its PostgreSQL backends + Redis + wrk; CPU ratio = the same "
          "for bare / real\n(the throughput ratio a quiet CPU-bound machine would show); other% = share of the "
          "machine's busy CPU used by processes outside the benchmark (high = noisy req/s)")


def _own_cpu(cpu: dict) -> float:
    """CPU per request of everything the benchmark runs: server, its PostgreSQL backends, Redis, wrk."""
    return sum(cpu.get(key, 0) for key in ("server", "postgres", "redis", "wrk"))


def _other_share(cpu: dict) -> float:
    return 100 * cpu.get("other", 0) / cpu["total"] if cpu.get("total") else 0.0


def write_results(results: list[SettingResult], args: argparse.Namespace) -> None:
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "benchmark": "webhook check-in vs bare Flask signature check and a WeRoBot echo bot",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "load": {"tool": "wrk", "connections": args.connections, "wrk_threads": args.wrk_threads,
                 "duration_s": args.duration, "warmup_s": args.warmup, "rounds": args.rounds,
                 "members": args.members, "content": CONTENT, "werobot_session": args.werobot_session},
        "target": {"ratio": TARGET_RATIO, "vs_werobot": TARGET_VS_WEROBOT, "p99_ms": TARGET_P99_MS},
        "settings": [{**asdict(result), **{"summary": result.summary()}} for result in results],
    }
    for setting in doc["settings"]:
        for run in setting["bare"] + setting["real"] + setting["werobot"]:
            run.pop("ids_file", None)
    output.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"results: {output}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--settings", default="2x1:sync,4x1:sync",
                        help="comma-separated WORKERSxTHREADS[:sync|gthread] (default: %(default)s)")
    parser.add_argument("--duration", type=int, default=15, help="seconds per measured run (default: 15)")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up per server (default: 5)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="measured bare/real pairs per setting; req/s is the median (default: 2)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--members", type=int, default=10000, help="bound members sending messages")
    parser.add_argument("--pg-admin-url", default=os.environ.get(
        "BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"))
    parser.add_argument("--py-spy", action="store_true",
                        help="after the measured runs, one more real run sampled by py-spy (--gil): "
                             "CPU shares by library and project function go to the results")
    parser.add_argument("--real-app", default="webhook:app",
                        help="gunicorn app spec of the server under test, run from the project root "
                             "(default: %(default)s; e.g. a prototype module on PYTHONPATH)")
    parser.add_argument("--werobot-session", choices=("sqlite", "none"), default="sqlite",
                        help="the WeRoBot peer as installed (its default session storage: SQLite, read and written "
                             "on every message; default) or with sessions switched off (none)")
    parser.add_argument("--output", default=str(RESULTS), help="results JSON (default: bench/results/webhook.json)")
    parser.add_argument("--keep-logs", action="store_true", help="keep server and wrk logs in /tmp")
    args = parser.parse_args(argv)
    if not 0 < args.duration <= MAX_RUN_SECONDS or not 0 <= args.warmup <= MAX_RUN_SECONDS:
        parser.error(f"--duration and --warmup must be at most {MAX_RUN_SECONDS} s (replay window)")
    if not 0 < args.members <= 99999:
        parser.error("--members must be 1..99999")
    for url in (args.pg_admin_url, args.redis_url):
        if "127.0.0.1" not in url and "localhost" not in url:
            parser.error(f"the benchmark only talks to this machine: {url}")

    settings = parse_settings(args.settings)
    try:
        import werobot  # noqa: F401  the peer; a benchmark-only dependency
    except ImportError:
        raise SystemExit("WeRoBot is required: .venv/bin/pip install -r bench/requirements.txt")
    wrk = ensure_wrk()
    log_dir = Path(tempfile.mkdtemp(prefix="bench_webhook_"))
    stores = Stores(args.pg_admin_url, args.redis_url)
    results: list[SettingResult] = []
    try:
        stores.migrate_and_seed(args.members)
        load = Load(wrk, args, log_dir, stores.db_name)
        for setting in settings:
            print(f"== {setting.label}", flush=True)
            result = bench_setting(setting, stores, load, args, log_dir)
            results.append(result)
            s = result.summary()
            print(f"   bare {s['bare_rps']:.0f} req/s, real {s['real_rps']:.0f} req/s, "
                  f"WeRoBot {s['werobot_rps']:.0f} req/s, ratio {s['ratio']:.2f}, x WeRoBot {s['vs_werobot']:.2f}, "
                  f"p99 {s['real_p99_ms']:.1f} ms, verification {json.dumps(result.verification)}", flush=True)
            for name in ("bare", "real", "werobot"):
                cpu = s[f"{name}_cpu_ms_per_request"]
                print(f"   {name} CPU ms/request: " + ", ".join(f"{k} {v:.2f}" for k, v in cpu.items()), flush=True)
            if result.profile:
                print_profile(result.profile)
    finally:
        stores.close()
        if args.keep_logs:
            print(f"logs: {log_dir}")
        else:
            shutil.rmtree(log_dir, ignore_errors=True)
    print()
    print_table(results)
    write_results(results, args)
    return 0 if all(r.summary()["meets_target"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
