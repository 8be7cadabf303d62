"""The worker: scheduler, daily job guard, sending, background thread, CLI, and a killed real worker."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import types
from datetime import date, datetime, time as clock_time, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

import bot
from bot import outbox
from bot.worker import Job, Scheduler, default_jobs, outbox_job, start_background
from conftest import FIXED_NOW
from fake_wechat import fake_wechat, point_at  # noqa: F401 - the fixture
from storage.models import OutboxMessage

ROOT = Path(__file__).resolve().parent.parent
AT_0830 = FIXED_NOW.replace(hour=8, minute=30)


@pytest.fixture
def rt(runtime, fake_wechat):  # noqa: F811
    return point_at(runtime, fake_wechat)


def put(rt, openid: str = "o_zhang", text: str = "您报名的活动有空位了") -> int:
    with rt.db.session() as session:
        return outbox.enqueue(session, openid=openid, text=text, kind="notice").id


def statuses(rt, ids: list[int]) -> list[str]:
    with rt.db.session() as session:
        found = dict(session.execute(select(OutboxMessage.id, OutboxMessage.status)
                                     .where(OutboxMessage.id.in_(ids))).all())
    return [found[i] for i in ids]


# -- scheduler ------------------------------------------------------------------------------------
def test_interval_job_runs_once_per_period(runtime):
    calls = []
    job = Job("tick", lambda rt, now: calls.append(now), every=60)
    scheduler = Scheduler(runtime, [job])
    assert scheduler.tick() == ["tick"]
    assert scheduler.tick() == []
    job.next_run = 0  # the period has passed
    assert scheduler.tick() == ["tick"] and calls == [FIXED_NOW, FIXED_NOW]


def daily(calls: list, name: str = "daily_test", at: clock_time = clock_time(8, 30)) -> Job:
    return Job(name, lambda rt, now: calls.append(rt.local(now).date()), daily_at=at)


def test_daily_job_runs_once_a_day_across_workers_and_restarts(runtime):
    calls: list = []
    workers = [Scheduler(runtime, [daily(calls)]) for _ in range(3)]
    assert [w.tick(AT_0830 - timedelta(minutes=1)) for w in workers] == [[], [], []]
    assert [w.tick(AT_0830) for w in workers] == [["daily_test"], [], []]
    assert Scheduler(runtime, [daily(calls)]).tick(FIXED_NOW) == []  # a restarted worker: marker in the database
    assert workers[2].tick(AT_0830 + timedelta(days=1)) == ["daily_test"]
    assert calls == [date(2026, 11, 26), date(2026, 11, 27)]


def test_daily_job_started_late_still_runs(runtime):
    calls: list = []
    assert Scheduler(runtime, [daily(calls)]).tick(FIXED_NOW.replace(hour=23, minute=59)) == ["daily_test"]


def test_concurrent_workers_run_the_daily_job_once(runtime):
    calls = []

    def slow(rt, now):
        calls.append(now)
        time.sleep(0.3)

    barrier = threading.Barrier(4)

    def run():
        scheduler = Scheduler(runtime, [Job("daily_test", slow, daily_at=clock_time(8, 30))])
        barrier.wait()
        scheduler.tick(FIXED_NOW)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(calls) == 1


def test_failed_daily_job_is_retried_later(runtime):
    attempts = []

    def flaky(rt, now):
        attempts.append(now)
        if len(attempts) == 1:
            raise RuntimeError("database away")

    job = Job("daily_test", flaky, daily_at=clock_time(8, 30))
    scheduler = Scheduler(runtime, [job])
    assert scheduler.tick(FIXED_NOW) == []
    assert scheduler.tick(FIXED_NOW) == []  # backing off
    job.next_run = 0
    assert scheduler.tick(FIXED_NOW) == ["daily_test"] and len(attempts) == 2


def test_digest_job_calls_send_scheduled_at_digest_time(runtime, monkeypatch):
    calls = []
    fake_digest = types.ModuleType("bot.digest")
    fake_digest.send_scheduled = lambda rt, now: calls.append(now)
    monkeypatch.setitem(sys.modules, "bot.digest", fake_digest)
    monkeypatch.setattr(bot, "digest", fake_digest, raising=False)
    runtime.config = runtime.config.with_overrides({"digest.time": "09:15"})
    jobs = default_jobs(runtime, ["digest"])
    assert [(j.name, j.daily_at) for j in jobs] == [("digest", clock_time(9, 15))]
    assert Scheduler(runtime, jobs).tick(FIXED_NOW.replace(hour=9, minute=14)) == []
    assert Scheduler(runtime, jobs).tick(FIXED_NOW) == ["digest"]
    assert calls == [FIXED_NOW]


# -- sending through the scheduler ----------------------------------------------------------------
def test_outbox_job_sends_the_due_rows_on_both_back_ends(rt, fake_wechat):
    ids = [put(rt, openid=f"o_{i}") for i in range(3)]
    outbox_job(rt, FIXED_NOW)
    assert statuses(rt, ids) == ["sent"] * 3
    assert sorted(c.body["touser"] for c in fake_wechat.sent) == ["o_0", "o_1", "o_2"]
    outbox_job(rt, FIXED_NOW)  # a second worker's tick finds nothing left to send
    assert len(fake_wechat.sent) == 3


def test_one_wechat_client_per_runtime(rt, fake_wechat):
    from bot.wechat_api import client_for

    assert client_for(rt) is client_for(rt)
    first = client_for(rt)
    for i in range(3):
        put(rt, openid=f"o_{i}")
        outbox_job(rt, FIXED_NOW)
    assert client_for(rt) is first and len(fake_wechat.sent) == 3
    rt.config = rt.config.with_overrides({"outbound.read_timeout_seconds": 5})
    assert client_for(rt) is not first  # replaced config, new client


def test_background_thread_sends_on_the_embedded_default(rt, fake_wechat):
    rt.config = rt.config.with_overrides({"outbound.poll_seconds": 0.05})
    background = start_background(rt, default_jobs(rt, ["outbox"]))
    try:
        assert start_background(rt) is background
        row_id = put(rt)
        deadline = time.monotonic() + 3
        while statuses(rt, [row_id]) != ["sent"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert statuses(rt, [row_id]) == ["sent"]
    finally:
        background.stop()
    assert not background.thread.is_alive()


# -- command line ---------------------------------------------------------------------------------
def test_cli_worker_once_and_outbox_list_retry(rt, fake_wechat, cli, monkeypatch):
    for name, value in (("WECHAT_API_BASE", fake_wechat.base_url), ("WECHAT_APPID", rt.config.wechat.appid),
                        ("WECHAT_SECRET", rt.config.wechat.secret)):
        monkeypatch.setenv(name, value)
    fake_wechat.refuse("o_gone", 43004)
    ok, gone = put(rt, openid="o_ok"), put(rt, openid="o_gone")
    code, out, _ = cli("worker", "--once")
    assert code == 0 and "已发送 1 条" in out and "失败 1 条" in out
    code, out, _ = cli("outbox", "list", "--status", "failed")
    assert code == 0 and "43004" in out and "o_gone" in out and "o_ok" not in out
    del fake_wechat.refused["o_gone"]
    assert cli("outbox", "retry", str(gone))[1].strip() == f"消息 {gone} 已重新放入待发，工作进程会尽快发送"
    code, _, err = cli("outbox", "retry", str(ok))
    assert code == 2 and "已发送" in err
    assert "已发送 1 条" in cli("worker", "--once")[1]
    assert statuses(rt, [ok, gone]) == ["sent", "sent"]
    assert cli("worker", "--jobs", "nope")[0] == 2


# -- a real worker process, killed ----------------------------------------------------------------
def worker_env(rt, fake, redis_url: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("BOT_", "REDIS_", "WECHAT_"))}
    env.update({"DATABASE_URL": rt.db.engine.url.render_as_string(hide_password=False),
                "WECHAT_API_BASE": fake.base_url, "WECHAT_APPID": rt.config.wechat.appid,
                "WECHAT_SECRET": rt.config.wechat.secret, "BOT__OUTBOUND__POLL_SECONDS": "0.1",
                "PYTHONPATH": str(ROOT)})
    if redis_url:
        env.update({"REDIS_URL": redis_url, "BOT__REDIS__PREFIX": rt.kv.prefix})
    return env


def test_killed_worker_loses_nothing_and_sends_nothing_twice(rt, fake_wechat, request, tmp_path):
    """Rows written, a real `python -m bot worker` killed mid-send: the rows it never reached are sent
    once by the next worker, the one it was sending is marked unknown and never resent."""
    fake_wechat.fail("custom", delay=30)  # the first send hangs until the worker is killed
    ids = [put(rt, openid=f"o_{name}") for name in "abc"]
    redis_url = request.getfixturevalue("redis_url") if rt.kv.backend == "redis" else None
    log = tmp_path / "worker.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "worker", "--jobs", "outbox"], cwd=ROOT,
                                env=worker_env(rt, fake_wechat, redis_url), stdout=out, stderr=subprocess.STDOUT)
    try:
        assert fake_wechat.wait_for_calls("custom", 1, timeout=15), log.read_text()
        assert statuses(rt, ids) == ["sending", "pending", "pending"]
    finally:
        proc.kill()
        proc.wait(10)
    assert len(fake_wechat.calls_to("custom")) == 1

    after_lease = datetime.now(timezone.utc) + timedelta(seconds=rt.config.outbound.lease_seconds + 1)
    report = outbox.deliver_due(rt, now=after_lease)       # the next worker
    assert report.unknown == ids[:1] and report.sent == ids[1:]
    assert statuses(rt, ids) == ["unknown", "sent", "sent"]
    assert [len(fake_wechat.calls_to_openid(f"o_{name}")) for name in "abc"] == [1, 1, 1]
    assert [len(fake_wechat.sent_to(f"o_{name}")) for name in "abc"] == [0, 1, 1]


def test_reminders_job_queues_tomorrows_reminders_once(runtime):
    from datetime import timedelta

    from conftest import add_member
    from storage.activities import NewActivity, create_activity
    from storage.models import OutboxMessage, Signup

    member = add_member(runtime, "张三", "13912345678", openid="o_zhang")
    with runtime.db.session() as session:
        activity = create_activity(session, NewActivity(title="读书分享会", kind="读书分享会",
                                                        start_at=FIXED_NOW + timedelta(days=1)))
        session.add(Signup(activity_id=activity.id, member_id=member.id, status="signed"))
    jobs = default_jobs(runtime, ["reminders"])
    assert [j.name for j in jobs] == ["reminders"]
    assert Scheduler(runtime, jobs).tick(FIXED_NOW) == ["reminders"]
    jobs[0].run(runtime, FIXED_NOW)  # a second run queues nothing more
    with runtime.db.session() as session:
        rows = session.query(OutboxMessage).all()
        assert len(rows) == 1 and rows[0].openid == "o_zhang" and "读书分享会" in rows[0].text


def test_every_scheduled_job_can_be_chosen_on_the_command_line(runtime, cli):
    from bot.worker import JOB_NAMES

    assert [job.name for job in default_jobs(runtime)] == list(JOB_NAMES)
    assert cli("worker", "--once", "--jobs", "reminders,media")[0] == 0
    assert cli("worker", "--once", "--jobs", "nonsense")[0] == 2
