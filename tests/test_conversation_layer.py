"""Issue 9: the conversation layer. First the failures found by trying the product (each one a test),
then the dialog transitions on their own (pure: no store), then the views and the fair record."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from bot import replies
from bot.config import load_config
from bot.dialogs import checkin, clarify, report, signup
from bot.dialogs.base import Ask, DialogState, Done, Handover, Message, Perform, Reroute, Unclear, save_state
from conftest import FIXED_NOW, add_member, advance_clock
from storage import activities, reports
from storage.activities import NewActivity
from storage.models import Checkin, Report, ReportEvent, Signup

SETTINGS = load_config(env={})


def msg(text: str) -> Message:
    return Message(text, FIXED_NOW, SETTINGS)


def stored_checkins(rt) -> list[tuple]:
    with rt.db.session() as session:
        return sorted((c.day, c.material, c.minutes) for c in session.query(Checkin))


def count(rt, model, **where) -> int:
    with rt.db.session() as session:
        return session.query(model).filter_by(**where).count()


def make_activity(rt, title="城市供热保障专题视察", kind="视察", days=14, capacity=2) -> str:
    start = FIXED_NOW + timedelta(days=days)
    with rt.db.session() as session:
        return activities.create_activity(session, NewActivity(
            title=title, kind=kind, start_at=start, end_at=start + timedelta(hours=3), place="东胜区热电厂",
            capacity=capacity, deadline=start - timedelta(days=1))).code


# --- failures found by trying the product ----------------------------------------------------------

def test_unresolvable_or_out_of_window_dates_are_never_defaulted(runtime, wechat, member):
    reply = wechat.say("o_zhang", "上个月15号学了两个钟头的政协理论 补卡")
    assert "只能补最近7天" in reply and "10月15日" in reply
    reply = wechat.say("o_zhang", "前几天学习了政协章程半小时")
    assert "哪一天" in reply
    assert "11月24日(周二)" in wechat.say("o_zhang", "前天")
    assert stored_checkins(runtime) == [(date(2026, 11, 24), "政协章程", 30)]


def test_two_items_in_one_message_are_two_records(runtime, wechat, member):
    reply = wechat.say("o_zhang", "今天学习了政协章程30分钟，还有人民政协报20分钟")
    assert "政协章程" in reply and "人民政协报" in reply and "11月26日(周四)" in reply
    assert stored_checkins(runtime) == [(date(2026, 11, 26), "人民政协报", 20), (date(2026, 11, 26), "政协章程", 30)]


def test_a_command_word_is_not_taken_as_the_material(runtime, wechat, member):
    assert wechat.say("o_zhang", "补个卡") == replies.CHECKIN_ASK_MINUTES
    assert wechat.say("o_zhang", "今天读书一小时") == replies.CHECKIN_ASK_MATERIAL
    reply = wechat.say("o_zhang", "学习打卡")
    assert reply.endswith(replies.CHECKIN_ASK_MATERIAL)
    assert "打卡成功" in wechat.say("o_zhang", "《论人民政协》")
    assert stored_checkins(runtime) == [(date(2026, 11, 26), "论人民政协", 60)]


def test_traditional_characters_are_read(runtime, wechat, member):
    reply = wechat.say("o_zhang", "學習打卡 今天學習了政協章程一小時")
    assert "打卡成功" in reply and "60分钟" in reply
    assert stored_checkins(runtime) == [(date(2026, 11, 26), "政协章程", 60)]


def test_confirmation_words_submit_and_are_not_appended(runtime, wechat, member):
    text = "富兴街道好几个老旧小区冬季供暖温度不达标，室温只有十四五度，建议住建部门督促热力公司整改"
    assert wechat.say("o_zhang", text).startswith("请核对")
    assert "SQ2026-0001" in wechat.say("o_zhang", "行 就这样吧 提交")
    with runtime.db.session() as session:
        assert session.query(Report).one().text == text


def test_edits_at_the_summary_change_only_their_field(runtime, wechat, member):
    text = "富兴街道好几个老旧小区冬季供暖温度不达标，室温只有十四五度，建议住建部门督促热力公司整改"
    wechat.say("o_zhang", text)
    reply = wechat.say("o_zhang", "标题改成：富兴街道供暖不达标")
    assert reply.startswith(replies.REPORT_EDIT_DONE.format(what="标题")) and "标题：富兴街道供暖不达标" in reply
    assert "分类：城乡建设" in wechat.say("o_zhang", "分类改成城乡建设")
    assert "旗区：准格尔旗" in wechat.say("o_zhang", "旗区改成准旗")
    assert wechat.say("o_zhang", "补充：已经持续两周了").startswith(replies.REPORT_ADDED)
    wechat.say("o_zhang", "好的")
    with runtime.db.session() as session:
        saved = session.query(Report).one()
        assert (saved.title, saved.category, saved.district) == ("富兴街道供暖不达标", "城乡建设", "准格尔旗")
        assert saved.text == text + "\n已经持续两周了"


def test_staff_retitle_and_recategorise_keep_the_original(runtime, wechat, member, staff, cli):
    wechat.say("o_zhang", "富兴街道好几个老旧小区冬季供暖温度不达标，室温只有十四五度，建议住建部门督促热力公司整改")
    wechat.say("o_zhang", "提交")
    with runtime.db.session() as session:
        original = session.query(Report).one().title
    reply = wechat.say("o_staff", "改标题 SQ2026-0001 富兴街道冬季供暖不达标")
    assert f"{original} → 富兴街道冬季供暖不达标" in reply
    assert "城乡建设" in wechat.say("o_staff", "SQ2026-0001 分类改成 城乡建设")
    assert "分类只能是" in wechat.say("o_staff", "改分类 SQ2026-0001 天气")
    code, out, _ = cli("reports", "recategorise", "SQ2026-0001", "民生保障", "--by", "李干事")
    assert code == 0 and "城乡建设 → 民生保障" in out
    code, out, _ = cli("reports", "retitle", "SQ2026-0001", "富兴街道冬季供暖不达标")
    assert code == 0 and "无需修改" in out
    with runtime.db.session() as session:
        saved = session.query(Report).one()
        assert (saved.title, saved.category) == ("富兴街道冬季供暖不达标", "民生保障")
        edits = [e.details for e in session.query(ReportEvent).order_by(ReportEvent.id) if "edit" in e.details["action"]]
        assert edits[0] == {"action": "edit_title", "from": original, "to": "富兴街道冬季供暖不达标"}
        assert [e["action"] for e in edits] == ["edit_title", "edit_category", "edit_category"]
    assert "改标题" in wechat.say("o_zhang", "改标题 SQ2026-0001 随便改") and "委员不能使用" in wechat.say(
        "o_zhang", "改标题 SQ2026-0001 随便改")


def test_staff_review_without_a_reason_asks_for_it(runtime, wechat, member, staff):
    wechat.say("o_zhang", "富兴街道好几个老旧小区冬季供暖温度不达标，室温只有十四五度，建议住建部门督促热力公司整改")
    wechat.say("o_zhang", "提交")
    assert wechat.say("o_staff", "退回 SQ2026-0001") == replies.STAFF_ASK_NOTE["return"].format(receipt="SQ2026-0001")
    assert "已退回" in wechat.say("o_staff", "请写明是哪几个小区")
    with runtime.db.session() as session:
        assert session.query(Report).one().events[-1].note == "请写明是哪几个小区"


def test_an_open_question_does_not_swallow_a_new_request(runtime, wechat, member):
    assert wechat.say("o_zhang", "签到") == replies.ATTEND_ASK_CODE
    reply = wechat.say("o_zhang", "撤回 SQ2026-0006")
    assert "签到码" not in reply and reply.startswith(replies.DIALOG_LEFT.format(what="活动签到"))
    wechat.say("o_zhang", "学习打卡")
    assert wechat.say("o_zhang", "算了不打了") == replies.CANCELLED.format(what="学习打卡")
    wechat.say("o_zhang", "学习打卡")
    reply = wechat.say("o_zhang", "我昨天那个学习打卡是不是没打上啊")
    assert replies.CHECKIN_ASK_MINUTES not in reply and "打卡" in reply
    assert count(runtime, Checkin) == 0


def test_a_question_about_an_activity_is_answered_not_acted_on(runtime, wechat, member):
    code = make_activity(runtime)
    reply = wechat.say("o_zhang", "视察的那个活动我想去看看还有没有位置")
    assert code in reply and "余2席" in reply and "回复「报名」" in reply
    assert count(runtime, Signup) == 0
    assert "报名成功" in wechat.say("o_zhang", "报名")
    assert count(runtime, Signup) == 1


def test_typos_numbers_and_emoji(runtime, wechat, member):
    code = make_activity(runtime, capacity=0)
    assert "报名成功" in wechat.say("o_zhang", f"报民{code}")
    assert "1." in wechat.say("o_zhang", "帮助")
    assert wechat.say("o_zhang", "1") == replies.CHECKIN_ASK_MINUTES
    wechat.say("o_zhang", "取消")
    wechat.say("o_zhang", "帮助")
    assert "近期活动" in wechat.say("o_zhang", "②")
    assert wechat.say("o_zhang", "👍👍👍") == replies.EMOJI


def test_a_second_activity_in_one_message_is_pointed_out_not_dropped(runtime, wechat, member):
    first = make_activity(runtime, capacity=0)
    second = make_activity(runtime, title="政协委员读书分享会", kind="读书分享会", days=7, capacity=0)
    wechat.say("o_zhang", f"报名 {first}")
    reply = wechat.say("o_zhang", f"帮我把{first}的报名取消了 再报个{second}")
    assert "已取消报名" in reply and f"您还提到了 {second}" in reply
    assert count(runtime, Signup, status="signed") == 0


def test_my_activities_and_my_checkins(runtime, wechat, member):
    code = make_activity(runtime, title="政协委员读书分享会", kind="读书分享会", days=7, capacity=0)
    assert wechat.say("o_zhang", "我的活动") == replies.MY_ACTIVITIES_NONE
    wechat.say("o_zhang", f"报名 {code}")
    reply = wechat.say("o_zhang", "我报了哪些活动")
    assert code in reply and "【已报名】" in reply and "12月3日(周四)" in reply
    wechat.say("o_zhang", "学习打卡 昨天学习了《政协章程》30分钟")
    reply = wechat.say("o_zhang", "我的打卡")
    assert "11月25日(周三)" in reply and "政协章程" in reply and "1次，共30分钟" in reply


def test_a_seconder_follows_the_report_they_seconded(runtime, wechat, member):
    li = add_member(runtime, "李四", "13800001111", openid="o_li")
    with runtime.db.session() as session:
        other = reports.create_report(session, session.get(type(li), li.id), text="供暖不足", title="供暖不足",
                                      category="民生保障", district="东胜区", now=FIXED_NOW, prefix="SQ")
        receipt = other.receipt_no
    assert "没有找到" in wechat.say("o_zhang", f"{receipt} 进度")
    with runtime.db.session() as session:
        reports.add_second(session, session.get(Report, other.id), session.get(type(member), member.id), FIXED_NOW)
    reply = wechat.say("o_zhang", f"{receipt} 进度")
    assert "供暖不足" in reply and replies.REPORT_HISTORY_SECONDED in reply


def test_staff_are_not_treated_as_members(runtime, wechat, staff):
    assert wechat.say("o_staff", "我的履职") == replies.STAFF_NO_RECORD


def test_a_bound_member_following_again_is_welcomed_back(runtime, wechat, member):
    reply = wechat.event("o_zhang", "subscribe")
    assert reply.startswith(replies.WELCOME_BACK.format(name="张三委员")) and "绑定 姓名" not in reply


def test_the_same_checkin_twice_counts_once_and_the_day_is_capped(runtime, wechat, member):
    wechat.say("o_zhang", "学习打卡 今天学习了《政协章程》30分钟")
    assert "不重复计入" in wechat.say("o_zhang", "学习打卡 今天学习了《政协章程》30分钟")
    wechat.say("o_zhang", "学习打卡 今天学习了《论人民政协》20分钟")
    wechat.say("o_zhang", "学习打卡 今天学习了《人民政协报》20分钟")
    assert "每天上限" in wechat.say("o_zhang", "学习打卡 今天学习了《中国政协》20分钟")
    runtime.config = runtime.config.with_overrides({"checkin.daily_max_checkins": 10, "checkin.daily_max_minutes": 100})
    assert "最多计100分钟" in wechat.say("o_zhang", "学习打卡 今天学习了《中国政协》40分钟")
    assert len(stored_checkins(runtime)) == 3


def test_a_retried_message_is_recorded_once(runtime, wechat, member):
    from bot.wechat_sim import next_msg_id

    msg_id = next_msg_id()
    first = wechat.say("o_zhang", "学习打卡 今天学习了政协章程30分钟，还有人民政协报20分钟", msg_id=msg_id)
    runtime.kv.delete(f"inbox:o_zhang:{msg_id}")  # the de-duplication entry is lost: records still carry the key
    again = wechat.say("o_zhang", "学习打卡 今天学习了政协章程30分钟，还有人民政协报20分钟", msg_id=msg_id)
    assert "打卡成功" in first and "打卡成功" in again
    assert len(stored_checkins(runtime)) == 2


def test_a_question_is_repeated_once_then_the_dialog_ends(runtime, wechat, member):
    wechat.say("o_zhang", "学习打卡")
    assert wechat.say("o_zhang", "嗯嗯") == replies.CHECKIN_BAD_MINUTES + "\n" + replies.CHECKIN_ASK_MINUTES
    assert wechat.say("o_zhang", "哦哦") == replies.DIALOG_GAVE_UP.format(what="学习打卡")
    assert "打卡成功" in wechat.say("o_zhang", "学习打卡 今天学习了《政协章程》30分钟")


def test_expiry_runs_on_the_runtime_clock_and_unknown_steps_expire(runtime, wechat, member):
    wechat.say("o_zhang", "学习打卡")
    advance_clock(runtime, runtime.config.dialog.idle_timeout_seconds - 5)
    assert wechat.say("o_zhang", "半小时") == replies.CHECKIN_ASK_MATERIAL
    advance_clock(runtime, runtime.config.dialog.idle_timeout_seconds + 1)
    assert wechat.say("o_zhang", "政协章程").startswith(replies.DIALOG_EXPIRED.format(what="学习打卡"))
    save_state(runtime, "o_zhang", DialogState("checkin", "a_step_from_an_old_deploy", {}), runtime.now())
    reply = wechat.say("o_zhang", "我的履职")
    assert reply.startswith(replies.DIALOG_EXPIRED.format(what="学习打卡")) and "履职情况" in reply


# --- transitions on their own (no store) -------------------------------------------------------------

def test_checkin_transitions():
    ask = checkin.start({}, msg("学习打卡"))
    assert isinstance(ask, Ask) and ask.step is checkin.Step.MINUTES
    ask = checkin.on_minutes(ask.draft, msg("一个半小时"))
    assert isinstance(ask, Ask) and ask.step is checkin.Step.MATERIAL and ask.draft.minutes == 90
    done = checkin.on_material(ask.draft, msg("《政协章程》"))
    assert isinstance(done, Perform) and done.service is checkin.save and done.draft.material == "政协章程"
    assert isinstance(checkin.on_minutes(checkin.CheckinDraft(), msg("不知道")), Unclear)
    asked = checkin.start({"date_unresolved": "前几天", "minutes": 30, "material": "政协章程"}, msg("前几天…"))
    assert asked.step is checkin.Step.DATE and "前几天" in asked.question
    assert isinstance(checkin.on_material(checkin.CheckinDraft(minutes=30), msg("学习打卡")), Unclear)
    assert isinstance(checkin.on_material(checkin.CheckinDraft(minutes=30), msg("我的履职")), Handover)


def test_report_confirm_transitions():
    draft = report.ReportDraft(parts=["富兴街道路灯不亮，建议维修"], title="富兴街道路灯不亮", category="城乡建设")
    assert isinstance(report.on_confirm(draft, msg("行 就这样吧 提交")), Perform)
    edited = report.on_confirm(draft, msg("标题改成：路灯坏了"))
    assert isinstance(edited, Perform) and edited.draft.title == "路灯坏了" and "title" in edited.draft.edited
    assert isinstance(report.on_confirm(draft, msg("分类改成天气")), Ask)
    unclear = report.on_confirm(draft, msg("另外路边的树也该修剪了"))
    assert isinstance(unclear, Unclear) and draft.parts == ["富兴街道路灯不亮，建议维修"]


def test_signup_and_choice_transitions():
    assert signup.picked_code(["A3", "A5"], "A5") == "A5"
    assert signup.picked_code(["A3", "A5"], "②") == "A5"
    assert signup.picked_code(["A3", "A5"], "第一个") == "A3"
    assert signup.picked_code(["A2", "A1"], "1") is None  # the first listed, or A1? asked again
    offer = signup.SignupDraft(code="A3")
    assert isinstance(signup.on_offer(offer, msg("好的")), Perform)
    assert isinstance(signup.on_offer(offer, msg("我的履职")), Handover)
    menu = clarify.menu("…")
    assert signup.picked_code(["A3"], "3") == "A3"
    assert clarify.on_menu(menu.draft, msg("①")) == Reroute("checkin", "")
    assert isinstance(clarify.on_menu(menu.draft, msg("学习打卡 今天学了政协章程30分钟")), Handover)


@pytest.mark.parametrize("dialog", [checkin.DIALOG, report.DIALOG, signup.DIALOG, clarify.DIALOG])
def test_every_declared_step_has_a_handler_and_drafts_round_trip(dialog):
    import dataclasses

    assert set(dialog.handlers) == set(dialog.steps)
    draft = dialog.draft()
    assert dialog.load_draft(dataclasses.asdict(draft)) == draft
    assert dialog.step_named("no_such_step") is None
