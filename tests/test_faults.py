"""Fault injection (issue 10, findings 4-6): a PRIVATE PostgreSQL cluster and a PRIVATE redis-server
(free ports, temp dirs; the shared services on 5432/6379 are never touched) are stopped, hung
(SIGSTOP) and restarted under a bounded load of signed check-ins posted over real HTTP with
WeChat's retries (the same message again after a 5 s timeout or a 5xx, up to 3 tries).

Every scenario asserts: 0 lost (an answer was given but no record exists once the spool is
drained), 0 duplicated, and every answer within WeChat's 5 s. Figures go to stdout (`pytest -s`).
"""
from __future__ import annotations

import glob
import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter as Tally
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, func, select, text

from bot import replies
from bot.runtime import build_runtime
from bot.wechat_sim import Envelope, next_msg_id, text_xml
from conftest import TOKEN, make_config, service_unavailable
from storage.db import normalize_url
from storage.models import Checkin, Member, OutboxMessage, utcnow

WECHAT_TIMEOUT = 5.0
TRIES = 3
CLIENTS = 6


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


# --- private services ----------------------------------------------------------------------------

class PrivateRedis:
    def __init__(self, workdir: Path):
        self.port, self.dir, self.proc = free_port(), workdir, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self.answers, 10, "redis-server")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)

    def hang(self) -> None:
        os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.proc.pid, signal.SIGCONT)


class PrivatePostgres:
    """initdb in a temp dir, run as `postgres` when we are root (CI), on a free port."""

    def __init__(self, workdir: Path):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            raise RuntimeError("no PostgreSQL binaries under /usr/lib/postgresql")
        self.bin = Path(bins[-1]).parent
        self.port, self.dir = free_port(), workdir
        self.data, self.sockets = workdir / "data", workdir / "sockets"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/app"

    def _run(self, *argv: str) -> None:
        command = [str(self.bin / argv[0]), *argv[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
        if done.returncode:
            raise RuntimeError(f"{argv[0]} failed: {done.stderr.decode(errors='replace')[-500:]}")

    def init(self) -> None:
        self.sockets.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            shutil.chown(self.sockets, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8",
                  "--locale", "C")
        self.start()
        admin = create_engine(normalize_url(self.url.replace("/app", "/postgres")), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE app"))
        admin.dispose()

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"), "-w", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def _pids(self) -> list[int]:
        main = int((self.data / "postmaster.pid").read_text().split()[0])
        children = []
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == main:
                children.append(int(stat.split("/")[2]))
        return [main, *children]

    def hang(self) -> None:
        self._signal(signal.SIGSTOP)

    def resume(self) -> None:
        self._signal(signal.SIGCONT)

    def _signal(self, sig: int) -> None:
        for pid in self._pids():
            try:
                os.kill(pid, sig)
            except ProcessLookupError:  # a backend that ended between listing and signalling
                pass


@pytest.fixture(scope="session")
def services():
    if not shutil.which("redis-server"):
        service_unavailable("redis-server binary not found")
    workdir = Path(tempfile.mkdtemp(prefix="cppcc-faults-"))
    if os.geteuid() == 0:  # CI runs as root; the cluster must run as `postgres`
        shutil.chown(workdir, "postgres", "postgres")
    redis_server, postgres = PrivateRedis(workdir), None
    try:
        try:
            postgres = PrivatePostgres(workdir / "pg")
            (workdir / "pg").mkdir()
            postgres.init()
        except Exception as exc:
            service_unavailable(f"private PostgreSQL: {exc}")
        redis_server.start()
        yield postgres, redis_server
    finally:  # also after a skip or a failure half-way: never leave a private server running
        if redis_server.proc is not None:
            os.kill(redis_server.proc.pid, signal.SIGCONT)
            redis_server.proc.kill()
            redis_server.proc.wait(10)
        if postgres is not None and (postgres.data / "postmaster.pid").exists():
            postgres.resume()
            postgres.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def served(services, tmp_path_factory):
    """The real app on the private services, served over HTTP by a threaded server, plus the worker's
    spool job (what `python -m bot worker` runs) every second."""
    from werkzeug.serving import make_server

    from bot.worker import Job, Scheduler, spool_job
    from webhook import create_app

    postgres, redis_server = services
    config = make_config(**{"database.url": postgres.url, "redis.url": redis_server.url,
                            "spool.dir": str(tmp_path_factory.mktemp("spool"))})
    rt = build_runtime(config)
    server = make_server("127.0.0.1", free_port(), create_app(rt), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stop = threading.Event()
    threading.Thread(target=Scheduler(rt, [Job("spool", spool_job, every=1.0)]).run, args=(stop,),
                     daemon=True).start()
    yield rt, f"http://127.0.0.1:{server.server_port}"
    stop.set()
    server.shutdown()


# --- WeChat under load ---------------------------------------------------------------------------

@dataclass
class Message:
    openid: str
    content: str
    msg_id: int
    answers: list[str] = field(default_factory=list)       # replies that came back (HTTP 200)
    failures: list[str] = field(default_factory=list)      # timeouts, 5xx
    seconds: list[float] = field(default_factory=list)     # how long each try took

    @property
    def key(self) -> str:
        return f"{self.openid}:{self.msg_id}"


def post_like_wechat(base: str, message: Message) -> None:
    """Up to 3 tries: again after a 5 s timeout or an error status, as WeChat does."""
    envelope = Envelope(TOKEN)
    xml = text_xml(message.openid, message.content, message.msg_id)
    for _ in range(TRIES):
        request = envelope.wrap(xml, message.openid)
        started = time.monotonic()
        try:
            resp = requests.post(f"{base}/wechat?{request.query}", data=request.body, timeout=WECHAT_TIMEOUT + 1,
                                 headers={"Content-Type": "text/xml"})
        except requests.RequestException as exc:
            message.seconds.append(time.monotonic() - started)
            message.failures.append(type(exc).__name__)
            continue
        message.seconds.append(time.monotonic() - started)
        if resp.status_code == 200:
            message.answers.append(envelope.unwrap(200, resp.content))
            return
        message.failures.append(f"HTTP {resp.status_code}")
        time.sleep(0.5)


_phones = itertools.count(13900000000)


def bound_members(rt, prefix: str, count: int) -> list[str]:
    openids = [f"o_{prefix}_{n}" for n in range(count)]
    with rt.db.session() as session:
        session.add_all(Member(name=f"委员{prefix}{n}", phone=str(next(_phones)),
                               role="member", sector="经济界", district="东胜区", openid=openid, bound_at=utcnow())
                        for n, openid in enumerate(openids))
    return openids


def run_load(rt, base: str, prefix: str, fault, seconds: float, per_member: int = 3) -> list[Message]:
    """Clients post check-ins (each member's in sequence) for `seconds` while `fault()` runs."""
    openids = bound_members(rt, prefix, 300)
    queue, messages, guard = list(openids), [], threading.Lock()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < stop_at:
            with guard:
                if not queue:
                    return
                openid = queue.pop(0)
            for n in range(per_member):
                message = Message(openid, f"学习打卡 今天学习了《材料{n}》{20 + 5 * n}分钟", next_msg_id())
                with guard:
                    messages.append(message)
                post_like_wechat(base, message)
                time.sleep(0.05)

    with ThreadPoolExecutor(CLIENTS) as pool:
        for _ in range(CLIENTS):
            pool.submit(client)
        fault()
    return messages


@dataclass
class Figures:
    scenario: str
    requests: int = 0
    messages: int = 0
    recorded: int = 0
    spooled: int = 0
    processing: int = 0
    refused: int = 0      # every try failed: WeChat gives up and shows the member an error
    lost: int = 0
    duplicated: int = 0
    slowest: float = 0.0

    def line(self) -> str:
        return (f"FAULTS {self.scenario}: requests={self.requests} messages={self.messages} "
                f"answered_recorded={self.recorded} answered_received={self.spooled} "
                f"answered_processing={self.processing} refused={self.refused} lost={self.lost} "
                f"duplicated={self.duplicated} slowest={self.slowest:.2f}s")


def settle_and_count(rt, scenario: str, messages: list[Message]) -> Figures:
    """Wait for the spool and late replies to finish, then compare what members were told with the rows."""
    from bot.inbox import spool_of

    wait_until(lambda: not spool_of(rt).pending(), 20, "the spool to be replayed")
    keys = {message.key for message in messages}
    answered = [m for m in messages if m.answers]

    def rows_by_source():
        with rt.db.session() as session:
            return Tally(session.scalars(select(Checkin.source).where(Checkin.source.in_(keys))).all())

    wait_until(lambda: all(rows_by_source()[m.key] for m in answered), 15, "late replies to be recorded")
    rows = rows_by_source()
    with rt.db.session() as session:
        openids = {m.openid for m in messages}
        per_content = session.execute(
            select(func.count()).select_from(Checkin).join(Member, Member.id == Checkin.member_id)
            .where(Member.openid.in_(openids))
            .group_by(Checkin.member_id, Checkin.material, Checkin.minutes).having(func.count() > 1)).all()
        outbox_twice = session.execute(
            select(OutboxMessage.dedup_key).where(OutboxMessage.openid.in_(openids))
            .group_by(OutboxMessage.dedup_key).having(func.count() > 1)).all()
    figures = Figures(scenario, requests=sum(len(m.seconds) for m in messages), messages=len(messages))
    for message in messages:
        final = message.answers[-1] if message.answers else None
        figures.recorded += bool(final and "打卡成功" in final)
        figures.spooled += final == replies.RECEIVED_WILL_PROCESS
        figures.processing += final == replies.PROCESSING
        figures.refused += final is None
        figures.lost += final is not None and rows[message.key] == 0
        assert final != replies.INTERNAL_ERROR, f"{message.key}: an outage was treated as a bug"
    figures.duplicated = sum(count - 1 for count in rows.values() if count > 1) + len(per_content) + len(outbox_twice)
    figures.slowest = max(max(m.seconds) for m in messages)
    print("\n" + figures.line())
    return figures


def assert_sound(figures: Figures) -> None:
    assert figures.lost == 0 and figures.duplicated == 0, figures.line()
    assert figures.slowest < WECHAT_TIMEOUT, figures.line()
    assert figures.refused == 0, figures.line()


def timed(seconds_before: float, action, hold: float, undo=None, after: float = 1.5):
    def fault() -> None:
        time.sleep(seconds_before)
        action()
        time.sleep(hold)
        if undo:
            undo()
        time.sleep(after)
    return fault


# --- scenarios -----------------------------------------------------------------------------------

def test_postgres_restart_under_load(services, served):
    postgres, _ = services
    rt, base = served
    messages = run_load(rt, base, "pgrestart", timed(1.0, postgres.restart, 0), seconds=4)
    assert_sound(settle_and_count(rt, "PostgreSQL restarted", messages))


def test_postgres_down_for_5s_under_load(services, served):
    postgres, _ = services
    rt, base = served
    messages = run_load(rt, base, "pgdown", timed(1.0, postgres.stop, 5.0, postgres.start), seconds=8)
    figures = settle_and_count(rt, "PostgreSQL stopped 5 s", messages)
    assert_sound(figures)
    assert figures.spooled > 0  # the outage was felt, and answered honestly


def test_postgres_hung_for_6s_under_load(services, served):
    postgres, _ = services
    rt, base = served
    messages = run_load(rt, base, "pghang", timed(1.0, postgres.hang, 6.0, postgres.resume), seconds=9)
    figures = settle_and_count(rt, "PostgreSQL hung (SIGSTOP) 6 s", messages)
    assert_sound(figures)
    assert figures.spooled + figures.processing > 0


def test_redis_restart_under_load(services, served):
    _, redis_server = services

    def restart() -> None:
        redis_server.stop()
        time.sleep(1.0)
        redis_server.start()

    rt, base = served
    messages = run_load(rt, base, "redisrestart", timed(1.0, restart, 0), seconds=5)
    assert_sound(settle_and_count(rt, "Redis restarted", messages))


def test_redis_hung_for_5s_under_load(services, served):
    _, redis_server = services
    rt, base = served
    messages = run_load(rt, base, "redishang", timed(1.0, redis_server.hang, 5.0, redis_server.resume), seconds=8)
    assert_sound(settle_and_count(rt, "Redis hung (SIGSTOP) 5 s", messages))


@pytest.mark.parametrize("service", ["database", "store"])
def test_healthz_reports_a_hung_service_within_1s(services, served, service):
    postgres, redis_server = services
    rt, base = served
    hung = postgres if service == "database" else redis_server
    assert requests.get(f"{base}/healthz", timeout=5).status_code == 200
    hung.hang()
    try:
        started = time.monotonic()
        resp = requests.get(f"{base}/healthz", timeout=5)
        took = time.monotonic() - started
    finally:
        hung.resume()
    print(f"\nFAULTS /healthz with {service} hung: HTTP {resp.status_code} in {took:.2f}s")
    assert resp.status_code == 503 and resp.json()[service] is False and took < 1.0
    wait_until(lambda: requests.get(f"{base}/healthz", timeout=5).status_code == 200, 10, "health to return")


KILLED_WORKER = """
import os, signal, sys
from bot.config import load_config
from bot.inbox import answer_once
from bot.protocol import to_inbound, parse_xml
from bot.runtime import build_runtime

rt = build_runtime(load_config(env=dict(os.environ)), migrate=False)
def crash(rt, inbound):  # killed mid-handling, as by kill -9 of a gunicorn worker
    os.kill(os.getpid(), signal.SIGKILL)
answer_once(rt, to_inbound(parse_xml(sys.argv[1].encode())), crash)
"""


def test_worker_killed_mid_handling_the_retry_records_it(services, served):
    """Finding 5: the killed worker's pending marker must not swallow WeChat's retry."""
    _, redis_server = services
    rt, base = served
    openid = bound_members(rt, "killed", 1)[0]
    message = Message(openid, "学习打卡 今天学习了《政协章程》30分钟", next_msg_id())
    env = {**os.environ, "DATABASE_URL": rt.config.database.url, "REDIS_URL": redis_server.url,
           "BOT__REDIS__PREFIX": rt.config.redis.prefix, "BOT__SPOOL__DIR": str(rt.config.spool.dir)}
    started = time.monotonic()
    worker = subprocess.run([sys.executable, "-c", KILLED_WORKER, text_xml(openid, message.content, message.msg_id)],
                            env=env, cwd=Path(__file__).resolve().parent.parent, timeout=60)
    assert worker.returncode == -signal.SIGKILL
    assert rt.kv.get("inbox:" + message.key) is not None  # the dead worker's marker is still there
    time.sleep(max(0.0, started + WECHAT_TIMEOUT - time.monotonic()))  # WeChat retries after its 5 s timeout
    post_like_wechat(base, message)
    print(f"\nFAULTS worker killed mid-handling: retry answered in {max(message.seconds):.2f}s: {message.answers}")
    assert message.answers and "打卡成功" in message.answers[-1] and max(message.seconds) < WECHAT_TIMEOUT
    with rt.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Checkin).where(Checkin.source == message.key)) == 1
