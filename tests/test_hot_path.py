"""The webhook's hot path (issue 15): one store round trip before and one after handling, the per-worker openid
cache that never acts for the wrong member, and the one-statement check-in (PostgreSQL) that keeps the day's
rules under parallel messages of one member."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from bot import replies
from bot.wechat_sim import Envelope, next_msg_id, text_xml
from storage import checkins, members
from storage.kv import Op, OpKind
from storage.models import Checkin, Member
from storage.request_store import RequestStore
from tests.conftest import FIXED_NOW, TOKEN, WeChat, add_member


def stored(runtime) -> list[tuple[str, str, int]]:
    with runtime.db.session() as session:
        rows = session.execute(select(Member.name, Checkin.material, Checkin.minutes).join(Member)).all()
    return sorted(tuple(row) for row in rows)


# --- the store: batches and a request's view ---------------------------------------------------------------

def test_a_batch_runs_its_commands_in_order_on_both_stores(runtime):
    results = runtime.kv.batch([
        Op(OpKind.SET_IF_ABSENT, "b:claim", "mine", 5), Op.get("b:claim"), Op(OpKind.SET_IF_ABSENT, "b:claim", "x", 5),
        Op.get("b:absent"), Op(OpKind.SET, "b:plain", "v"), Op(OpKind.DELETE, "b:plain"), Op.get("b:plain")])
    assert results == [True, "mine", False, None, True, None, None]
    assert runtime.kv.batch([Op.get("b:claim")]) == ["mine"]


def test_a_request_sends_its_plain_writes_with_the_reply(runtime):
    store = RequestStore(runtime.kv, {"r:state": "before"})
    assert store.get("r:state") == "before"                      # prefetched: no round trip
    store.set("r:state", "after", ttl=60)
    store.delete("r:gone")
    assert store.get("r:state") == "after" and runtime.kv.get("r:state") is None   # buffered
    assert store.set("r:lock", "1", ttl=5, only_if_absent=True)  # atomic: at once
    assert runtime.kv.get("r:lock") == "1"
    assert store.close([Op(OpKind.SET, "r:reply", "text", 60)]) == [True]
    assert runtime.kv.get("r:state") == "after" and runtime.kv.get("r:reply") == "text"
    store.set("r:late", "written")                               # after close: straight through
    assert runtime.kv.get("r:late") == "written"


def test_a_reused_signature_with_another_body_is_refused_and_claims_nothing(runtime, app, member):
    envelope = Envelope(TOKEN)
    msg_id = next_msg_id()
    first = envelope.wrap(text_xml("o_zhang", "学习打卡 今天学习了《政协章程》30分钟", msg_id), "o_zhang")
    client = app.test_client()
    assert client.post("/wechat?" + first.query, data=first.body, content_type="text/xml").status_code == 200
    other_id = next_msg_id()
    forged = envelope.wrap(text_xml("o_zhang", "学习打卡 今天学习了《论人民政协》30分钟", other_id), "o_zhang")
    resp = client.post("/wechat?" + first.query, data=forged.body, content_type="text/xml")
    assert resp.status_code == 403
    assert runtime.kv.get(f"inbox:o_zhang:{other_id}") is None  # the real message, when it comes, is handled
    assert "打卡成功" in WeChat(client, envelope).say("o_zhang", "学习打卡 今天学习了《论人民政协》30分钟",
                                                    msg_id=other_id)


# --- who is writing: the openid cache ----------------------------------------------------------------------

def rebind(runtime, openid: str, to: Member | None) -> None:
    """What another worker (or the console) does: the binding changes without this worker hearing of it."""
    with runtime.db.session() as session:
        session.execute(update(Member).where(Member.openid == openid).values(openid=None))
        if to is not None:
            session.execute(update(Member).where(Member.id == to.id).values(openid=openid))


def test_a_rebound_account_acts_for_its_new_member_at_once(runtime, wechat, member):
    li = add_member(runtime, "李四", "13800001111")
    assert "打卡成功" in wechat.say("o_zhang", "学习打卡 今天学习了《政协章程》30分钟")   # cached: o_zhang -> 张三
    rebind(runtime, "o_zhang", li)
    assert "打卡成功" in wechat.say("o_zhang", "学习打卡 今天学习了《论人民政协》20分钟")
    assert stored(runtime) == [("张三", "政协章程", 30), ("李四", "论人民政协", 20)]
    assert "论人民政协" in wechat.say("o_zhang", "我的打卡") and "政协章程" not in wechat.say("o_zhang", "我的打卡")


def test_an_unbound_account_is_a_stranger_at_once(runtime, wechat, member):
    assert "打卡成功" in wechat.say("o_zhang", "学习打卡 今天学习了《政协章程》30分钟")
    rebind(runtime, "o_zhang", None)
    assert "打卡成功" not in wechat.say("o_zhang", "学习打卡 今天学习了《论人民政协》20分钟")
    assert wechat.say("o_zhang", "我的履职") == wechat.say("o_stranger", "我的履职")   # the binding prompt
    assert stored(runtime) == [("张三", "政协章程", 30)]


def test_the_cache_is_only_ever_a_hint(runtime, member):
    members.forget(runtime.db.engine, "o_zhang")
    assert members.cached_id(runtime.db.engine, "o_zhang") is None
    with runtime.db.autocommit() as conn:
        assert members.id_for(conn, "o_zhang") == member.id and members.id_for(conn, "o_nobody") is None
        assert members.warm_cache(conn) >= 1
    assert members.cached_id(runtime.db.engine, "o_zhang") == member.id
    with runtime.db.session() as session, pytest.raises(members.StaleMember):
        members.confirmed(session, member.id, "o_somebody_else")


# --- the day's rules under parallel messages of one member ---------------------------------------------------

def post_in_parallel(app, texts: list[str]) -> list[str]:
    def say(text: str) -> str:
        return WeChat(app.test_client(), Envelope(TOKEN)).say("o_zhang", text)

    with ThreadPoolExecutor(len(texts)) as pool:
        return list(pool.map(say, texts))


def test_parallel_copies_of_one_checkin_count_once(runtime, app, member):
    answers = post_in_parallel(app, ["学习打卡 今天学习了《政协章程》30分钟"] * 6)
    assert sum("打卡成功" in a for a in answers) == 1, answers
    assert sum("不重复计入" in a for a in answers) == 5, answers
    assert stored(runtime) == [("张三", "政协章程", 30)]


def test_parallel_checkins_keep_the_daily_cap(runtime, app, member):
    texts = [f"学习打卡 今天学习了《政协理论第{n}讲》20分钟" for n in range(8)]
    answers = post_in_parallel(app, texts)
    saved = [a for a in answers if "打卡成功" in a]
    assert len(saved) == runtime.config.checkin.daily_max_checkins == len(stored(runtime)), answers
    assert all("每天上限" in a for a in answers if a not in saved), answers


def test_a_checkin_that_lost_the_race_is_judged_again_in_a_transaction(runtime, member):
    """PostgreSQL: a parallel check-in commits while the statement waits for the member's row; the statement's
    snapshot cannot see it, so it must change nothing and hand over to the general path."""
    if runtime.db.backend != "postgresql":
        pytest.skip("the one-statement check-in is PostgreSQL's")
    day, limits = FIXED_NOW.date(), checkins.DayLimits(3, 480)
    item = checkins.Item("政协章程", 30)
    holder = runtime.db.sessions()
    row = holder.get(Member, member.id)
    checkins.record_items(holder, row, day, [item], limits, source="first")  # holds the member's row
    result: dict = {}

    def second() -> None:
        with runtime.db.autocommit() as conn:
            result["one"] = checkins.record_one(conn, member.id, "o_zhang", day, item, limits,
                                                month=(day.replace(day=1), day), now=FIXED_NOW, text="",
                                                source="second")

    waiting = threading.Thread(target=second)
    waiting.start()
    waiting.join(0.5)
    assert waiting.is_alive()              # blocked on the member's row
    holder.commit()
    holder.close()
    waiting.join(5)
    assert result["one"] is None           # saw the race, changed nothing
    with runtime.db.session() as session:
        again = checkins.record_items(session, session.get(Member, member.id), day, [item], limits, source="second")
    assert again == [(checkins.Outcome.DUPLICATE, item)]
    assert stored(runtime) == [("张三", "政协章程", 30)]


def test_the_month_count_in_the_reply_counts_this_checkin_once(runtime, wechat, member):
    earlier = (FIXED_NOW - timedelta(days=2)).date()
    with runtime.db.session() as session:
        checkins.add_checkin(session, session.get(Member, member.id), earlier, 20, "人民政协报")
    reply = wechat.say("o_zhang", "学习打卡 今天学习了《政协章程》30分钟")
    assert replies.CHECKIN_MONTH.format(month_count=2) in reply
    assert replies.CHECKIN_MONTH.format(month_count=2) in wechat.say("o_zhang", "学习打卡 今天学习了《政协章程》30分钟")
    assert date(2026, 11, 1) <= earlier


# --- a hung database ends a quick-lane call by the deadline ------------------------------------------------

def test_a_database_call_held_past_its_deadline_fails_as_a_lost_connection(runtime):
    """What the watchdog does to a hung server (tests/test_faults.py SIGSTOPs a real one): here a statement that
    outlasts the deadline, `pg_sleep`, stands for it."""
    if runtime.db.backend != "postgresql":
        pytest.skip("only PostgreSQL connections have sockets to shut down")
    from sqlalchemy import text

    from storage.db import is_unavailable
    from storage.deadline import CHECK_EVERY, WATCHDOG

    started = time.monotonic()
    with pytest.raises(Exception) as failure, WATCHDOG.deadline(0.3):
        with runtime.db.autocommit() as conn:
            conn.execute(text("SELECT pg_sleep(5)"))
    assert time.monotonic() - started < 0.3 + 5 * CHECK_EVERY + 0.5
    assert is_unavailable(failure.value)               # handled as an outage: the message is spooled
    with runtime.db.autocommit() as conn:              # the pool dropped the broken connection
        assert conn.execute(text("SELECT 1")).scalar() == 1
