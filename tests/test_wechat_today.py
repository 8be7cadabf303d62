"""WeChat as it is today (issue 13), against the loopback fake WeChat API on both back ends: template payloads under
the 2023 rules, 订阅通知 opt-ins, kefu quotas counted before sending, the channel order, delivery receipts, scene QR
codes, the custom menu, and what happens without AppID/AppSecret."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import activity_qr, digest as dg, outbox, reminders, report_review, template_data
from bot.signed_links import notice_url
from conftest import FIXED_NOW, add_member, advance_clock
from fake_wechat import fake_wechat, point_at, subscribe_popup_xml  # noqa: F401 - the fixture
from storage import activities, reports
from storage.activities import NewActivity
from storage.models import Activity, Member, OutboxMessage, Subscription
from storage.statuses import OutboxChannel, OutboxStatus

NOTICE_TPL, SUB_TPL = "TPL_NOTICE", "SUB_NOTICE"
LONG_TITLE = "关于进一步加强和改进城乡结合部老旧小区加装电梯与停车管理的建议🚗"


@pytest.fixture
def rt(runtime, fake_wechat):  # noqa: F811
    return point_at(runtime, fake_wechat, **{"wechat.templates.notice": NOTICE_TPL,
                                              "wechat.subscribe.notice.template_id": SUB_TPL,
                                              "digest.base_url": "https://zx.example.cn"})


def put(rt, openid="o_zhang", text="您的社情民意 SQ2026-0001 已被采用。\n说明：请继续关注", kind="notice", **kw) -> int:
    with rt.db.session() as session:
        return outbox.enqueue(session, openid=openid, text=text, kind=kind, **kw).id


def row(rt, row_id) -> OutboxMessage:
    with rt.db.session() as session:
        return session.get(OutboxMessage, row_id)


def member_wrote(rt, openid="o_zhang", hours_ago: float | None = 1, phone="13912345678") -> Member:
    member = add_member(rt, "张三", phone, openid=openid)
    with rt.db.session() as session:
        session.get(Member, member.id).last_message_at = None if hours_ago is None else \
            FIXED_NOW - timedelta(hours=hours_ago)
    return member


def opt_in(wechat, openid="o_zhang", choices=None):
    wechat.deliver(subscribe_popup_xml(openid, choices or {SUB_TPL: "accept"}), openid)
    assert wechat.last_status == 200


# -- template payloads under the 2023 rules ----------------------------------------------------------
def all_template_payloads(rt) -> list[tuple[str, dict]]:
    """Every template `data` the code builds: report notices (each action, author and seconder), waitlist
    promotion, reminder, change, cancellation, the digest, and a text-only row (someone else's notice)."""
    author = add_member(rt, "张三", "13912345678", openid="o_zhang")
    seconder = add_member(rt, "李四", "13912345679", openid="o_li")
    built: list[tuple[str, dict]] = []
    with rt.db.session() as session:
        for action, extra in [("adopt", {}), ("return", {"note": "请补充具体地点和时间，并附上照片" * 3}),
                              ("reject", {"note": "已有部门在办"}), ("forward", {"to": "市住房和城乡建设局及各旗区人民政府"}),
                              ("instruct", {"note": "请住建局牵头研究办理，月底前报送结果" * 2, "to": "市政府主要领导同志"}),
                              ("close", {"note": "已加装电梯12部" * 4})]:
            report = reports.create_report(session, session.get(Member, author.id), text=LONG_TITLE * 3,
                                           title=LONG_TITLE[:40], category="城乡建设", district="东胜区", now=FIXED_NOW,
                                           prefix="SQ")
            reports.add_second(session, report, session.get(Member, seconder.id), FIXED_NOW)
            if action in ("forward", "instruct", "close"):
                report_review.review(session, report.receipt_no, "adopt", actor="王秘书", now=FIXED_NOW)
            if action in ("instruct", "close"):
                report_review.review(session, report.receipt_no, "forward", actor="王秘书", now=FIXED_NOW,
                                     to="市住房和城乡建设局")
            note = extra.pop("note", "说明")
            report_review.review(session, report.receipt_no, action, actor="王秘书", now=FIXED_NOW, note=note, **extra)
        activity = activities.create_activity(session, NewActivity(
            title="“两会”精神学习暨界别协商座谈会（第三季度）专题", kind="专题协商会", start_at=FIXED_NOW + timedelta(days=1),
            place="市政协三楼第一会议室（东胜区鄂尔多斯西街）", capacity=0))
        for what in ("reminder", "promoted", "changed"):
            built.append((what, {"brief": reminders.activity_brief(rt, activity, what)}))
        built.append(("cancelled", {"brief": reminders.activity_brief(rt, activity, "cancelled", "天气原因" * 8)}))
    built.append(("digest", dg.template_message(rt, dg.build_digest(rt, FIXED_NOW.date()), "https://x/d")))
    with rt.db.session() as session:
        for r in session.scalars(select(OutboxMessage)):
            built.append((r.dedup_key, r.template or {}))
    built.append(("text only", {}))
    payloads = []
    for name, spec in built:
        values = spec.get("brief") or template_data.from_text("🎉" + LONG_TITLE * 2 + "\n第二行", FIXED_NOW)
        for fields in (rt.config.wechat.template_fields, rt.config.wechat.subscribe_fields):
            payloads.append((name, template_data.data_for(values, fields)))
    return payloads


def test_every_template_payload_keeps_the_2023_rules(rt):
    payloads = all_template_payloads(rt)
    assert len(payloads) >= 2 * 12
    for name, data in payloads:
        assert template_data.problems(data) == [], (name, data)
        assert data and not set(data) & {"first", "remark"}


def test_short_values_keep_numbers_and_states_whole():
    values = template_data.brief(template_data.title_subject("社情民意", LONG_TITLE), number="SQ2026-0123",
                                 state="已采用", time="2026-11-26 10:00", detail="第一行\n第二行😀")
    assert values == {"subject": "社情民意《关于进一步加强和改进城乡结…》", "number": "SQ2026-0123", "state": "已采用",
                      "time": "2026-11-26 10:00", "detail": "第一行 第二行"}
    assert template_data.problems({"first": {"value": "x"}, "keyword1": {"value": "一" * 21, "color": "#f00"}}) == [
        "first: not shown since 2023-05-04", "keyword1: colours are not shown", "keyword1: 21 characters (> 20)"]


def test_template_links_the_full_text_on_a_signed_page(rt, fake_wechat, app):
    member_wrote(rt, hours_ago=None)
    row_id = put(rt)
    assert outbox.deliver_due(rt).sent == [row_id]
    [call] = fake_wechat.sent
    assert call.endpoint == "template" and call.body["url"] == notice_url(rt, row_id)
    page = app.test_client().get(call.body["url"].removeprefix("https://zx.example.cn"))
    assert page.status_code == 200 and "说明：请继续关注" in page.get_data(as_text=True)
    assert app.test_client().get("/notice/forged").status_code == 403
    advance_clock(rt, 31 * 24 * 3600)
    assert app.test_client().get(call.body["url"].removeprefix("https://zx.example.cn")).status_code == 403


# -- channel order -----------------------------------------------------------------------------------
def test_kefu_inside_the_window(rt, fake_wechat, wechat):
    member_wrote(rt, hours_ago=47)
    opt_in(wechat)
    row_id = put(rt)
    outbox.deliver_due(rt)
    assert row(rt, row_id).channel == OutboxChannel.KEFU and fake_wechat.sent[0].endpoint == "custom"


def test_subscribe_where_opted_in_outside_the_window(rt, fake_wechat, wechat):
    member_wrote(rt, hours_ago=49)
    fake_wechat.subscribed("o_zhang", SUB_TPL)
    opt_in(wechat)
    first, second = put(rt), put(rt, text="第二条通知")
    outbox.deliver_due(rt)
    assert row(rt, first).channel == OutboxChannel.SUBSCRIBE
    body = fake_wechat.sent[0].body
    assert body["template_id"] == SUB_TPL and body["page"] == notice_url(rt, first)
    assert template_data.problems(body["data"]) == []
    assert row(rt, second).channel == OutboxChannel.TEMPLATE  # the one-time opt-in was used by the first
    assert [c.endpoint for c in fake_wechat.calls if c.endpoint != "token"] == ["subscribe", "template"]


def test_template_when_neither_kefu_nor_subscribe(rt, fake_wechat):
    member_wrote(rt, hours_ago=None)
    row_id = put(rt)
    outbox.deliver_due(rt)
    assert row(rt, row_id).channel == OutboxChannel.TEMPLATE
    assert [c.endpoint for c in fake_wechat.calls if c.endpoint != "token"] == ["template"]


def test_channel_order_comes_from_config(rt, fake_wechat, wechat):
    point_at(rt, fake_wechat, **{"outbound.channels": "subscribe,template,kefu"})
    member_wrote(rt, hours_ago=1)
    fake_wechat.subscribed("o_zhang", SUB_TPL)
    opt_in(wechat)
    row_id = put(rt)
    outbox.deliver_due(rt)
    assert row(rt, row_id).channel == OutboxChannel.SUBSCRIBE


def test_long_term_subscription_is_not_used_up(rt, fake_wechat, wechat):
    point_at(rt, fake_wechat, **{"wechat.subscribe.notice.mode": "long_term"})
    member_wrote(rt, hours_ago=None)
    fake_wechat.subscribed("o_zhang", SUB_TPL, times=3)
    opt_in(wechat)
    ids = [put(rt, text=f"通知{n}") for n in range(3)]
    outbox.deliver_due(rt)
    assert {row(rt, i).channel for i in ids} == {OutboxChannel.SUBSCRIBE}


def test_rejected_and_withdrawn_opt_ins(rt, fake_wechat, wechat):
    member_wrote(rt, hours_ago=None)
    opt_in(wechat, choices={SUB_TPL: "accept", "OTHER": "reject"})
    # the member withdraws in their settings; WeChat's sample names the list SubscribeMsgPopupEvent: both are read
    wechat.deliver(subscribe_popup_xml("o_zhang", {SUB_TPL: "reject"}, event="subscribe_msg_change_event"), "o_zhang")
    with rt.db.session() as session:
        found = {s.template_id: (s.accepted, s.credits) for s in session.scalars(select(Subscription))}
    assert found == {SUB_TPL: (False, 0), "OTHER": (False, 0)}
    row_id = put(rt)
    outbox.deliver_due(rt)
    assert row(rt, row_id).channel == OutboxChannel.TEMPLATE


def test_subscribe_refused_by_wechat_falls_through_and_forgets_the_opt_in(rt, fake_wechat, wechat):
    member_wrote(rt, hours_ago=None)
    opt_in(wechat)  # we think so, but WeChat has no opt-in: 43101
    row_id = put(rt)
    assert outbox.deliver_due(rt).sent == [row_id]
    assert row(rt, row_id).channel == OutboxChannel.TEMPLATE
    with rt.db.session() as session:
        assert session.scalar(select(Subscription.accepted)) is False


# -- kefu quotas --------------------------------------------------------------------------------------
def test_five_kefu_messages_after_a_message_then_the_next_channel(rt, fake_wechat):
    member_wrote(rt, hours_ago=1)
    ids = [put(rt, text=f"第{n}条") for n in range(7)]
    outbox.deliver_due(rt)
    assert [row(rt, i).channel for i in ids] == ["kefu"] * 5 + ["template"] * 2
    assert len(fake_wechat.calls_to("custom")) == 5  # chosen before WeChat could say 45047


def test_a_new_message_opens_a_new_quota(rt, fake_wechat, wechat):
    member_wrote(rt, hours_ago=1)
    ids = [put(rt, text=f"第{n}条") for n in range(5)]
    outbox.deliver_due(rt)
    wechat.say("o_zhang", "你好")
    later = put(rt, text="再一条")
    outbox.deliver_due(rt)
    assert row(rt, later).channel == OutboxChannel.KEFU and len(ids) == 5


def test_three_kefu_messages_within_a_minute_of_a_menu_click(rt, fake_wechat, wechat):
    member_wrote(rt, hours_ago=None)
    wechat.event("o_zhang", "CLICK", "RECORD")  # the passive reply answers the click; later messages count
    ids = [put(rt, text=f"第{n}条") for n in range(4)]
    outbox.deliver_due(rt)
    assert [row(rt, i).channel for i in ids] == ["kefu"] * 3 + ["template"]
    advance_clock(rt, 61)
    late = put(rt, text="一分钟后")
    outbox.deliver_due(rt)
    assert row(rt, late).channel == OutboxChannel.TEMPLATE
    with rt.db.session() as session:  # a click is no message: the 48-hour window stays closed
        assert session.scalar(select(Member.last_message_at)) is None


def test_a_failed_send_gives_its_quota_back(rt, fake_wechat):
    member_wrote(rt, hours_ago=1)
    fake_wechat.fail("custom", errcode=-1)
    row_id = put(rt)
    assert outbox.deliver_due(rt).retry == [row_id]
    with rt.db.session() as session:
        assert session.scalar(select(Member.kefu_used)) == 0


def test_wechat_quota_error_still_falls_back_and_closes_kefu(rt, fake_wechat):
    member_wrote(rt, hours_ago=1)
    fake_wechat.kefu_quota("o_zhang", 1)  # WeChat counted differently (e.g. another system sent some)
    first, second, third = put(rt), put(rt, text="二"), put(rt, text="三")
    outbox.deliver_due(rt)
    assert [row(rt, i).channel for i in (first, second, third)] == ["kefu", "template", "template"]
    assert len(fake_wechat.calls_to("custom")) == 2  # one 45047, then kefu is known closed


def test_parallel_workers_never_exceed_the_quota(rt, fake_wechat):
    import threading

    member_wrote(rt, hours_ago=1)
    ids = [put(rt, text=f"第{n}条") for n in range(12)]
    threads = [threading.Thread(target=outbox.deliver_due, args=(rt,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    channels = [row(rt, i).channel for i in ids]
    assert channels.count("kefu") == 5 and channels.count("template") == 7


# -- delivery receipts --------------------------------------------------------------------------------
@pytest.mark.parametrize("status, final", [("success", OutboxStatus.DELIVERED),
                                           ("failed:user block", OutboxStatus.USER_BLOCKED),
                                           ("failed: system failed", OutboxStatus.FAILED)])
def test_template_receipt_settles_the_row(rt, fake_wechat, wechat, cli, status, final):
    member_wrote(rt, hours_ago=None)
    row_id = put(rt)
    outbox.deliver_due(rt)
    [call] = fake_wechat.sent
    assert row(rt, row_id).msgid == str(call.answer["msgid"])
    assert wechat.deliver(fake_wechat.template_receipt(call, status), "o_zhang") == "" and wechat.last_status == 200
    settled = row(rt, row_id)
    assert settled.status == final and settled.receipt_at is not None
    code, out, _ = cli("outbox", "list", "--status", final)
    assert str(row_id) in out
    if final == OutboxStatus.FAILED:
        outbox.retry(rt, row_id)  # staff may send it again
        assert row(rt, row_id).status == OutboxStatus.PENDING


def test_subscribe_receipt_settles_the_row(rt, fake_wechat, wechat):
    member_wrote(rt, hours_ago=None)
    fake_wechat.subscribed("o_zhang", SUB_TPL, times=2)
    opt_in(wechat)
    opt_in(wechat)
    first, second = put(rt), put(rt, text="二")
    outbox.deliver_due(rt)
    calls = fake_wechat.calls_to("subscribe")
    wechat.deliver(fake_wechat.subscribe_receipt(calls[0]), "o_zhang")
    wechat.deliver(fake_wechat.subscribe_receipt(calls[1], 43101, "failed:user refuse"), "o_zhang")
    assert (row(rt, first).status, row(rt, second).status) == (OutboxStatus.DELIVERED, OutboxStatus.USER_BLOCKED)


def test_receipt_for_an_unknown_message_is_ignored(rt, fake_wechat, wechat):
    member_wrote(rt, hours_ago=None)
    row_id = put(rt)
    outbox.deliver_due(rt)
    [call] = fake_wechat.sent
    call.answer = {**call.answer, "msgid": 999999}
    wechat.deliver(fake_wechat.template_receipt(call), "o_zhang")
    assert row(rt, row_id).status == OutboxStatus.SENT


# -- missing credentials ------------------------------------------------------------------------------
def test_without_credentials_messages_wait_and_it_is_said_once(rt, fake_wechat, cli, caplog, monkeypatch):
    rt.config = rt.config.with_overrides({"wechat.appid": "", "wechat.secret": ""})
    monkeypatch.setattr(outbox, "_warned_unconfigured", False)
    row_id = put(rt)
    with caplog.at_level(logging.WARNING, logger="bot.outbox"):
        for _ in range(3):
            assert outbox.deliver_due(rt).handled == 0
    assert [r.message for r in caplog.records].count(outbox.NOTES["no_credentials"]) == 1
    assert row(rt, row_id).status == OutboxStatus.PENDING and row(rt, row_id).attempts == 0
    assert fake_wechat.calls == []
    code, out, _ = cli("outbox", "list")  # the CLI's own settings have no AppID either
    assert "AppID/AppSecret" in out.splitlines()[0]


def test_digest_link_secret_derives_from_the_app_secret(runtime):
    from bot.signed_links import check_token, make_token

    rt = runtime
    rt.config = rt.config.with_overrides({"wechat.token": "", "digest.secret": ""})
    token = make_token(rt, FIXED_NOW.date())
    check_token(rt, FIXED_NOW.date(), token)
    other = rt.config.with_overrides({"wechat.secret": "another"})
    rt.config = other
    with pytest.raises(Exception):
        check_token(rt, FIXED_NOW.date(), token)


# -- scene QR codes -----------------------------------------------------------------------------------
def make_activity(rt, days_ahead: float = 3, code_hint="") -> str:
    with rt.db.session() as session:
        activity = activities.create_activity(session, NewActivity(
            title="读书分享会", kind="读书分享会", start_at=FIXED_NOW + timedelta(days=days_ahead), place="市政协三楼",
            capacity=0))
        return activity.code


def test_scene_qr_is_created_once_and_kept(rt, fake_wechat):
    code = make_activity(rt)
    with rt.db.session() as session:
        activity = activities.by_code(session, code)
        found = activity_qr.scene_code(rt, session, activity)
    assert found.real and found.content.startswith("http://weixin.qq.com/q/")
    [call] = fake_wechat.calls_to("qrcode")
    assert call.body["action_name"] == "QR_STR_SCENE" and call.body["action_info"]["scene"]["scene_str"] == code
    # ends 3 h after a start 3 days ahead, plus 24 h
    assert call.body["expire_seconds"] == int(timedelta(days=3, hours=3 + 24).total_seconds())
    with rt.db.session() as session:
        activity = activities.by_code(session, code)
        assert (activity.qr_url, activity.qr_ticket) == (found.content, call.answer["ticket"])
        again = activity_qr.scene_code(rt, session, activity)
        assert again.content == found.content and len(fake_wechat.calls_to("qrcode")) == 1
        activity.start_at += timedelta(days=2)  # moved later: the old code would expire too early
        assert activity_qr.scene_code(rt, session, activity).content != found.content
    assert activity_qr.qr_png(found.content).startswith(b"\x89PNG")


def test_scene_qr_for_an_activity_more_than_30_days_away_waits(rt, fake_wechat):
    code = make_activity(rt, days_ahead=40)
    with rt.db.session() as session:
        found = activity_qr.scene_code(rt, session, activities.by_code(session, code))
    assert not found.real and found.reason == "too_early" and found.content == code
    assert fake_wechat.calls_to("qrcode") == []
    assert found.available_from.date() == (FIXED_NOW + timedelta(days=10, hours=3 + 24)).date()


def test_scene_qr_without_credentials_is_only_a_marked_preview(rt, fake_wechat, cli, tmp_path, monkeypatch):
    code = make_activity(rt)
    monkeypatch.setattr("bot.cli.clock", lambda: FIXED_NOW)
    status, out, err = cli("activities", "qr", code, "--out", str(tmp_path / "a.png"))
    assert status == 2 and "AppID" in err and not (tmp_path / "a.png").exists()
    status, out, err = cli("activities", "qr", code, "--out", str(tmp_path / "a.png"), "--preview")
    assert status == 0 and "预览" in out and (tmp_path / "a.png").read_bytes().startswith(b"\x89PNG")


def test_cli_saves_the_real_scene_qr(rt, fake_wechat, cli, tmp_path, monkeypatch):
    code = make_activity(rt)
    for name, value in (("WECHAT_API_BASE", fake_wechat.base_url), ("WECHAT_APPID", "wx0123456789abcdef"),
                        ("WECHAT_SECRET", "testsecret")):
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("bot.cli.clock", lambda: FIXED_NOW)
    status, out, err = cli("activities", "qr", code, "--out", str(tmp_path / "qr.png"))
    assert status == 0, err
    assert "已保存" in out and (tmp_path / "qr.png").read_bytes().startswith(b"\x89PNG")
    with rt.db.session() as session:
        assert session.scalar(select(Activity.qr_url).where(Activity.code == code)).startswith("http://weixin.qq.com/q/")


# -- the custom menu ----------------------------------------------------------------------------------
def test_menu_sync_and_show(rt, fake_wechat, cli, monkeypatch):
    for name, value in (("WECHAT_API_BASE", fake_wechat.base_url), ("WECHAT_APPID", "wx0123456789abcdef"),
                        ("WECHAT_SECRET", "testsecret")):
        monkeypatch.setenv(name, value)
    status, out, _ = cli("menu", "show")
    assert status == 0 and "没有开启" in out and "menu sync" in out
    status, out, _ = cli("menu", "sync")
    assert status == 0 and "CLICK REPORT → 反映社情民意" in out
    [call] = fake_wechat.calls_to("menu_create")
    assert call.body["button"][0] == {"type": "click", "name": "学习打卡", "key": "CHECKIN"}
    assert [b["name"] for b in call.body["button"][1]["sub_button"]] == ["反映社情民意", "我的社情民意"]
    status, out, _ = cli("menu", "show")
    assert status == 0 and "  我的履职\tCLICK RECORD → 我的履职" in out and "不一致" not in out


def test_menu_config_allows_view_urls_and_refuses_bad_shapes(runtime):
    from bot.config import ConfigError
    from bot.menu import wechat_buttons

    cfg = runtime.config.with_overrides({"wechat.menu": [
        {"name": "官网", "url": "https://zx.example.cn"}, {"name": "打卡", "key": "CHECKIN", "text": "学习打卡"}]})
    assert wechat_buttons(cfg.wechat.menu)[0] == {"type": "view", "name": "官网", "url": "https://zx.example.cn"}
    with pytest.raises(ConfigError, match="exactly one of key, url or sub_button"):
        runtime.config.with_overrides({"wechat.menu": [{"name": "空"}]})
    with pytest.raises(ConfigError, match="at most 3 buttons"):
        runtime.config.with_overrides({"wechat.menu": [{"name": f"b{n}", "url": "https://x"} for n in range(4)]})
