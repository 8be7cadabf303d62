"""Issue 10, findings 4-5 on both back ends: honest receipts, the spool, leases, uncached errors.

"Database down" is a real unreachable database (PostgreSQL: a closed port; SQLite: a path that is a
directory), never a mock.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import time
from datetime import datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from bot import replies
from bot.dispatch import handle_inbound
from bot.inbox import PENDING, replay_spool, spool_of
from bot.spool import Spool
from bot.wechat_sim import Envelope, next_msg_id, text_xml
from conftest import TOKEN, WeChat
from storage.db import Database, DbLimits, is_unavailable
from storage.models import Checkin, OutboxMessage, UnhandledMessage
from webhook import create_app

CHECKIN = "学习打卡 今天学习了《政协章程》30分钟"


@pytest.fixture
def spool_dir(runtime, tmp_path):
    runtime.config = runtime.config.with_overrides({"spool.dir": str(tmp_path / "spool")})
    return tmp_path / "spool"


def unreachable(runtime, tmp_path) -> Database:
    if runtime.db.backend == "postgresql":
        return Database("postgresql://postgres@127.0.0.1:1/nothing", DbLimits(connect_seconds=2))
    return Database(f"sqlite:///{tmp_path}")  # a directory: "unable to open database file"


def checkins(runtime) -> int:
    with runtime.db.session() as session:
        return len(session.scalars(select(Checkin)).all())


def drain(runtime, seconds: float = 5.0) -> None:
    """Replay until the spool is empty (a request may have started a background replay already)."""
    deadline = time.monotonic() + seconds
    while spool_of(runtime).pending():
        assert time.monotonic() < deadline, "spool not drained"
        replay_spool(runtime, handle_inbound)
        time.sleep(0.05)


def test_outage_and_bug_errors_are_told_apart(runtime, tmp_path):
    with pytest.raises(Exception) as down:
        with unreachable(runtime, tmp_path).session() as session:
            session.execute(text("SELECT 1"))
    assert is_unavailable(down.value)
    with pytest.raises(Exception) as bug:
        with runtime.db.session() as session:
            session.execute(text("SELECT * FROM no_such_table"))
    assert not is_unavailable(bug.value)
    with pytest.raises(IntegrityError) as dup:
        with runtime.db.session() as session:
            session.add_all([UnhandledMessage(openid="o", message_key="k", msg_type="text"),
                             UnhandledMessage(openid="o", message_key="k", msg_type="text")])
    assert not is_unavailable(dup.value)
    assert not is_unavailable(ZeroDivisionError())


def test_database_down_spools_then_replays_in_order(runtime, member, spool_dir, tmp_path):
    """Finding 4: nothing claims "saved" while the database is down; the spool replays it later."""
    real_db = runtime.db
    wechat = WeChat(create_app(runtime).test_client(), Envelope(TOKEN))
    runtime.db = unreachable(runtime, tmp_path)
    first, second = next_msg_id(), next_msg_id()
    answer = wechat.say("o_zhang", CHECKIN, msg_id=first)
    assert answer == replies.RECEIVED_WILL_PROCESS and "保存" not in answer and "成功" not in answer
    assert wechat.say("o_zhang", CHECKIN, msg_id=first) == replies.RECEIVED_WILL_PROCESS  # WeChat's retry
    wechat.say("o_zhang", "学习打卡 今天学习了《论人民政协》40分钟", msg_id=second)
    assert spool_of(runtime).pending()

    runtime.db = real_db
    drain(runtime)
    with runtime.db.session() as session:
        rows = session.scalars(select(Checkin).order_by(Checkin.id)).all()
        assert [row.source for row in rows] == [f"o_zhang:{first}", f"o_zhang:{second}"]
        sent = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "spooled_reply")).all()
        assert len(sent) == 2 and all("打卡成功" in row.text for row in sent)
    assert "打卡成功" in wechat.say("o_zhang", CHECKIN, msg_id=first)  # a late retry: the real answer
    assert checkins(runtime) == 2


def test_member_with_spooled_messages_keeps_order(runtime, member, spool_dir, tmp_path):
    real_db = runtime.db
    wechat = WeChat(create_app(runtime).test_client(), Envelope(TOKEN))
    runtime.db = unreachable(runtime, tmp_path)
    wechat.say("o_zhang", CHECKIN)
    runtime.db = real_db
    assert wechat.say("o_zhang", "学习打卡 今天学习了《论人民政协》40分钟") == replies.RECEIVED_WILL_PROCESS
    drain(runtime)
    with runtime.db.session() as session:
        assert [row.minutes for row in session.scalars(select(Checkin).order_by(Checkin.id))] == [30, 40]


def test_spool_failure_answers_503_and_caches_nothing(runtime, member, spool_dir, tmp_path):
    real_db = runtime.db
    spool_dir.parent.mkdir(exist_ok=True)
    spool_dir.write_text("not a directory")
    wechat = WeChat(create_app(runtime).test_client(), Envelope(TOKEN))
    runtime.db = unreachable(runtime, tmp_path)
    msg_id = next_msg_id()
    xml = text_xml("o_zhang", CHECKIN, msg_id)
    assert wechat.post(xml, "o_zhang").status_code == 503
    runtime.db = real_db
    spool_dir.unlink()
    assert "打卡成功" in wechat.deliver(xml, "o_zhang")  # WeChat's retry is handled, not answered from a cache
    assert checkins(runtime) == 1


def test_error_reply_is_not_cached(runtime, wechat, member, monkeypatch):
    from bot.dialogs import checkin

    real_save = checkin.save
    monkeypatch.setattr(checkin, "save", lambda turn, data: 1 / 0)
    msg_id = next_msg_id()
    assert wechat.say("o_zhang", CHECKIN, msg_id=msg_id) == replies.INTERNAL_ERROR
    with runtime.db.session() as session:
        assert session.scalars(select(UnhandledMessage)).one().message_key == f"o_zhang:{msg_id}"
    monkeypatch.setattr(checkin, "save", real_save)
    assert "打卡成功" in wechat.say("o_zhang", CHECKIN, msg_id=msg_id)
    assert checkins(runtime) == 1


def test_retry_after_the_lease_takes_over(runtime, wechat, member):
    """Finding 5: a worker killed mid-handling leaves its pending marker; the retry after the lease handles it."""
    runtime.config = runtime.config.with_overrides({"wechat.pending_lease_seconds": 0.3,
                                                    "wechat.retry_wait_seconds": 2.0})
    msg_id = next_msg_id()
    runtime.kv.set(f"inbox:o_zhang:{msg_id}", PENDING + "deadworker", ttl=0.3, only_if_absent=True)
    assert "打卡成功" in wechat.say("o_zhang", CHECKIN, msg_id=msg_id)
    assert checkins(runtime) == 1
    assert "打卡成功" in wechat.say("o_zhang", CHECKIN, msg_id=msg_id)  # and its answer is remembered
    assert checkins(runtime) == 1


def test_retry_during_the_lease_waits_and_does_not_handle(runtime, wechat, member):
    runtime.config = runtime.config.with_overrides({"wechat.pending_lease_seconds": 30,
                                                    "wechat.retry_wait_seconds": 0.2})
    msg_id = next_msg_id()
    runtime.kv.set(f"inbox:o_zhang:{msg_id}", PENDING + "busyworker", ttl=30, only_if_absent=True)
    assert wechat.say("o_zhang", CHECKIN, msg_id=msg_id) == ""
    assert checkins(runtime) == 0


# --- the spool file itself (several processes, crashes) ----------------------------------------

def _append_many(directory: str, worker: int, count: int) -> None:
    spool = Spool(directory)
    for n in range(count):
        spool.append(f"w{worker}:{n}", {"FromUserName": f"o{worker}"}, datetime.now().astimezone())


def test_spool_is_shared_by_processes_and_survives_a_crashed_replayer(tmp_path):
    directory = str(tmp_path / "spool")
    procs = [multiprocessing.get_context("fork").Process(target=_append_many, args=(directory, w, 50))
             for w in range(3)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
    spool = Spool(directory)
    with open(os.path.join(directory, "torn.jsonl"), "w") as fh:
        fh.write('{"key": "half')  # a crash mid-write: never acknowledged, skipped
    with spool.replaying() as entries:
        assert len(entries) == 150
        for entry in entries[:40]:
            spool.done(entry)
        # the replayer "dies" here; meanwhile the workers keep appending to fresh files
        _append_many(directory, 9, 5)
    with spool.replaying() as entries:
        keys = [entry.key for entry in entries]
        assert len(keys) == 115 and len(set(keys)) == 115
        for worker in range(3):
            mine = [int(key.split(":")[1]) for key in keys if key.startswith(f"w{worker}:")]
            assert mine == sorted(mine)  # each writer's order kept
        for entry in entries:
            spool.done(entry)
    assert not spool.pending()
    assert json.loads(json.dumps(sorted(os.listdir(directory)))) == [".replay.lock"]
