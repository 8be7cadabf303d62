"""Activities: capacity under concurrency, waitlist, leave, audience, 签到 codes and QR, edits, reminders."""
from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot import reminders, replies
from conftest import FIXED_NOW, TZ, add_member
from storage import activities, attendance
from storage.activities import NewActivity, SignupResult, Timing
from storage.models import Activity, Member, OutboxMessage, Signup


def make_activity(rt, title="读书分享会", kind="读书分享会", start=None, capacity=0, **extra) -> Activity:
    with rt.db.session() as session:
        return activities.create_activity(session, NewActivity(
            title=title, kind=kind, start_at=start or FIXED_NOW + timedelta(days=7), place="市政协三楼",
            capacity=capacity, **extra))


def statuses(rt, activity_id: int) -> dict[str, str]:
    with rt.db.session() as session:
        rows = session.execute(select(Member.name, Signup.status).join(Signup, Signup.member_id == Member.id)
                               .where(Signup.activity_id == activity_id))
        return dict(rows.all())


def outbox(rt, **where) -> list[OutboxMessage]:
    with rt.db.session() as session:
        return list(session.scalars(select(OutboxMessage).filter_by(**where).order_by(OutboxMessage.id)))


def at(rt, moment: datetime) -> None:
    rt.clock = lambda: moment


@pytest.fixture
def li(runtime):
    return add_member(runtime, "李四", "13800001111", openid="o_li")


@pytest.fixture
def wang(runtime):
    return add_member(runtime, "王五", "13800002222", openid="o_wang")


# --- capacity and waitlist ---------------------------------------------------------------------

def test_parallel_signups_never_exceed_capacity(runtime):
    """20 members sign up at once for 5 places, each in its own thread and session."""
    activity = make_activity(runtime, capacity=5)
    people = [add_member(runtime, f"委员{i}", f"1390000{i:04d}").id for i in range(20)]
    barrier = threading.Barrier(len(people))
    results, errors = [], []

    def sign(member_id: int) -> None:
        try:
            barrier.wait(timeout=10)
            with runtime.db.session() as session:
                member, row = session.get(Member, member_id), session.get(Activity, activity.id)
                results.append(activities.sign_up(session, row, member, FIXED_NOW))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sign, args=(mid,)) for mid in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert Counter(r.result for r in results) == {SignupResult.SIGNED: 5, SignupResult.WAITLISTED: 15}
    assert sorted(r.position for r in results if r.result is SignupResult.WAITLISTED) == list(range(1, 16))
    assert Counter(statuses(runtime, activity.id).values()) == {"signed": 5, "waitlist": 15}


def test_full_activity_waitlists_and_promotes_first_come(runtime, wechat, member, li, wang):
    make_activity(runtime, capacity=1)
    assert "报名成功" in wechat.say("o_li", "报名 A1")
    reply = wechat.say("o_zhang", "报名 A1")
    assert "名额已满" in reply and "候补" in reply and "第1位" in reply
    assert "第2位" in wechat.say("o_wang", "报名 A1")
    assert "第1位" in wechat.say("o_zhang", "报名 A1")          # asking again: still first
    assert "候补第2位" in wechat.say("o_wang", "近期活动")
    assert "已取消报名" in wechat.say("o_li", "取消报名 A1")
    assert statuses(runtime, 1) == {"李四": "cancelled", "张三": "signed", "王五": "waitlist"}
    [notice] = outbox(runtime, openid="o_zhang")
    assert notice.text.startswith("候补成功") and "A1" in notice.text and notice.kind == "notice"
    assert "候补第1位" in wechat.say("o_wang", "近期活动")
    assert "退出" in wechat.say("o_wang", "取消报名 A1")          # leaving the waitlist promotes nobody
    assert outbox(runtime, openid="o_wang") == []
    assert "第1位" in wechat.say("o_li", "报名 A1")                 # rejoining queues at the end


def test_promotion_notice_is_sent_once_per_waitlist_episode(runtime, member, li):
    activity = make_activity(runtime, capacity=1)
    with runtime.db.session() as session:
        zhang, lisi, row = session.get(Member, member.id), session.get(Member, li.id), session.get(Activity, activity.id)
        activities.sign_up(session, row, lisi, FIXED_NOW)
        activities.sign_up(session, row, zhang, FIXED_NOW)
        promoted = activities.cancel_signup(session, row, lisi, FIXED_NOW).promoted
        assert [s.member_id for s in promoted] == [member.id]
        assert reminders.notify_promoted(runtime, session, promoted) == 1
        reminders.notify_promoted(runtime, session, promoted)   # a replay makes no second message
    assert len(outbox(runtime, openid="o_zhang")) == 1


def test_unlimited_capacity_never_waitlists(runtime, wechat, member):
    make_activity(runtime, capacity=0)
    assert "报名成功" in wechat.say("o_zhang", "报名 A1")


# --- leave -------------------------------------------------------------------------------------

def test_leave_with_reason_frees_the_place(runtime, wechat, member, li):
    make_activity(runtime, capacity=1)
    wechat.say("o_zhang", "报名 A1")
    wechat.say("o_li", "报名 A1")
    reply = wechat.say("o_zhang", "请假 A1 出差")
    assert "已为您登记请假" in reply and "出差" in reply
    with runtime.db.session() as session:
        row = session.scalar(select(Signup).where(Signup.member_id == member.id))
        assert (row.status, row.reason) == ("leave", "出差")
    assert statuses(runtime, 1)["李四"] == "signed"
    assert len(outbox(runtime, openid="o_li")) == 1
    assert "无需重复请假" in wechat.say("o_zhang", "请假 A1 出差")


def test_leave_asks_for_the_reason(runtime, wechat, member):
    make_activity(runtime)
    wechat.say("o_zhang", "报名 A1")
    assert wechat.say("o_zhang", "请假 A1") == replies.LEAVE_ASK_REASON.format(code="A1", title="读书分享会")
    assert "身体不适" in wechat.say("o_zhang", "身体不适")
    assert statuses(runtime, 1) == {"张三": "leave"}


def test_leave_from_waitlist_just_drops_it(runtime, wechat, member, li):
    make_activity(runtime, capacity=1)
    wechat.say("o_li", "报名 A1")
    wechat.say("o_zhang", "报名 A1")
    assert "退出候补" in wechat.say("o_zhang", "请假 A1 出差")
    assert statuses(runtime, 1) == {"李四": "signed", "张三": "cancelled"}


def test_leave_refused_when_not_signed_or_started(runtime, wechat, member):
    make_activity(runtime)
    make_activity(runtime, title="视察", kind="视察", start=FIXED_NOW + timedelta(hours=1))
    assert "无需请假" in wechat.say("o_zhang", "请假 A1 出差")
    wechat.say("o_zhang", "报名 A2")
    at(runtime, FIXED_NOW + timedelta(hours=2))
    assert "联系政协办公室" in wechat.say("o_zhang", "请假 A2 出差")
    assert statuses(runtime, 2) == {"张三": "signed"}


# --- audience ----------------------------------------------------------------------------------

def test_audience_limits_listing_and_signup(runtime, wechat, member, li):
    make_activity(runtime, title="达拉特旗委员座谈", kind="界别活动", audience="达旗")
    make_activity(runtime, title="经济界读书会", audience="经济界，准旗")
    with runtime.db.session() as session:
        assert activities.by_code(session, "A1").audience == "达拉特旗"
        assert activities.by_code(session, "A2").audience == "经济界,准格尔旗"
    listing = wechat.say("o_zhang", "近期活动")                      # 张三: 经济界, 东胜区
    assert "A2" in listing and "A1" not in listing
    reply = wechat.say("o_zhang", "报名 A1")
    assert "达拉特旗" in reply and "不在参加范围" in reply
    assert statuses(runtime, 1) == {}
    dala = add_member(runtime, "巴特尔", "13800003333", sector="医药卫生界", district="达拉特旗", openid="o_bt")
    assert "报名成功" in wechat.say("o_bt", "报名 A1") and dala.id


# --- 签到 ---------------------------------------------------------------------------------------

def test_code_is_valid_only_in_the_window(runtime, wechat, member):
    start = FIXED_NOW + timedelta(hours=2)
    activity = make_activity(runtime, start=start, end_at=start + timedelta(hours=2))
    with runtime.db.session() as session:
        code = attendance.assign_code(session, session.get(Activity, activity.id), Timing())
    assert len(code) == 4 and code.isdigit()
    wechat.say("o_zhang", "报名 A1")
    assert "还未开始签到" in wechat.say("o_zhang", f"签到 {code}")
    at(runtime, start - timedelta(minutes=30))
    assert "签到成功" in wechat.say("o_zhang", f"签到 {code}")
    assert "无需重复签到" in wechat.say("o_zhang", f"签到 {code}")
    at(runtime, start + timedelta(hours=2, minutes=1))
    assert "已经结束" in wechat.say("o_zhang", f"签到 {code}")
    assert "不正确" in wechat.say("o_zhang", "签到 0000")


def test_window_uses_default_duration_without_end(runtime, wechat, member):
    start = FIXED_NOW - timedelta(hours=2, minutes=59)
    activity = make_activity(runtime, start=start)
    with runtime.db.session() as session:
        code = attendance.assign_code(session, session.get(Activity, activity.id), Timing())
    assert "签到成功" in wechat.say("o_zhang", f"签到 {code}")       # default 180 minutes: still open
    runtime.config = runtime.config.with_overrides({"activities.default_duration_minutes": 120})
    add_member(runtime, "李四", "13800001111", openid="o_li")
    assert "已经结束" in wechat.say("o_li", f"签到 {code}")


def test_codes_differ_between_overlapping_activities(runtime, monkeypatch):
    first = make_activity(runtime, start=FIXED_NOW + timedelta(hours=1))
    second = make_activity(runtime, start=FIXED_NOW + timedelta(hours=2))
    later = make_activity(runtime, start=FIXED_NOW + timedelta(days=3))
    draws = iter([234, 234, 235, 234])                          # 1000 + n
    monkeypatch.setattr(attendance.secrets, "randbelow", lambda n: next(draws))
    with runtime.db.session() as session:
        codes = [attendance.assign_code(session, session.get(Activity, a.id), Timing())
                 for a in (first, second, later)]
    assert codes == ["1234", "1235", "1234"]                   # reused only where windows do not overlap
    with runtime.db.session() as session:
        assert attendance.assign_code(session, session.get(Activity, first.id), Timing()) == "1234"  # stable


def test_walk_in_is_recorded_as_attended(runtime, wechat, member):
    activity = make_activity(runtime, start=FIXED_NOW - timedelta(minutes=10))
    with runtime.db.session() as session:
        code = attendance.assign_code(session, session.get(Activity, activity.id), Timing())
    reply = wechat.say("o_zhang", f"签到 {code}")
    assert "签到成功" in reply and "未报名" in reply
    with runtime.db.session() as session:
        row = session.scalar(select(Signup))
        assert row.status == "walkin" and row.attended_at is not None


def test_attend_without_code_asks_for_it(runtime, wechat, member):
    activity = make_activity(runtime, start=FIXED_NOW + timedelta(minutes=10))
    with runtime.db.session() as session:
        code = attendance.assign_code(session, session.get(Activity, activity.id), Timing())
    assert wechat.say("o_zhang", "签到") == replies.ATTEND_ASK_CODE
    assert "签到成功" in wechat.say("o_zhang", code)


def test_qr_scan_signs_in(runtime, wechat, member):
    make_activity(runtime, start=FIXED_NOW + timedelta(minutes=20))
    wechat.say("o_zhang", "报名 A1")
    reply = wechat.event("o_zhang", "SCAN", "A1")
    assert "签到成功" in reply and "A1" in reply and "未报名" not in reply
    with runtime.db.session() as session:
        assert session.scalar(select(Signup)).attended_at is not None
    assert wechat.event("o_zhang", "SCAN", "B7") == ""            # some other QR code: nothing to say


def test_subscribe_by_qr_signs_in_bound_member_and_welcomes_strangers(runtime, wechat, member):
    make_activity(runtime, start=FIXED_NOW + timedelta(minutes=20))
    assert "签到成功" in wechat.event("o_zhang", "subscribe", "qrscene_A1")
    stranger = wechat.event("o_new", "subscribe", "qrscene_A1")
    assert stranger.startswith(replies.WELCOME.format(org="鄂尔多斯市政协")) and "再扫一次" in stranger
    assert "绑定" in wechat.event("o_new2", "SCAN", "A1")
    assert wechat.event("o_new3", "subscribe") == replies.WELCOME.format(org="鄂尔多斯市政协")
    with runtime.db.session() as session:
        assert session.query(Signup).count() == 1


# --- reminders ---------------------------------------------------------------------------------

def test_reminders_day_before_once_per_member(runtime, member, li, wang):
    tomorrow = datetime(2026, 11, 27, 14, 30, tzinfo=TZ)
    activity = make_activity(runtime, start=tomorrow, capacity=2)
    make_activity(runtime, title="视察", kind="视察", start=tomorrow + timedelta(days=1))
    with runtime.db.session() as session:
        row = session.get(Activity, activity.id)
        for person in (member, li, wang):
            activities.sign_up(session, row, session.get(Member, person.id), FIXED_NOW)
    assert reminders.send_due(runtime, datetime(2026, 11, 26, 8, 0, tzinfo=TZ)) == 0   # before reminder_time
    assert reminders.send_due(runtime, FIXED_NOW) == 2                                  # the waitlist gets none
    assert reminders.send_due(runtime, FIXED_NOW + timedelta(hours=3)) == 0
    rows = outbox(runtime, kind="reminder")
    assert {r.openid for r in rows} == {"o_zhang", "o_li"}
    assert rows[0].dedup_key == f"reminder:{activity.id}:{member.id}:2026-11-27T06:30:00+00:00"
    assert "明天" in rows[0].text and "A1" in rows[0].text


def test_rescheduled_activity_cancels_old_reminder(runtime, cli, member):
    start = datetime.now(TZ).replace(second=0, microsecond=0) + timedelta(days=1)
    activity = make_activity(runtime, start=start)
    today = start - timedelta(days=1)
    with runtime.db.session() as session:
        activities.sign_up(session, session.get(Activity, activity.id), session.get(Member, member.id), today)
    assert reminders.send_due(runtime, today.replace(hour=23, minute=0)) == 1
    new_start = start + timedelta(hours=1) if start.hour < 22 else start - timedelta(hours=1)
    code, out, _ = cli("activities", "edit", "A1", "--start", new_start.strftime("%Y-%m-%d %H:%M"))
    assert code == 0 and "已通知 1 位" in out
    old = outbox(runtime, kind="reminder")
    assert [r.status for r in old] == ["cancelled"] and "时间已变更" in old[0].last_error
    [notice] = outbox(runtime, kind="notice")
    assert notice.text.startswith("活动变更通知") and "（原" in notice.text
    assert reminders.send_due(runtime, today.replace(hour=23, minute=30)) == 1
    assert [r.status for r in outbox(runtime, kind="reminder")] == ["cancelled", "pending"]


def test_cancelling_drops_the_pending_reminder(runtime, wechat, member):
    make_activity(runtime, start=datetime(2026, 11, 27, 9, 0, tzinfo=TZ))
    wechat.say("o_zhang", "报名 A1")
    reminders.send_due(runtime, FIXED_NOW)
    wechat.say("o_zhang", "取消报名 A1")
    assert [r.status for r in outbox(runtime, kind="reminder")] == ["cancelled"]


# --- CLI ---------------------------------------------------------------------------------------

def test_cli_edit_capacity_promotes_and_notifies(runtime, cli, member, li, wang):
    code, out, _ = cli("activities", "add", "--title", "乡村医疗视察", "--kind", "视察",
                       "--start", "2030-05-10 09:00", "--capacity", "1", "--audience", "东胜, 经济界")
    assert code == 0 and out.startswith("A1")
    with runtime.db.session() as session:
        row = session.get(Activity, 1)
        assert row.audience == "东胜区,经济界"
        for person in (member, li, wang):
            activities.sign_up(session, row, session.get(Member, person.id), FIXED_NOW)
    code, out, _ = cli("activities", "edit", "A1", "--capacity", "3", "--place", "伊金霍洛旗")
    assert code == 0 and "候补递补 2 人" in out and "已通知 3 位" in out
    assert set(statuses(runtime, 1).values()) == {"signed"}
    assert len(outbox(runtime, kind="notice", openid="o_li")) == 2   # promoted + place changed
    code, out, _ = cli("activities", "list")
    assert "3/3" in out and "东胜区,经济界" in out


@pytest.mark.parametrize("args,message", [
    (["--kind", "聚餐"], "未知类别"),
    (["--deadline", "2030-06-01 10:00"], "截止时间"),
    (["--end", "2030-05-10 08:00"], "结束时间"),
    ([], "没有要修改"),
])
def test_cli_edit_rejects_bad_input(runtime, cli, args, message):
    cli("activities", "add", "--title", "T", "--start", "2030-05-10 09:00")
    code, _, err = cli("activities", "edit", "A1", *args)
    assert code == 2 and message in err


def test_cli_edit_unknown_code(runtime, cli):
    code, _, err = cli("activities", "edit", "A9", "--title", "X")
    assert code == 2 and "A9" in err


def test_cli_code_prints_code_and_window(runtime, cli):
    cli("activities", "add", "--title", "委员讲堂", "--kind", "委员讲堂", "--start", "2030-05-10 09:00",
        "--end", "2030-05-10 11:30")
    code, out, _ = cli("activities", "code", "A1")
    assert code == 0 and "2030-05-10 08:30 至 2030-05-10 11:30" in out
    with runtime.db.session() as session:
        stored = session.get(Activity, 1).checkin_code
    assert f"签到码：{stored}" in out and f"签到 {stored}" in out
    assert cli("activities", "code", "A1")[1] == out                       # the same code every time


# --- staff: roster and cancellation --------------------------------------------------------------

def test_staff_see_the_roster_and_cancel_with_notices(runtime, wechat, cli, member, li, wang):
    make_activity(runtime, capacity=1)
    wechat.say("o_zhang", "报名 A1")
    wechat.say("o_li", "报名 A1")  # waitlisted
    code, out, _ = cli("activities", "show", "A1")
    assert code == 0 and "张三" in out and "已报名" in out and "李四" in out and "候补" in out
    assert "合计：已报名 1，候补 1" in out
    code, out, _ = cli("activities", "cancel", "A1", "--reason", "场地调整")
    assert code == 0 and "已通知 2 位" in out
    cancelled = [n for n in outbox(runtime, kind="notice") if "活动取消通知" in n.text]
    assert {n.openid for n in cancelled} == {"o_zhang", "o_li"} and all("场地调整" in n.text for n in cancelled)
    assert "已取消" in wechat.say("o_wang", "报名 A1")
    assert "A1" not in wechat.say("o_wang", "近期活动")
    assert cli("activities", "cancel", "A1")[0] == 2


def test_roster_marks_absence_after_the_end(runtime, wechat, cli, member, li):
    past = make_activity(runtime, start=datetime.now(TZ) - timedelta(days=2))
    with runtime.db.session() as session:
        session.add_all([Signup(activity_id=past.id, member_id=member.id, status="signed"),
                         Signup(activity_id=past.id, member_id=li.id, status="signed",
                                attended_at=datetime.now(TZ) - timedelta(days=2))])
    code, out, _ = cli("activities", "show", past.code)
    assert "张三" in out and "缺席" in out and "已签到" in out
    assert cli("activities", "cancel", past.code)[0] == 2  # too late to cancel
