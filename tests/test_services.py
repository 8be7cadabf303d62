"""The four member services and binding, end to end through signed XML posts."""
from __future__ import annotations

import time
from datetime import date, timedelta

import pytest

from bot import replies
from conftest import advance_clock, FIXED_NOW, add_member
from storage.activities import NewActivity, create_activity
from storage.models import Checkin, Member, Report, Signup


def activity(rt, title="读书分享会", kind="读书分享会", days=7, capacity=0, deadline_days=None, **extra):
    with rt.db.session() as session:
        deadline = FIXED_NOW + timedelta(days=deadline_days) if deadline_days is not None else None
        return create_activity(session, NewActivity(title=title, kind=kind, start_at=FIXED_NOW + timedelta(days=days),
                                                    place="市政协三楼", capacity=capacity, deadline=deadline, **extra))


def count(rt, model, **where):
    with rt.db.session() as session:
        return session.query(model).filter_by(**where).count()


# --- binding ---------------------------------------------------------------------------------

def test_stranger_only_gets_binding_help_and_nothing_is_stored(runtime, wechat):
    add_member(runtime, "张三", "13912345678")
    for text in ["学习打卡 今天学习了《政协章程》30分钟", "富兴街道供暖不达标，建议加强监管，请有关部门尽快处理", "我的履职", "你好"]:
        assert "绑定" in wechat.say("o_stranger", text)
    assert count(runtime, Checkin) == 0 and count(runtime, Report) == 0


def test_bind_then_use(runtime, wechat):
    add_member(runtime, "乌云其木格", "13912345678", district="鄂托克前旗")
    reply = wechat.say("o_new", "绑定 乌云其木格 139-1234-5678")
    assert "绑定成功" in reply and "乌云其木格" in reply
    with runtime.db.session() as session:
        assert session.query(Member).filter_by(phone="13912345678").one().openid == "o_new"
    assert "打卡成功" in wechat.say("o_new", "学习打卡 今天学习了《政协章程》30分钟")
    assert "已绑定" in wechat.say("o_new", "绑定 乌云其木格 13912345678")


def test_bind_refusals(runtime, wechat):
    add_member(runtime, "张三", "13912345678")
    assert wechat.say("o_a", "绑定 李四 13912345678") == replies.BIND_FAILED   # wrong name
    assert wechat.say("o_a", "绑定 张三 13900000000") == replies.BIND_FAILED   # unknown phone
    assert "绑定成功" in wechat.say("o_a", "绑定 张三 13912345678")
    assert wechat.say("o_b", "绑定 张三 13912345678") == replies.BIND_FAILED  # second account: the same reply
    add_member(runtime, "李四", "13800001111")
    assert wechat.say("o_a", "绑定 李四 13800001111") == replies.ALREADY_BOUND.format(name="张三")
    with runtime.db.session() as session:
        assert session.query(Member).filter_by(phone="13800001111").one().openid is None


# --- study check-in --------------------------------------------------------------------------

def test_binding_over_two_messages(runtime, wechat):
    add_member(runtime, "赵六", "13900000006")
    assert wechat.say("o_new", "绑定 赵六") == replies.BIND_ASK_PHONE.format(name="赵六")
    assert "绑定成功" in wechat.say("o_new", "13900000006")
    assert wechat.say("o_other", "13900000006") == replies.BIND_ASK_NAME
    assert wechat.say("o_other", "赵六") == replies.BIND_FAILED


def test_checkin_one_message(runtime, wechat, member):
    reply = wechat.say("o_zhang", "学习打卡 今天学习了《论人民政协》 30分钟")
    assert "打卡成功" in reply and "论人民政协" in reply and "30分钟" in reply and "本月已打卡1次" in reply
    with runtime.db.session() as session:
        row = session.query(Checkin).one()
        assert (row.day, row.minutes, row.material) == (date(2026, 11, 26), 30, "论人民政协")


def test_checkin_yesterday_and_month_count(runtime, wechat, member):
    wechat.say("o_zhang", "学习打卡 今天学习了《政协章程》 30分钟")
    reply = wechat.say("o_zhang", "昨天晚上看了《政协章程》，学了半小时，补个卡")
    assert "11月25日(周三)" in reply and "本月已打卡2次" in reply
    with runtime.db.session() as session:
        assert {c.day for c in session.query(Checkin)} == {date(2026, 11, 26), date(2026, 11, 25)}


def test_checkin_asks_for_missing_slots(runtime, wechat, member):
    assert wechat.say("o_zhang", "学习打卡") == replies.CHECKIN_ASK_MINUTES
    assert wechat.say("o_zhang", "不知道") == replies.CHECKIN_BAD_MINUTES + "\n" + replies.CHECKIN_ASK_MINUTES
    assert wechat.say("o_zhang", "一个半小时") == replies.CHECKIN_ASK_MATERIAL
    assert "打卡成功" in wechat.say("o_zhang", "《习近平谈治国理政》")
    with runtime.db.session() as session:
        row = session.query(Checkin).one()
        assert (row.minutes, row.material) == (90, "习近平谈治国理政")


def test_checkin_refuses_future_old_and_absurd(runtime, wechat, member):
    assert wechat.say("o_zhang", "学习打卡 明天学习《政协章程》30分钟") == replies.CHECKIN_FUTURE.format(day="11月27日(周五)")
    assert "只能补最近7天（11月19日(周四)以后）" in wechat.say("o_zhang", "学习打卡 11月1日学习了《政协章程》30分钟")
    assert "不能超过" in wechat.say("o_zhang", "学习打卡 今天学习了《政协章程》900分钟")
    assert count(runtime, Checkin) == 0


# --- dialogs: cancel, timeout, switching -------------------------------------------------------

def test_cancel_leaves_dialog(runtime, wechat, member):
    wechat.say("o_zhang", "学习打卡")
    assert wechat.say("o_zhang", "算了") == replies.CANCELLED.format(what="学习打卡")
    assert "没太明白" in wechat.say("o_zhang", "半小时") or count(runtime, Checkin) == 0
    assert count(runtime, Checkin) == 0


def test_dialog_times_out(runtime, wechat, member):
    wechat.say("o_zhang", "学习打卡")
    advance_clock(runtime, runtime.config.dialog.idle_timeout_seconds + 1)
    reply = wechat.say("o_zhang", "我的履职")
    assert reply.startswith("（上次未完成的学习打卡已超时取消）") and "履职情况" in reply


def test_new_request_inside_dialog_is_routed(runtime, wechat, member):
    wechat.say("o_zhang", "学习打卡")
    assert "履职情况" in wechat.say("o_zhang", "我的履职")


def test_dialog_state_survives_across_app_instances(runtime, member):
    """Any worker continues the dialog: state is in the shared store, not in the process."""
    from conftest import TOKEN, WeChat
    from bot.wechat_sim import Envelope
    from webhook import create_app

    first = WeChat(create_app(runtime).test_client(), Envelope(TOKEN))
    second = WeChat(create_app(runtime).test_client(), Envelope(TOKEN))
    assert first.say("o_zhang", "学习打卡 《政协章程》") == replies.CHECKIN_ASK_MINUTES
    assert "打卡成功" in second.say("o_zhang", "40分钟")


# --- activities ------------------------------------------------------------------------------

def test_list_signup_cancel(runtime, wechat, member):
    a1 = activity(runtime)
    activity(runtime, title="城市供暖专题协商会", kind="专题协商会", days=14, capacity=30)
    listing = wechat.say("o_zhang", "近期活动")
    assert "A1" in listing and "A2" in listing and "余30席" in listing
    assert "报名成功" in wechat.say("o_zhang", "报名 A1")
    assert "无需重复" in wechat.say("o_zhang", "报名读书分享会")
    assert count(runtime, Signup, status="signed") == 1
    assert "已取消报名" in wechat.say("o_zhang", "取消报名 A1")
    assert count(runtime, Signup, status="signed") == 0
    assert "没有报名" in wechat.say("o_zhang", "取消报名 A1")
    assert a1.code == "A1"


def test_signup_by_words_and_date(runtime, wechat, member):
    activity(runtime, title="城市供暖专题协商会", kind="专题协商会", days=14)
    assert "报名成功" in wechat.say("o_zhang", "12月10号的协商会我要参加")
    assert "已取消报名" in wechat.say("o_zhang", "12月10号的协商会我去不了了，帮我取消")


def test_signup_asks_which_when_unclear(runtime, wechat, member):
    activity(runtime, days=3)
    activity(runtime, title="乡村医疗视察", kind="视察", days=5)
    ask = wechat.say("o_zhang", "我要报名")
    assert "哪个活动" in ask and "A1" in ask and "A2" in ask
    assert "报名成功" in wechat.say("o_zhang", "A2")


def test_full_and_deadline(runtime, wechat, member):
    activity(runtime, capacity=1)
    activity(runtime, title="视察", kind="视察", deadline_days=-1, days=3)
    other = add_member(runtime, "李四", "13800001111", openid="o_li")
    assert "报名成功" in wechat.say("o_li", "报名 A1")
    assert "名额已满" in wechat.say("o_zhang", "报名 A1")
    assert "报名已截止" in wechat.say("o_zhang", "报名 A2")
    assert "没有找到" in wechat.say("o_zhang", "报名 A9")
    assert other.id


# --- 社情民意 ---------------------------------------------------------------------------------

REPORT = "富兴街道好几个老旧小区冬季供暖温度不达标，室温只有十四五度，老人孩子受不了，建议住建部门加强监管，督促热力公司整改"


def test_report_gets_receipt_and_listing(runtime, wechat, member):
    summary = wechat.say("o_zhang", REPORT)
    assert "请核对" in summary and "东胜区" in summary and count(runtime, Report) == 0  # confirm first
    reply = wechat.say("o_zhang", "提交")
    assert "SQ2026-0001" in reply and "东胜区" in reply
    wechat.say("o_zhang", "乌审旗嘎鲁图镇的牧区道路坑洼不平，冬季积雪后牧民出行困难，建议交通部门列入明年修缮计划")
    assert "SQ2026-0002" in wechat.say("o_zhang", "提交")
    listing = wechat.say("o_zhang", "我的社情民意")
    assert "SQ2026-0001" in listing and "SQ2026-0002" in listing and "已提交" in listing
    with runtime.db.session() as session:
        first = session.query(Report).filter_by(receipt_no="SQ2026-0001").one()
        assert first.text == REPORT and first.district == "东胜区" and len(first.title) <= 20
    assert "当前状态：已提交" in wechat.say("o_zhang", "SQ2026-0001 进度")


def test_thin_report_asks_for_details(runtime, wechat, member):
    assert wechat.say("o_zhang", "我想反映个问题") == replies.REPORT_ASK_DETAILS
    assert "请核对" in wechat.say("o_zhang", REPORT)
    assert "SQ2026-0001" in wechat.say("o_zhang", "提交")
    assert count(runtime, Report) == 1


def test_members_see_only_their_own_reports(runtime, wechat, member):
    wechat.say("o_zhang", REPORT)
    wechat.say("o_zhang", "提交")
    add_member(runtime, "李四", "13800001111", openid="o_li")
    assert "没有找到" in wechat.say("o_li", "SQ2026-0001 进度")
    assert "还没有提交" in wechat.say("o_li", "我的社情民意")


def test_report_limits(runtime, wechat, member):
    runtime.config = runtime.config.with_overrides({"reports.daily_cap": 1})
    assert "超过" in wechat.say("o_zhang", "供暖问题" * 400)
    wechat.say("o_zhang", REPORT)
    wechat.say("o_zhang", "提交")
    assert "已达上限" in wechat.say("o_zhang", REPORT + "，另外楼道灯也坏了")
    assert count(runtime, Report) == 1


# --- duty record, help -----------------------------------------------------------------------

def test_record_counts(runtime, wechat, member):
    activity(runtime)
    wechat.say("o_zhang", "学习打卡 今天学习了《政协章程》30分钟")
    wechat.say("o_zhang", "学习打卡 昨天学习了《论人民政协》1小时")
    wechat.say("o_zhang", "报名 A1")
    wechat.say("o_zhang", REPORT)
    wechat.say("o_zhang", "提交")
    with runtime.db.session() as session:
        session.query(Report).update({"status": "已采用"})
    reply = wechat.say("o_zhang", "我的履职")
    assert "社情民意：1条（采用1条）" in reply and "学习打卡：2次，共90分钟" in reply and "活动报名：1次" in reply


def test_help_and_unknown(runtime, wechat, member):
    assert wechat.say("o_zhang", "帮助").startswith(replies.HELP[:10])
    assert wechat.say("o_zhang", "谢谢") == replies.THANKS
    assert "工作人员" not in wechat.say("o_zhang", "帮助")


def test_staff_help_mentions_staff_commands(runtime, wechat, staff):
    assert "工作人员" in wechat.say("o_staff", "帮助")


@pytest.mark.parametrize("text", ["", "   ", "？？？", "🙂", "a" * 3000])
def test_odd_input_gets_polite_reply(runtime, wechat, member, text):
    reply = wechat.say("o_zhang", text)
    assert reply and len(reply.encode()) <= 2048


def test_report_draft_survives_an_interrupting_request(runtime, wechat, member):
    wechat.say("o_zhang", "我想反映个问题")
    reply = wechat.say("o_zhang", "我的履职")
    assert "履职情况" in reply and "草稿已保留" in reply
    reply = wechat.say("o_zhang", "富兴街道老旧小区冬季供暖温度不达标，室温只有十四五度，建议住建部门加强监管")
    assert "提交" in reply  # the draft continues to its summary
    reply = wechat.say("o_zhang", "学习打卡")  # opens a dialog of its own: the draft is given up, and said so
    assert "草稿已放弃" in reply and replies.CHECKIN_ASK_MINUTES in reply


def test_bare_code_after_the_list_signs_up(runtime, wechat, member):
    activity(runtime)
    assert "A1" in wechat.say("o_zhang", "近期活动")
    assert "报名成功" in wechat.say("o_zhang", "a1")
    assert count(runtime, Signup, status="signed") == 1
    wechat.say("o_zhang", "近期活动")
    assert "履职情况" in wechat.say("o_zhang", "我的履职")  # anything else is understood afresh


def test_short_names_and_platforms(runtime, wechat, member):
    activity(runtime)  # 读书分享会
    assert "报名成功" in wechat.say("o_zhang", "我想参加读书会")
    wechat.say("o_zhang", "打卡")
    wechat.say("o_zhang", "40分钟")
    assert "学习强国" in wechat.say("o_zhang", "学习强国")


def test_looking_up_my_reports_is_not_a_new_report(runtime, wechat, member):
    assert wechat.say("o_zhang", "查一下我反映的问题") == replies.MY_REPORTS_NONE
