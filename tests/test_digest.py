"""Staff daily digest: contents on seeded data, idempotent sends, the signed page link. Both back ends."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from bot import digest as dg
from bot import outbox
from bot.wording import digest as wording
from bot.runtime import Runtime
from bot.signed_links import digest_path, make_token
from storage.digest_figures import DayCount
from storage.models import Activity, Checkin, Member, OutboxMessage, Report, Signup
from conftest import FIXED_NOW, TZ, add_member
from fake_wechat import fake_wechat, point_at  # noqa: F401 - the fixture

DAY = date(2026, 11, 25)  # FIXED_NOW is 2026-11-26 10:00: the digest covers the day before


def local(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


def with_config(rt: Runtime, **overrides) -> Runtime:
    return Runtime(config=rt.config.with_overrides(overrides), db=rt.db, kv=rt.kv, clock=rt.clock)


def add_report(rt, member: Member, n: int, created: datetime, *, status="已提交", district="东胜区",
               category="民生保障", title=None) -> None:
    with rt.db.session() as s:
        s.add(Report(receipt_no=f"SQ2026-{n:04d}", member_id=member.id, text="正文" * 10,
                     title=title or f"问题{n}", category=category, district=district, status=status,
                     created_at=created))


def add_checkin(rt, member: Member, day: date, minutes: int) -> None:
    with rt.db.session() as s:
        s.add(Checkin(member_id=member.id, day=day, minutes=minutes, material="学习材料"))


def add_activity(rt, code: str, start: datetime, capacity: int = 0, status: str = "open") -> int:
    with rt.db.session() as s:
        activity = Activity(code=code, title=f"活动{code}", start_at=start, capacity=capacity, status=status,
                            place="市政协三楼")
        s.add(activity)
        s.flush()
        return activity.id


def add_signup(rt, activity_id: int, member: Member, status: str = "signed", created: datetime | None = None):
    with rt.db.session() as s:
        s.add(Signup(activity_id=activity_id, member_id=member.id, status=status,
                     created_at=created or local(2026, 11, 1, 9)))


@pytest.fixture
def seeded(runtime):
    return seed(runtime)


def seed(rt: Runtime) -> dict[str, list[Member]]:
    """Five members, two bound staff and one unbound, with reports, check-ins and sign-ups around DAY."""
    m = [add_member(rt, f"委员{i}", f"1390000000{i}", district=d)
         for i, d in enumerate(["东胜区", "东胜区", "康巴什区", "", "杭锦旗"])]
    staff = [add_member(rt, "王秘书", "13800000001", role="staff", openid="o_staff1"),
             add_member(rt, "李干事", "13800000002", role="staff", openid="o_staff2"),
             add_member(rt, "赵主任", "13800000003", role="staff")]
    # new reports: the local day's bounds, not UTC's
    add_report(rt, m[0], 1, local(2026, 11, 25, 0, 0), title="供暖不足")
    add_report(rt, m[1], 2, local(2026, 11, 25, 23, 59), district="东胜区", category="交通出行")
    add_report(rt, m[2], 3, local(2026, 11, 25, 12), district="康巴什区", status="已采用")
    add_report(rt, m[3], 4, local(2026, 11, 25, 13), district="")
    add_report(rt, m[0], 5, local(2026, 11, 24, 23, 59))                     # the day before
    add_report(rt, m[0], 6, local(2026, 11, 26, 0, 0))                       # the day after
    # overdue: waiting (已提交) since more than 7 days before the end of DAY
    add_report(rt, m[1], 7, local(2026, 11, 10, 9), title="老旧小区改造")
    add_report(rt, m[2], 8, local(2026, 11, 18, 9))                          # 7 days 15 h: overdue
    add_report(rt, m[2], 9, local(2026, 11, 19, 9))                          # 6 days 15 h: not yet
    add_report(rt, m[2], 10, local(2026, 11, 1, 9), status="已采用")          # reviewed
    # check-ins on DAY: two members, one twice; staff do not count
    add_checkin(rt, m[0], DAY, 30)
    add_checkin(rt, m[0], DAY, 45)
    add_checkin(rt, m[1], DAY, 60)
    add_checkin(rt, staff[0], DAY, 20)
    add_checkin(rt, m[2], DAY - timedelta(days=40), 30)                    # too old for "active"
    # activities: upcoming (after DAY), past, cancelled
    a1 = add_activity(rt, "A1", local(2026, 11, 28, 14, 30), capacity=2)
    a2 = add_activity(rt, "A2", local(2026, 12, 3, 9))
    past = add_activity(rt, "A3", local(2026, 11, 20, 9), capacity=10)
    add_activity(rt, "A4", local(2026, 12, 5, 9), status="cancelled")
    add_signup(rt, a1, m[0], created=local(2026, 11, 25, 10))
    add_signup(rt, a1, m[1])
    add_signup(rt, a1, m[3], "waitlist", created=local(2026, 11, 25, 11))
    add_signup(rt, a1, m[4], "cancelled", created=local(2026, 11, 25, 12))
    add_signup(rt, a2, m[0], "leave")
    add_signup(rt, past, m[4], created=local(2026, 9, 1, 9))
    return {"members": m, "staff": staff}


# --- contents --------------------------------------------------------------------------------
def test_digest_contents(runtime, seeded):
    d = dg.build_digest(runtime, DAY)
    assert [r.receipt_no for r in d.new_reports] == ["SQ2026-0001", "SQ2026-0003", "SQ2026-0004", "SQ2026-0002"]
    assert d.new_reports[0].title == "供暖不足" and d.new_reports[0].member == "委员0"
    assert dict(d.by_district) == {"东胜区": 2, "康巴什区": 1, wording.TEXT["unknown_district"]: 1}
    assert dict(d.by_category) == {"民生保障": 3, "交通出行": 1}
    assert d.overdue_total == 2
    assert [(r.receipt_no, r.waited_days) for r in d.overdue_reports] == [("SQ2026-0007", 15), ("SQ2026-0008", 7)]
    assert (d.checkin_members, d.checkin_count, d.checkin_minutes) == (2, 3, 135)
    assert d.member_total == 5 and d.study_share == pytest.approx(0.4)
    assert [(a.code, a.capacity, a.signed, a.waitlist, a.leave, a.new_signups) for a in d.activities] == [
        ("A1", 2, 2, 1, 0, 2), ("A2", 0, 0, 0, 1, 0)]
    assert d.activities[0].fill == 1.0 and d.activities[1].fill is None
    assert d.new_signups == 2
    # active in the last 30 days: m0, m1 (check-ins), m2, m3 (reports); m4 only cancelled / long ago
    assert d.inactive_members == 1
    assert len(d.series) == 30 and d.series[-1] == DayCount(DAY, 4, 3)
    assert d.series[0].day == DAY - timedelta(days=29)
    assert sum(p.reports for p in d.series) == 4 + 1 + 4  # DAY, 11-24, and reports 7-10 (11-01 .. 11-19)
    assert not d.is_quiet


def test_attending_counts_as_activity(runtime, seeded):
    with runtime.db.session() as s:
        signup = s.scalar(select(Signup).where(Signup.member_id == seeded["members"][4].id,
                                               Signup.status == "signed"))
        signup.attended_at = local(2026, 11, 20, 9, 30)
    assert dg.build_digest(runtime, DAY).inactive_members == 0


def test_render_text(runtime, seeded):
    text = dg.render_text(dg.build_digest(runtime, DAY))
    assert text.startswith("【鄂尔多斯市政协履职日报】2026年11月25日（星期三）")
    for line in ("一、社情民意：新增 4 条", "按旗区：东胜区 2、康巴什区 1、未填旗区 1", "SQ2026-0001《供暖不足》— 委员0",
                 "待审核超过 7 天：2 条", "SQ2026-0007《老旧小区改造》— 委员1，已等待 15 天",
                 "二、学习打卡：2 人打卡 3 次，共 135 分钟；委员学习率 40.0%（2/5）",
                 "A1 活动A1（11月28日 14:30）：已报名 2/2，候补 1，请假 0，当日新增 2",
                 "A2 活动A2（12月3日 09:00）：已报名 0（不限名额）", "四、近30天无履职记录的委员：1 人"):
        assert line in text
    assert wording.TEXT["quiet"] not in text


def test_quiet_day_still_has_a_digest(runtime):
    add_member(runtime, "委员甲", "13900000009")
    d = dg.build_digest(runtime, DAY)
    assert d.is_quiet and d.member_total == 1 and d.inactive_members == 1
    text = dg.render_text(d)
    assert wording.TEXT["quiet"] in text and "新增 0 条" in text and wording.TEXT["activities_none"] in text
    brief = dg.template_message(runtime, d, "https://x")["brief"]
    assert brief["state"] == wording.BRIEF["state_quiet"] and brief["detail"].startswith("当日无新增")


def test_message_text_keeps_the_link_when_cut(runtime, seeded):
    d = dg.build_digest(runtime, DAY)
    text = dg.message_text(d, "https://zx.example.cn/digest/x", 300)
    assert len(text.encode("utf-8")) <= 300 and text.endswith("https://zx.example.cn/digest/x")
    assert "……" in text


# --- sending -------------------------------------------------------------------------------
def unreachable(*args, **kwargs):
    raise ConnectionError("WeChat API unreachable")


class FakeSender:
    """Stands in for bot.outbox.deliver_due: marks rows sent, or failed for openids in `failing`."""

    def __init__(self, failing=()):
        self.failing = set(failing)
        self.delivered: list[str] = []

    def __call__(self, rt, limit=None, only_ids=None):
        with rt.db.session() as s:
            for row in s.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(only_ids or []),
                                                             OutboxMessage.status == "pending")):
                row.attempts += 1
                row.status = "failed" if row.openid in self.failing else "sent"
                self.delivered.append(row.openid)


def outbox_rows(rt) -> dict[str, OutboxMessage]:
    with rt.db.session() as s:
        return {row.dedup_key: row for row in s.scalars(select(OutboxMessage))}


def test_send_is_idempotent_and_retries_failures(runtime, seeded, monkeypatch):
    staff = seeded["staff"]
    sender = FakeSender(failing={"o_staff2"})
    monkeypatch.setattr(outbox, "deliver_due", sender)

    first = dg.send_for_day(runtime, DAY)
    assert (first.staff, first.new, first.sent, first.failed) == (2, 2, 1, ["李干事"])
    assert sender.delivered == ["o_staff1", "o_staff2"]
    rows = outbox_rows(runtime)
    assert set(rows) == {f"digest:2026-11-25:{staff[0].id}", f"digest:2026-11-25:{staff[1].id}"}
    assert all(r.kind == "digest" and "一、社情民意：新增 4 条" in r.text for r in rows.values())

    sender.failing.clear()
    second = dg.send_for_day(runtime, DAY)
    assert (second.already_sent, second.retried, second.sent, second.failed) == (1, 1, 1, [])
    assert sender.delivered[2:] == ["o_staff2"]
    assert "重试 1 人（上次发送失败）。" in second.lines()

    third = dg.send_for_day(runtime, DAY)
    assert (third.already_sent, third.new, third.retried, third.sent) == (2, 0, 0, 0)
    assert sender.delivered[3:] == []
    assert third.lines() == ["2026年11月25日 的日报之前已发送，未重复发送（2 人）。"]
    assert len(outbox_rows(runtime)) == 2


def test_send_through_the_real_outbox(runtime, seeded, fake_wechat):  # noqa: F811
    """End to end against the fake WeChat API: template outside the 48-hour window, kefu inside."""
    rt = point_at(runtime, fake_wechat, **{"wechat.templates.digest": "TPL-DIGEST",
                                           "digest.base_url": "https://zx.example.cn"})
    with rt.db.session() as s:
        s.get(Member, seeded["staff"][0].id).last_message_at = FIXED_NOW - timedelta(hours=1)
    fake_wechat.refuse("o_staff2", 43004)  # not following: a permanent failure

    first = dg.send_for_day(rt, DAY)
    assert (first.sent, first.failed) == (1, ["李干事"])
    [kefu] = fake_wechat.sent_to("o_staff1")
    assert kefu.endpoint == "custom" and kefu.body["text"]["content"].startswith("【鄂尔多斯市政协履职日报】")
    assert "https://zx.example.cn/digest/2026-11-25?token=" in kefu.body["text"]["content"]

    fake_wechat.refused.clear()
    second = dg.send_for_day(rt, DAY)
    assert (second.already_sent, second.retried, second.sent) == (1, 1, 1)
    [template] = fake_wechat.sent_to("o_staff2")
    assert template.endpoint == "template" and template.body["template_id"] == "TPL-DIGEST"
    assert template.body["url"].startswith("https://zx.example.cn/digest/2026-11-25?token=")
    assert template.body["data"] == {"thing1": {"value": "鄂尔多斯市政协履职日报"}, "phrase3": {"value": "有超期"},
                                     "time4": {"value": "2026年11月25日"}, "thing5": {"value": "新增社情民意4条，超期2条"}}

    third = dg.send_for_day(rt, DAY)
    assert third.already_sent == 2 and len(fake_wechat.sent) == 2


def test_send_leaves_rows_of_unknown_fate_to_staff(runtime, seeded, monkeypatch):
    """A row that may have been delivered (WeChat never answered) is not resent automatically."""
    sender = FakeSender()
    monkeypatch.setattr(outbox, "deliver_due", unreachable)
    dg.send_for_day(runtime, DAY)  # queued only
    with runtime.db.session() as s:
        row = s.scalar(select(OutboxMessage).where(OutboxMessage.openid == "o_staff2"))
        row.status, row_id = "unknown", row.id
    monkeypatch.setattr(outbox, "deliver_due", sender)
    summary = dg.send_for_day(runtime, DAY)
    assert sender.delivered == ["o_staff1"] and summary.unknown == {row_id: "李干事"}
    assert any(f"编号：{row_id}" in line and "outbox retry" in line for line in summary.lines())


def test_send_with_api_unreachable_leaves_rows_queued(runtime, seeded, monkeypatch):
    monkeypatch.setattr(outbox, "deliver_due", unreachable)
    summary = dg.send_for_day(runtime, DAY)
    assert (summary.new, summary.queued, summary.sent) == (2, 2, 0)
    again = dg.send_for_day(runtime, DAY)
    assert (again.new, again.queued) == (0, 2)  # still pending: queued once, not twice
    rows = outbox_rows(runtime).values()
    assert len(rows) == 2 and {r.status for r in rows} == {"pending"}
    assert all(r.next_attempt_at <= FIXED_NOW for r in rows)


def test_send_without_staff(runtime, monkeypatch):
    monkeypatch.setattr(outbox, "deliver_due", FakeSender())
    assert dg.send_for_day(runtime, DAY).lines() == [wording.SEND["no_staff"]]


def test_template_message_carries_figures_and_link(runtime, seeded, monkeypatch):
    monkeypatch.setattr(outbox, "deliver_due", FakeSender())
    rt = with_config(runtime, **{"wechat.templates.digest": "TPL-DIGEST", "digest.base_url": "https://zx.example.cn/"})
    dg.send_for_day(rt, DAY)
    row = next(iter(outbox_rows(rt).values()))
    template = row.template
    assert template["url"].startswith("https://zx.example.cn/digest/2026-11-25?token=")
    assert template["brief"] == {"subject": "鄂尔多斯市政协履职日报", "state": "有超期", "time": "2026年11月25日",
                                 "detail": "新增社情民意4条，超期2条"}  # the figures' headline; the page has the rest
    assert row.text.endswith(template["url"])


def test_without_digest_base_url_the_template_has_no_link(runtime, seeded):
    """The outbox picks wechat.templates.digest, else the `notice` template, with these short values."""
    d = dg.build_digest(runtime, DAY)
    assert dg.template_message(runtime, d, "https://x/digest/2026-11-25?token=t")["url"] == \
        "https://x/digest/2026-11-25?token=t"
    assert dg.template_message(runtime, d, "/digest/2026-11-25?token=t")["url"] == ""  # no digest.base_url


def test_scheduled_send_covers_yesterday(runtime, seeded, monkeypatch):
    monkeypatch.setattr(outbox, "deliver_due", FakeSender())
    summary = dg.send_scheduled(runtime, local(2026, 11, 26, 8, 30))
    assert summary.day == DAY and summary.sent == 2
    assert dg.send_scheduled(runtime, local(2026, 11, 26, 8, 31)).already_sent == 2


# --- the signed page -------------------------------------------------------------------------
@pytest.fixture
def client(runtime):
    from bot.web import register

    app = Flask(__name__)
    register(app, runtime)
    return app.test_client()


def test_digest_page_with_valid_link(runtime, seeded, client):
    add_report(runtime, seeded["members"][4], 99, local(2026, 11, 25, 15), title="<script>alert(1)</script>")
    resp = client.get(digest_path(runtime, DAY))
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "<svg" in html and "<script" not in html and "&lt;script&gt;alert(1)" in html  # member text escaped
    for part in ("履职日报", "2026年11月25日", "SQ2026-0001", "供暖不足", "老旧小区改造", "40.0%", "@media print"):
        assert part in html
    assert resp.headers["Cache-Control"] == "private, no-store"


def test_digest_page_refuses_tampered_and_foreign_tokens(runtime, seeded, client):
    token = make_token(runtime, DAY)
    other_day = make_token(runtime, DAY - timedelta(days=1))
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    forged = make_token(with_config(runtime, **{"digest.secret": "someone-else"}), DAY)
    for url in (f"/digest/2026-11-25?token={tampered}", f"/digest/2026-11-25?token={other_day}",
                f"/digest/2026-11-25?token={forged}", "/digest/2026-11-25", "/digest/2026-11-25?token=abc",
                f"/digest/not-a-date?token={token}"):
        resp = client.get(url)
        assert resp.status_code == 403, url
        assert wording.PAGE["denied_invalid"] in resp.get_data(as_text=True)


def test_digest_page_link_expires(runtime, seeded, client):
    path = digest_path(runtime, DAY)  # valid for digest.link_ttl_hours (72)
    runtime.clock = lambda: FIXED_NOW + timedelta(hours=71)
    assert client.get(path).status_code == 200
    runtime.clock = lambda: FIXED_NOW + timedelta(hours=72, seconds=1)
    resp = client.get(path)
    assert resp.status_code == 403 and wording.PAGE["denied_expired"] in resp.get_data(as_text=True)


def test_explicit_secret_signs_differently(runtime):
    rt = with_config(runtime, **{"digest.secret": "s3cret"})
    assert make_token(rt, DAY) != make_token(runtime, DAY)


# --- command line --------------------------------------------------------------------------
@pytest.fixture
def cli(runtime, monkeypatch):
    import bot.cli.digest as cli_digest
    from bot.cli import main

    monkeypatch.setattr(cli_digest, "runtime_for_cli", lambda migrate=True: runtime)
    return main


def test_cli_show_send_link(runtime, seeded, cli, capsys, monkeypatch):
    monkeypatch.setattr(outbox, "deliver_due", FakeSender())
    assert cli(["digest", "show", "--date", "2026-11-25"]) == 0
    assert "一、社情民意：新增 4 条" in capsys.readouterr().out
    assert cli(["digest", "send", "--date", "2026-11-25"]) == 0
    assert "已发送 2 人。" in capsys.readouterr().out
    assert cli(["digest", "send"]) == 0  # default: yesterday, already sent
    assert "之前已发送，未重复发送" in capsys.readouterr().out
    assert cli(["digest", "link", "--date", "2026-11-25"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("/digest/2026-11-25?token=") and "有效期至 2026-11-29 10:00" in out


def test_cli_refuses_bad_dates(runtime, cli, capsys):
    assert cli(["digest", "send", "--date", "2026-11-26"]) == 2  # today has not ended
    assert "还没有结束" in capsys.readouterr().err
    assert cli(["digest", "show", "--date", "2026-12-01"]) == 2
    with pytest.raises(SystemExit):
        cli(["digest", "show", "--date", "25.11.2026"])


def test_digest_page_is_served_by_the_webhook_app(runtime, seeded, app):
    resp = app.test_client().get(digest_path(runtime, DAY))
    assert resp.status_code == 200 and "供暖不足" in resp.get_data(as_text=True)


def test_digest_page_without_any_secret(runtime, seeded):
    from bot.web import register

    rt = with_config(runtime, **{"wechat.token": "", "wechat.secret": "", "digest.secret": ""})
    app = Flask(__name__)
    register(app, rt)
    resp = app.test_client().get("/digest/2026-11-25?token=abc")
    assert resp.status_code == 403 and wording.PAGE["denied_unconfigured"] in resp.get_data(as_text=True)


def test_chart_scale_and_highlight():
    from bot.svgchart import bar_chart, nice_ceiling

    assert [nice_ceiling(v) for v in (0, 1, 4, 11, 250, 1000)] == [1, 1, 5, 20, 500, 1000]
    svg = bar_chart([(DAY - timedelta(days=1), 3), (DAY, 7)], highlight="#c00", label="<x>")
    assert svg.count("<rect") == 2 and 'fill="#c00"><title>11/25: 7</title>' in svg
    assert 'class="value">7</text>' in svg and 'aria-label="&lt;x&gt;"' in svg


def test_digest_goes_out_without_a_link_when_no_secret_is_configured(runtime):
    from conftest import add_member
    from storage.models import OutboxMessage

    add_member(runtime, "王秘书", "13800000001", role="staff", openid="o_staff")
    runtime.config = runtime.config.with_overrides({"wechat.token": "", "wechat.secret": "", "digest.secret": ""})
    from bot.digest import send_for_day
    from datetime import date

    send_for_day(runtime, date(2026, 11, 25))
    with runtime.db.session() as session:
        row = session.query(OutboxMessage).filter_by(kind="digest").one()
        assert "/digest/" not in row.text and row.text
