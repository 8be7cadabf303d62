"""The outbox against the fake WeChat server: channel choice, every error class, at-most-once claims."""
from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot import outbox
from conftest import FIXED_NOW, add_member
from fake_wechat import fake_wechat, point_at  # noqa: F401 - the fixture
from storage.models import Member, OutboxMessage

NOTICE_TEMPLATE = "TPL_NOTICE"


@pytest.fixture
def rt(runtime, fake_wechat):  # noqa: F811
    return point_at(runtime, fake_wechat, **{"wechat.templates.notice": NOTICE_TEMPLATE})


def put(rt, openid="o_zhang", text="您的社情民意 SQ2026-0001 已审核通过", kind="notice", **kwargs) -> int:
    with rt.db.session() as session:
        return outbox.enqueue(session, openid=openid, text=text, kind=kind, **kwargs).id


def row(rt, row_id) -> OutboxMessage:
    with rt.db.session() as session:
        return session.get(OutboxMessage, row_id)


def member_seen(rt, openid: str, hours_ago: float | None) -> Member:
    member = add_member(rt, "张三", f"139{abs(hash(openid)) % 10**8:08d}", openid=openid)
    with rt.db.session() as session:
        session.get(Member, member.id).last_message_at = (
            None if hours_ago is None else FIXED_NOW - timedelta(hours=hours_ago))
    return member


# -- channel choice -------------------------------------------------------------------------------
def test_open_window_sends_a_kefu_message_and_records_the_answer(rt, fake_wechat):
    member = member_seen(rt, "o_zhang", hours_ago=47)
    row_id = put(rt, member_id=member.id)
    report = outbox.deliver_due(rt)
    assert report.sent == [row_id]
    sent = row(rt, row_id)
    assert (sent.status, sent.channel, sent.attempts) == ("sent", "kefu", 1)
    assert sent.sent_at == FIXED_NOW and '"errcode": 0' in sent.response
    assert fake_wechat.sent[0].body == {"touser": "o_zhang", "msgtype": "text",
                                        "text": {"content": "您的社情民意 SQ2026-0001 已审核通过"}}


def test_closed_window_sends_the_configured_template(rt, fake_wechat):
    member_seen(rt, "o_zhang", hours_ago=49)
    row_id = put(rt)
    assert outbox.deliver_due(rt).sent == [row_id]
    body = fake_wechat.sent[0].body
    assert body["template_id"] == NOTICE_TEMPLATE
    assert body["data"]["thing1"] == {"value": "您的社情民意 SQ2026-0001…"}  # ≤ 20; the link has it all
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", body["data"]["time4"]["value"])  # when it was written
    assert row(rt, row_id).channel == "template"
    assert "msgid" in row(rt, row_id).response


def test_member_who_never_wrote_gets_a_template(rt, fake_wechat):
    member_seen(rt, "o_zhang", hours_ago=None)
    put(rt, kind="reminder")  # no reminder template configured: falls back to `notice`
    outbox.deliver_due(rt)
    assert fake_wechat.sent[0].endpoint == "template"
    assert fake_wechat.sent[0].body["template_id"] == NOTICE_TEMPLATE


def test_template_only_row_always_goes_as_template(rt, fake_wechat):
    member_seen(rt, "o_zhang", hours_ago=1)
    put(rt, text="", kind="digest", template={"template_id": "TPL_DIGEST", "url": "https://x.cn/d",
                                              "data": {"first": {"value": "昨日简报"}}})
    outbox.deliver_due(rt)
    assert fake_wechat.sent[0].endpoint == "template"
    assert fake_wechat.sent[0].body == {"touser": "o_zhang", "template_id": "TPL_DIGEST", "url": "https://x.cn/d",
                                        "data": {"first": {"value": "昨日简报"}}}


def test_row_with_text_and_template_uses_kefu_inside_the_window(rt, fake_wechat):
    member_seen(rt, "o_zhang", hours_ago=1)
    put(rt, template={"template_id": "TPL_DIGEST", "data": {"first": "x"}})
    outbox.deliver_due(rt)
    assert fake_wechat.sent[0].endpoint == "custom"


def test_kefu_refused_by_wechat_falls_back_to_the_template(rt, fake_wechat):
    member_seen(rt, "o_zhang", hours_ago=1)
    fake_wechat.fail("custom", errcode=45015)  # our window data was stale
    row_id = put(rt)
    assert outbox.deliver_due(rt).sent == [row_id]
    assert [c.endpoint for c in fake_wechat.calls if c.endpoint != "token"] == ["custom", "template"]
    assert row(rt, row_id).channel == "template"


def test_closed_window_without_any_template_fails_with_the_reason(rt, fake_wechat):
    point_at(rt, fake_wechat, **{"wechat.templates": {}})
    member_seen(rt, "o_zhang", hours_ago=100)
    row_id = put(rt)
    assert outbox.deliver_due(rt).failed == [row_id]
    failed = row(rt, row_id)
    assert failed.status == "failed" and "wechat.templates" in failed.last_error
    assert fake_wechat.calls_to("custom") == []  # known before asking WeChat: no 45015 to learn from


def test_unknown_person_is_tried_by_kefu(rt, fake_wechat):
    put(rt, openid="o_stranger", kind="late_reply")
    outbox.deliver_due(rt)
    assert fake_wechat.sent[0].endpoint == "custom"


# -- error classes --------------------------------------------------------------------------------
@pytest.mark.parametrize("code", [40003, 43004, 48001])
def test_permanent_errors_fail_once_with_the_reason(rt, fake_wechat, code):
    fake_wechat.refuse("o_zhang", code)
    row_id = put(rt)
    assert outbox.deliver_due(rt).failed == [row_id]
    failed = row(rt, row_id)
    assert failed.status == "failed" and failed.last_error.startswith(str(code))
    outbox.deliver_due(rt, now=FIXED_NOW + timedelta(days=1))
    assert len(fake_wechat.calls_to("custom")) == 1  # never retried


@pytest.mark.parametrize("fault", [{"errcode": -1}, {"status": 503}])
def test_transient_errors_retry_with_backoff_then_send(rt, fake_wechat, fault):
    fake_wechat.fail("custom", times=2, **fault)
    row_id = put(rt)
    assert outbox.deliver_due(rt).retry == [row_id]
    waiting = row(rt, row_id)
    assert (waiting.status, waiting.attempts) == ("pending", 1)
    assert waiting.next_attempt_at == FIXED_NOW + timedelta(seconds=30)
    assert outbox.deliver_due(rt, now=FIXED_NOW + timedelta(seconds=29)).handled == 0  # not due yet
    assert outbox.deliver_due(rt, now=FIXED_NOW + timedelta(seconds=30)).retry == [row_id]
    assert row(rt, row_id).next_attempt_at == FIXED_NOW + timedelta(seconds=30 + 60)  # doubled
    assert outbox.deliver_due(rt, now=FIXED_NOW + timedelta(seconds=90)).sent == [row_id]
    assert len(fake_wechat.sent) == 1 and row(rt, row_id).attempts == 3


def test_transient_errors_give_up_after_max_attempts(rt, fake_wechat):
    point_at(rt, fake_wechat, **{"outbound.max_attempts": 2})
    fake_wechat.fail("custom", errcode=-1, times=5)
    row_id = put(rt)
    outbox.deliver_due(rt)
    assert outbox.deliver_due(rt, now=FIXED_NOW + timedelta(hours=1)).failed == [row_id]
    assert row(rt, row_id).status == "failed" and "-1" in row(rt, row_id).last_error


def test_per_minute_limit_keeps_the_message_and_pauses_the_channel(rt, fake_wechat):
    member_seen(rt, "o_old", hours_ago=100)  # goes by template: a different channel
    fake_wechat.fail("custom", errcode=45011)
    first, second, third = put(rt), put(rt, openid="o_other"), put(rt, openid="o_old")
    report = outbox.deliver_due(rt)
    assert report.retry == [first] and report.sent == [second, third]
    limited = row(rt, first)
    assert (limited.status, limited.attempts) == ("pending", 0)  # a rate limit does not use up attempts
    assert limited.next_attempt_at == FIXED_NOW + timedelta(seconds=60)
    assert row(rt, second).channel == "template"  # kefu paused: the next channel carries it
    assert len(fake_wechat.calls_to("custom")) == 1
    rt.kv.delete(outbox.PAUSE_KEY + "kefu")  # the pause has expired
    assert outbox.deliver_due(rt, now=FIXED_NOW + timedelta(seconds=60)).sent == [first]


def test_daily_quota_waits_until_after_midnight(rt, fake_wechat):
    fake_wechat.fail("custom", errcode=45009)
    row_id = put(rt)
    outbox.deliver_due(rt)
    waiting = row(rt, row_id)
    assert waiting.status == "pending"
    assert rt.local(waiting.next_attempt_at).strftime("%m-%d %H:%M") == "11-27 00:01"


def test_no_answer_marks_unknown_and_never_resends(rt, fake_wechat):
    point_at(rt, fake_wechat, **{"outbound.read_timeout_seconds": 0.2})
    fake_wechat.fail("custom", delay=1.0)
    row_id = put(rt)
    assert outbox.deliver_due(rt).unknown == [row_id]
    unknown = row(rt, row_id)
    assert unknown.status == "unknown" and "可能已送达" in unknown.last_error
    outbox.deliver_due(rt, now=FIXED_NOW + timedelta(days=1))
    assert len(fake_wechat.calls_to("custom")) == 1


def test_no_answer_may_be_resent_when_configured(rt, fake_wechat):
    point_at(rt, fake_wechat, **{"outbound.read_timeout_seconds": 0.2, "outbound.resend_after_timeout": True})
    fake_wechat.fail("custom", delay=1.0)
    row_id = put(rt)
    assert outbox.deliver_due(rt).retry == [row_id]
    assert outbox.deliver_due(rt, now=FIXED_NOW + timedelta(minutes=1)).sent == [row_id]


# -- at most once ---------------------------------------------------------------------------------
def test_claimed_but_unsent_row_becomes_unknown_after_its_lease(rt, fake_wechat):
    """A worker that died between claiming and sending: the row is never resent blindly."""
    row_id = put(rt)
    assert outbox.claim(rt, row_id, FIXED_NOW) == 1
    assert outbox.deliver_due(rt, now=FIXED_NOW + timedelta(seconds=119)).handled == 0  # lease still running
    assert row(rt, row_id).status == "sending"
    report = outbox.deliver_due(rt, now=FIXED_NOW + timedelta(seconds=121))
    assert report.unknown == [row_id]
    assert row(rt, row_id).status == "unknown" and f"outbox retry {row_id}" in row(rt, row_id).last_error
    assert not fake_wechat.calls_to("custom")


def test_a_row_is_claimed_once(rt):
    row_id = put(rt)
    assert outbox.claim(rt, row_id, FIXED_NOW) == 1
    assert outbox.claim(rt, row_id, FIXED_NOW) is None


def test_parallel_workers_send_each_row_exactly_once(rt, fake_wechat):
    ids = [put(rt, openid=f"o_{i}", text=f"通知 {i}") for i in range(24)]
    reports = []

    def worker():
        reports.append(outbox.deliver_due(rt, limit=100))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    sent = [row_id for report in reports for row_id in report.sent]
    assert sorted(sent) == ids  # every row once, by exactly one worker
    assert sorted(c.body["touser"] for c in fake_wechat.sent) == sorted(f"o_{i}" for i in range(24))
    assert fake_wechat.token_fetches == 1


def test_only_ids_limits_the_run(rt, fake_wechat):
    first, second = put(rt), put(rt, openid="o_b")
    assert outbox.deliver_due(rt, only_ids=[second]).sent == [second]
    assert row(rt, first).status == "pending"


def test_not_before_delays_a_row(rt, fake_wechat):
    row_id = put(rt, not_before=FIXED_NOW + timedelta(hours=1))
    assert outbox.deliver_due(rt).handled == 0
    assert outbox.deliver_due(rt, now=FIXED_NOW + timedelta(hours=1)).sent == [row_id]


def test_enqueue_is_idempotent_per_dedup_key(rt):
    assert put(rt, dedup_key="review:1") == put(rt, dedup_key="review:1")


def test_staff_retry_resends_failed_rows_only(rt, fake_wechat):
    fake_wechat.fail("custom", errcode=43004)
    row_id = put(rt)
    outbox.deliver_due(rt)
    outbox.retry(rt, row_id)
    assert row(rt, row_id).status == "pending"
    assert outbox.deliver_due(rt).sent == [row_id]
    with pytest.raises(ValueError):
        outbox.retry(rt, row_id)  # already sent
    with pytest.raises(LookupError):
        outbox.retry(rt, 9999)


def test_outcome_of_a_reset_row_is_not_overwritten(rt, fake_wechat):
    """A slow send finishing after staff reset its row must not clobber the new state."""
    row_id = put(rt)
    attempt = outbox.claim(rt, row_id, FIXED_NOW)
    with rt.db.session() as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(status="unknown"))
    outbox.retry(rt, row_id)
    outbox._finish(rt, row_id, attempt, status="sent")
    with rt.db.session() as session:
        assert session.scalar(select(OutboxMessage.status).where(OutboxMessage.id == row_id)) == "pending"


# -- the outbox API owns every status change: requeue (the digest sends again) and cancel (reminders) ---------
def requeue(rt, row_id, **content) -> bool:
    with rt.db.session() as session:
        return outbox.requeue(rt, session, row_id, **content)


def test_requeue_gives_a_failed_row_fresh_content_and_fresh_attempts(rt, fake_wechat):
    fake_wechat.fail("custom", errcode=43004)
    row_id = put(rt)
    outbox.deliver_due(rt)
    assert row(rt, row_id).status == "failed" and row(rt, row_id).attempts == 1
    assert requeue(rt, row_id, text="新的内容")
    again = row(rt, row_id)
    assert (again.status, again.attempts, again.text) == ("pending", 0, "新的内容")
    assert outbox.deliver_due(rt).sent == [row_id]


def test_requeue_keeps_a_pending_rows_attempts_and_leaves_claimed_sent_and_unknown_rows_alone(rt, fake_wechat):
    pending = put(rt, not_before=FIXED_NOW + timedelta(hours=1))
    assert requeue(rt, pending, text="新") and row(rt, pending).next_attempt_at <= FIXED_NOW + timedelta(seconds=1)
    claimed = put(rt, text="b")
    outbox.claim(rt, claimed, FIXED_NOW)
    assert not requeue(rt, claimed, text="新") and row(rt, claimed).status == "sending"
    sent = put(rt, text="c")
    outbox.deliver_due(rt, only_ids=[sent])
    assert row(rt, sent).status == "sent" and not requeue(rt, sent, text="新")
    assert row(rt, sent).text == "c"


def test_cancel_withdraws_a_pending_row_for_good(rt, fake_wechat):
    row_id = put(rt)
    with rt.db.session() as session:
        outbox.cancel(session.get(OutboxMessage, row_id), "作废")
    assert (row(rt, row_id).status, row(rt, row_id).last_error) == ("cancelled", "作废")
    assert outbox.deliver_due(rt).handled == 0 and not requeue(rt, row_id, text="x")
