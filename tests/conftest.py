"""Test fixtures: every `runtime` test runs on SQLite+memory AND PostgreSQL+Redis.

A service that is down skips its half of the suite on a bare machine, and fails
it when REQUIRE_SERVICES=1 (set by .ci/run).
"""
from __future__ import annotations

import os
import uuid
import warnings
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

warnings.filterwarnings("ignore", message=".*pkg_resources.*", category=DeprecationWarning)

from bot.config import load_config  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from bot.wechat_sim import Envelope, event_xml, image_xml, next_msg_id, text_xml, voice_xml  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.kv import MemoryStore, RedisStore  # noqa: E402
from storage.models import Base, Member, utcnow  # noqa: E402

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Every Redis key this test session writes starts with this (each runtime adds its own part); all of
# them are deleted after each test and, for writes by threads that outlived their test, after the session.
TEST_KEY_PREFIX = f"cppcc-test:{uuid.uuid4().hex[:8]}:"
TZ = ZoneInfo("Asia/Shanghai")
FIXED_NOW = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)  # a Thursday
TOKEN, APPID = "testtoken", "wx0123456789abcdef"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def service_unavailable(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"required service unavailable: {reason}")
    pytest.skip(reason)


def make_config(**overrides):
    base = {"wechat.token": TOKEN, "wechat.appid": APPID, "wechat.aes_key": "",
            "wechat.secret": "testsecret", "wechat.api_base": "http://127.0.0.1:9"}
    base.update(overrides)
    return load_config(env={}).with_overrides(base)


@pytest.fixture(scope="session")
def postgres_url():
    """A throw-away database for this test session."""
    from storage.scratch import create_database

    try:
        url, drop = create_database(PG_ADMIN_URL, prefix="cppcc_test")
    except Exception as exc:
        service_unavailable(f"PostgreSQL at {PG_ADMIN_URL}: {exc}")
    yield url
    drop()


@pytest.fixture(scope="session")
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping()
    except Exception as exc:
        service_unavailable(f"Redis at {REDIS_URL}: {exc}")
    yield REDIS_URL
    delete_keys(redis.Redis.from_url(REDIS_URL, socket_timeout=3), TEST_KEY_PREFIX)


def delete_keys(client, prefix: str) -> None:
    for key in client.scan_iter(prefix + "*", count=500):
        client.delete(key)


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    """One migrated Database per backend per session."""
    cache: dict[str, Database] = {}
    yield cache
    for db in cache.values():
        db.dispose()


def _database(databases, key: str, url: str) -> Database:
    if key not in databases:
        db = Database(url)
        db.migrate()
        databases[key] = db
    return databases[key]


def _wipe(db: Database) -> None:
    tables = list(reversed(Base.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if db.backend == "postgresql":
            names = ", ".join(t.name for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture(params=["embedded", "postgres"])
def backend(request):
    return request.param


@pytest.fixture
def runtime(request, backend, databases, tmp_path_factory):
    prefix = f"{TEST_KEY_PREFIX}{uuid.uuid4().hex[:8]}:"
    config = make_config(**{"redis.prefix": prefix})  # also for worker processes a test starts
    if backend == "embedded":
        path = tmp_path_factory.getbasetemp() / "embedded.db"
        db = _database(databases, "sqlite", f"sqlite:///{path}")
        kv = MemoryStore()
    else:
        db = _database(databases, "postgres", request.getfixturevalue("postgres_url"))
        kv = RedisStore(request.getfixturevalue("redis_url"), prefix=prefix)
    _wipe(db)
    rt = Runtime(config=config, db=db, kv=kv, clock=lambda: FIXED_NOW)
    yield rt
    if isinstance(kv, RedisStore):
        delete_keys(kv.client, kv.prefix)


@pytest.fixture
def app(runtime):
    from webhook import create_app

    return create_app(runtime)


@pytest.fixture
def cli(runtime, monkeypatch, capsys):
    """Runs `python -m bot …` in-process against the runtime fixture's database."""
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", runtime.db.engine.url.render_as_string(hide_password=False))
    for name in ("REDIS_URL", "BOT_CONFIG"):
        monkeypatch.delenv(name, raising=False)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


class WeChat:
    """Posts real signed (optionally encrypted) XML to the Flask app, as WeChat would."""

    def __init__(self, client, envelope: Envelope):
        self.client = client
        self.envelope = envelope
        self.last_status = None

    def post(self, xml: str, openid: str = "", timestamp: int | None = None):
        req = self.envelope.wrap(xml, openid, timestamp)
        return self.client.post("/wechat?" + req.query, data=req.body, content_type="text/xml")

    def deliver(self, xml: str, openid: str = "") -> str:
        resp = self.post(xml, openid)
        self.last_status = resp.status_code
        return self.envelope.unwrap(resp.status_code, resp.data)

    def say(self, openid: str, content: str, msg_id: int | None = None) -> str:
        return self.deliver(text_xml(openid, content, msg_id or next_msg_id()), openid)

    def voice(self, openid: str, recognition: str | None) -> str:
        return self.deliver(voice_xml(openid, recognition, next_msg_id()), openid)

    def image(self, openid: str) -> str:
        return self.deliver(image_xml(openid, next_msg_id()), openid)

    def event(self, openid: str, event: str, key: str = "") -> str:
        return self.deliver(event_xml(openid, event, key), openid)


@pytest.fixture
def wechat(app):
    return WeChat(app.test_client(), Envelope(TOKEN))


def advance_clock(rt: Runtime, seconds: float) -> None:
    """Move the runtime's clock forward (dialog timeouts run on it; no sleeping in tests)."""
    from datetime import timedelta

    later = rt.now() + timedelta(seconds=seconds)
    rt.clock = lambda: later


def add_member(rt: Runtime, name: str, phone: str, *, role: str = "member", sector: str = "经济界",
               district: str = "东胜区", openid: str | None = None) -> Member:
    with rt.db.session() as session:
        member = Member(name=name, phone=phone, role=role, sector=sector, district=district,
                        openid=openid, bound_at=utcnow() if openid else None)
        session.add(member)
        session.flush()
        return member


@pytest.fixture
def member(runtime):
    """A bound member: openid 'o_zhang'."""
    return add_member(runtime, "张三", "13912345678", openid="o_zhang")


@pytest.fixture
def staff(runtime):
    return add_member(runtime, "王秘书", "13800000001", role="staff", sector="", openid="o_staff")
