"""社情民意, member side over WeChat: drafting, follow-ups, confirmation, duplicates, limits, revision."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest

import intents
from bot import replies
from bot.wording import outbound
from conftest import advance_clock, FIXED_NOW, add_member
from storage import reports, similar
from storage.models import Member, Report, ReportAttachment, ReportSecond
from storage.report_flow import RETURNED

REPORT = "富兴街道好几个老旧小区冬季供暖温度不达标，室温只有十四五度，老人孩子受不了，建议住建部门加强监管，督促热力公司整改"
SIMILAR = "富兴街道老旧小区今年冬天供暖温度不达标，室温才十四五度，建议住建部门加强监管，督促热力公司整改"
ROAD = "乌审旗嘎鲁图镇的牧区道路坑洼不平，冬季积雪后牧民出行困难，建议交通部门列入明年修缮计划"


@pytest.fixture(autouse=True, scope="module")
def warm_intents():
    intents.warm_up()  # the first parse trains the model; keep it out of the 4-second reply budget


def count(rt, model, **where) -> int:
    with rt.db.session() as session:
        return session.query(model).filter_by(**where).count()


def one_report(rt, receipt="SQ2026-0001") -> Report:
    with rt.db.session() as session:
        report = session.query(Report).filter_by(receipt_no=receipt).one()
        report.events, report.attachments  # load while the session is open
        return report


def seed(rt, member_id: int, text: str, *, days_ago: int = 0, district="东胜区", category="民生保障",
         status="已提交") -> str:
    """A report filed earlier (directly in storage)."""
    with rt.db.session() as session:
        member = session.get(Member, member_id)
        report = reports.create_report(session, member, text=text, title=text[:20], category=category,
                                       district=district, now=FIXED_NOW - timedelta(days=days_ago), prefix="SQ")
        report.status = status
        return report.receipt_no


def summary_of(reply: str) -> dict:
    return dict(line.split("：", 1) for line in reply.splitlines() if "：" in line)


# --- drafting -------------------------------------------------------------------------------------

def test_rich_message_goes_straight_to_summary(runtime, wechat, member):
    reply = wechat.say("o_zhang", REPORT)
    fields = summary_of(reply)
    assert reply.startswith("请核对") and reply.endswith("回复「提交」确认，「修改」重写，「取消」放弃")
    assert fields["旗区"] == "东胜区" and fields["分类"] == "民生保障" and fields["标题"].startswith("富兴街道")
    assert count(runtime, Report) == 0  # nothing is saved before the member confirms
    done = wechat.say("o_zhang", "提交")
    assert "编号 SQ2026-0001" in done and "东胜区" in done
    report = one_report(runtime)
    assert report.text == REPORT and report.status == "已提交" and report.district == "东胜区"
    assert report.suggestion == "建议住建部门加强监管，督促热力公司整改"
    assert [e.status for e in report.events] == ["已提交"] and report.events[0].actor == "张三"


def test_thin_report_asks_one_question_at_a_time(runtime, wechat, member):
    assert wechat.say("o_zhang", "我想反映个问题") == replies.REPORT_ASK_DETAILS
    assert wechat.say("o_zhang", "路灯坏了好久了") == replies.REPORT_ASK_MORE
    assert wechat.say("o_zhang", "晚上出门很不方便，老人摔倒过好几次") == replies.REPORT_ASK_PLACE
    assert wechat.say("o_zhang", "东胜区天骄路北段") == replies.REPORT_ASK_SUGGESTION
    reply = wechat.say("o_zhang", "建议城管部门尽快维修")
    assert summary_of(reply)["旗区"] == "东胜区" and summary_of(reply)["标题"] == "路灯坏了好久了"
    assert count(runtime, Report) == 0
    assert "SQ2026-0001" in wechat.say("o_zhang", "确认")
    report = one_report(runtime)
    assert report.text == "路灯坏了好久了\n晚上出门很不方便，老人摔倒过好几次\n东胜区天骄路北段\n建议城管部门尽快维修"
    assert report.suggestion == "建议城管部门尽快维修" and report.district == "东胜区"


def test_place_and_suggestion_answers_can_be_skipped(runtime, wechat, member):
    assert wechat.say("o_zhang", "路灯坏了好久了，晚上出门很不方便，老人摔倒过好几次，大家意见很大") == replies.REPORT_ASK_PLACE
    assert wechat.say("o_zhang", "不清楚") == replies.REPORT_ASK_SUGGESTION
    reply = wechat.say("o_zhang", "没有")
    assert summary_of(reply)["旗区"] == replies.REPORT_NO_DISTRICT
    wechat.say("o_zhang", "提交")
    report = one_report(runtime)
    assert report.suggestion == "" and report.district == "" and "不清楚" not in report.text


def test_direct_submit_skips_the_remaining_questions(runtime, wechat, member):
    assert wechat.say("o_zhang", "路灯坏了好久了，晚上出门很不方便") == replies.REPORT_ASK_MORE
    assert "SQ2026-0001" in wechat.say("o_zhang", "直接提交")
    assert one_report(runtime).text == "路灯坏了好久了，晚上出门很不方便"


def test_direct_submit_needs_some_content(runtime, wechat, member):
    wechat.say("o_zhang", "我要反映问题")
    assert wechat.say("o_zhang", "直接提交") == replies.REPORT_EMPTY
    assert count(runtime, Report) == 0


@pytest.mark.parametrize("word", ["提交", "确认", "好", "是", "对", "1", "确认。"])
def test_confirm_words(runtime, wechat, member, word):
    wechat.say("o_zhang", REPORT)
    assert "SQ2026-0001" in wechat.say("o_zhang", word)


def test_unclear_answer_to_summary_is_asked_about_never_appended(runtime, wechat, member):
    wechat.say("o_zhang", REPORT)
    assert wechat.say("o_zhang", "嗯") == replies.REPORT_CONFIRM_HINT + "\n" + replies.REPORT_CONFIRM_AGAIN
    reply = wechat.say("o_zhang", "补充：热力公司的投诉电话一直打不通")
    assert reply.startswith(replies.REPORT_ADDED) and "投诉电话" in reply
    wechat.say("o_zhang", "提交")
    assert one_report(runtime).text == REPORT + "\n热力公司的投诉电话一直打不通"


def test_second_unclear_answer_ends_the_draft_politely(runtime, wechat, member):
    wechat.say("o_zhang", REPORT)
    wechat.say("o_zhang", "嗯")
    assert wechat.say("o_zhang", "另外热力公司的投诉电话一直打不通") == replies.DIALOG_GAVE_UP.format(what="社情民意")
    assert count(runtime, Report) == 0


def test_rewrite_starts_over(runtime, wechat, member):
    wechat.say("o_zhang", REPORT)
    assert wechat.say("o_zhang", "修改") == replies.REPORT_REWRITE
    reply = wechat.say("o_zhang", ROAD)
    assert summary_of(reply)["旗区"] == "乌审旗"
    wechat.say("o_zhang", "提交")
    assert one_report(runtime).text == ROAD


def test_cancel_drops_the_draft(runtime, wechat, member):
    wechat.say("o_zhang", REPORT)
    assert wechat.say("o_zhang", "取消") == replies.CANCELLED.format(what="社情民意")
    assert "SQ2026" not in wechat.say("o_zhang", "提交")
    assert count(runtime, Report) == 0


def test_cancel_during_follow_up(runtime, wechat, member):
    wechat.say("o_zhang", "我想反映个问题")
    wechat.say("o_zhang", "路灯坏了好久了")
    assert wechat.say("o_zhang", "算了") == replies.CANCELLED.format(what="社情民意")
    assert count(runtime, Report) == 0


def test_draft_times_out(runtime, wechat, member):
    wechat.say("o_zhang", REPORT)
    advance_clock(runtime, runtime.config.dialog.idle_timeout_seconds + 1)
    reply = wechat.say("o_zhang", "提交")
    assert reply.startswith(replies.DIALOG_EXPIRED.format(what="社情民意"))
    assert count(runtime, Report) == 0


def test_other_request_inside_the_draft_is_routed(runtime, wechat, member):
    wechat.say("o_zhang", "我想反映个问题")
    assert "履职情况" in wechat.say("o_zhang", "我的履职")
    assert count(runtime, Report) == 0


def test_photos_and_voice_are_attached(runtime, wechat, member):
    assert wechat.say("o_zhang", "我想反映个问题") == replies.REPORT_ASK_DETAILS
    reply = wechat.image("o_zhang")
    assert reply == replies.REPORT_MEDIA_ADDED.format(kind="图片", n=1, prompt=replies.REPORT_ASK_DETAILS)
    summary = wechat.voice("o_zhang", REPORT)
    assert summary_of(summary)["附件"] == "图片1张、语音1条"
    wechat.image("o_zhang")
    assert "SQ2026-0001" in wechat.say("o_zhang", "提交")
    report = one_report(runtime)
    assert report.text == REPORT
    assert [(a.kind, a.media_id, a.url, a.text) for a in report.attachments] == [
        ("image", "img1", "http://img.example/1.jpg", ""), ("voice", "media1", "", REPORT),
        ("image", "img1", "http://img.example/1.jpg", "")]


def test_attachment_cap(runtime, wechat, member):
    runtime.config = runtime.config.with_overrides({"reports.max_attachments": 1})
    wechat.say("o_zhang", REPORT)
    wechat.image("o_zhang")
    assert wechat.image("o_zhang").startswith("每条社情民意最多1个附件")
    wechat.say("o_zhang", "提交")
    assert count(runtime, ReportAttachment) == 1


def test_image_without_draft_is_not_kept(runtime, wechat, member):
    assert wechat.image("o_zhang") == replies.MEDIA_NOT_SUPPORTED
    assert count(runtime, ReportAttachment) == 0


def test_replayed_confirmation_files_one_report(runtime, wechat, member):
    wechat.say("o_zhang", REPORT)
    first = wechat.say("o_zhang", "提交", msg_id=777001)
    assert wechat.say("o_zhang", "提交", msg_id=777001) == first
    assert count(runtime, Report) == 1


# --- duplicates -------------------------------------------------------------------------------------

def test_similar_report_offers_second(runtime, wechat, member):
    li = add_member(runtime, "李四", "13800001111", openid="o_li")
    receipt = seed(runtime, li.id, REPORT, days_ago=10)
    reply = wechat.say("o_zhang", SIMILAR)  # the summary offers the similar report right away
    assert reply.endswith(replies.REPORT_SUMMARY_SIMILAR.format(days=90, receipt=receipt, title=REPORT[:20],
                                                                status="已提交"))
    assert wechat.say("o_zhang", "附议").startswith(
        replies.REPORT_SECONDED.format(receipt=receipt, title=REPORT[:20]))
    assert count(runtime, Report) == 1
    assert count(runtime, ReportSecond, member_id=member.id) == 1
    assert replies.MY_REPORTS_SECONDS.format(n=1) in wechat.say("o_zhang", "我的社情民意")
    assert "已附议过" in wechat.say("o_zhang", f"附议 {receipt}")
    assert count(runtime, ReportSecond) == 1


def test_seconders_are_told_of_later_changes(runtime, wechat, member, staff):
    from storage.models import OutboxMessage

    li = add_member(runtime, "李四", "13800001111", openid="o_li")
    receipt = seed(runtime, li.id, REPORT, days_ago=10)
    wechat.say("o_zhang", SIMILAR)
    wechat.say("o_zhang", "那我附议一下吧")
    wechat.say("o_staff", f"采用 {receipt}")
    wechat.say("o_staff", f"采用 {receipt}")  # refused: no second event, no second notice
    with runtime.db.session() as session:
        told = {m.openid: m.text for m in session.query(OutboxMessage).filter_by(kind="report_status")}
    assert set(told) == {"o_li", "o_zhang"}
    assert told["o_zhang"] == outbound.REPORT_SECOND_NOTICES["adopt"].format(receipt=receipt, title=REPORT[:20])


def test_similar_report_can_still_be_submitted(runtime, wechat, member):
    li = add_member(runtime, "李四", "13800001111", openid="o_li")
    seed(runtime, li.id, REPORT)
    assert "相似" in wechat.say("o_zhang", SIMILAR)
    assert wechat.say("o_zhang", "嗯？") == replies.REPORT_CONFIRM_HINT + "\n" + replies.REPORT_CONFIRM_SIMILAR
    assert "SQ2026-0002" in wechat.say("o_zhang", "仍然提交")
    assert count(runtime, ReportSecond) == 0 and count(runtime, Report) == 2


def test_own_similar_report_cannot_be_seconded(runtime, wechat, member):
    receipt = seed(runtime, member.id, REPORT)
    assert f"您近90天已提交过相似的社情民意：{receipt}" in wechat.say("o_zhang", SIMILAR)
    assert wechat.say("o_zhang", "附议").startswith(replies.REPORT_SECOND_OWN)
    assert "SQ2026-0002" in wechat.say("o_zhang", "仍然提交")
    assert count(runtime, ReportSecond) == 0


def test_submit_now_still_checks_for_similar_reports(runtime, wechat, member):
    li = add_member(runtime, "李四", "13800001111")
    receipt = seed(runtime, li.id, REPORT)
    wechat.say("o_zhang", "我想反映个问题")
    reply = wechat.say("o_zhang", "富兴街道老旧小区供暖温度不达标，室温才十四五度")
    assert wechat.say("o_zhang", "直接提交") == replies.REPORT_DUPLICATE.format(
        days=90, receipt=receipt, title=REPORT[:20], status="已提交"), reply
    assert "SQ2026-0002" in wechat.say("o_zhang", "仍然提交")


def test_duplicate_detection_on_a_seeded_set(runtime, member):
    li = add_member(runtime, "李四", "13800001111")
    wanted = seed(runtime, li.id, REPORT, days_ago=30)
    seed(runtime, li.id, REPORT, days_ago=100)                                   # too old
    seed(runtime, li.id, REPORT, district="杭锦旗", category="城乡建设")            # other district and category
    seed(runtime, li.id, REPORT, status=RETURNED)                                # returned: not standing
    seed(runtime, li.id, "东胜区一些小区冬季供暖费收费标准不透明，群众意见大，建议物价部门公开核算依据")  # same topic only
    seed(runtime, li.id, ROAD, district="乌审旗", category="交通出行")
    same_category_other_district = seed(runtime, li.id, SIMILAR, district="达拉特旗")
    with runtime.db.session() as session:
        found = similar.find_similar(session, SIMILAR, district="东胜区", category="民生保障",
                                     since=FIXED_NOW - timedelta(days=90), threshold=0.2)
        assert [m.report.receipt_no for m in found] == [same_category_other_district, wanted]
        assert found[0].score > found[1].score >= 0.2
        none = similar.find_similar(session, ROAD, district="东胜区", category="民生保障",
                                    since=FIXED_NOW - timedelta(days=90), threshold=0.2)
        assert none == []


def test_second_by_receipt_refuses_closed_and_unknown(runtime, wechat, member):
    li = add_member(runtime, "李四", "13800001111")
    rejected = seed(runtime, li.id, REPORT, status="未采用")
    assert "没有找到" in wechat.say("o_zhang", f"附议 {rejected}")  # never offered: reads like an unknown one
    assert "没有找到" in wechat.say("o_zhang", "附议 SQ2026-0099")
    assert count(runtime, ReportSecond) == 0


# --- listing, progress, permissions ------------------------------------------------------------------

def test_listing_and_history(runtime, wechat, member):
    wechat.say("o_zhang", REPORT)
    wechat.say("o_zhang", "提交")
    wechat.say("o_zhang", ROAD)
    wechat.say("o_zhang", "提交")
    listing = wechat.say("o_zhang", "我的社情民意")
    assert "SQ2026-0001" in listing and "SQ2026-0002" in listing and "【已提交】" in listing
    assert listing.index("SQ2026-0002") < listing.index("SQ2026-0001")  # newest first
    history = wechat.say("o_zhang", "SQ2026-0001 进度")
    assert "当前状态：已提交" in history and "11月26日 已提交" in history


def test_members_see_only_their_own(runtime, wechat, member):
    wechat.say("o_zhang", REPORT)
    wechat.say("o_zhang", "提交")
    add_member(runtime, "李四", "13800001111", openid="o_li")
    assert wechat.say("o_li", "SQ2026-0001 进度") == replies.REPORT_NOT_FOUND.format(receipt="SQ2026-0001")
    assert wechat.say("o_li", "我的社情民意").startswith(replies.MY_REPORTS_NONE)
    assert "没有找到" in wechat.say("o_li", "修改 SQ2026-0001")


@pytest.mark.parametrize("command", ["采用 SQ2026-0001", "退回 SQ2026-0001 理由不充分", "报送 SQ2026-0001 市委办公室",
                                     "批示 SQ2026-0001 市长 请市住建局牵头解决", "办结 SQ2026-0001 已解决",
                                     "合并 SQ2026-0001 到 SQ2026-0002", "不采用 SQ2026-0001"])
def test_members_cannot_run_staff_commands(runtime, wechat, member, command):
    wechat.say("o_zhang", REPORT)
    wechat.say("o_zhang", "提交")
    reply = wechat.say("o_zhang", command)
    assert "工作人员" in reply and "委员不能使用" in reply
    assert one_report(runtime).status == "已提交" and len(one_report(runtime).events) == 1


def test_members_do_not_get_the_review_queue(runtime, wechat, member):
    wechat.say("o_zhang", REPORT)
    wechat.say("o_zhang", "提交")
    assert "待审核" not in wechat.say("o_zhang", "待审")


# --- limits -------------------------------------------------------------------------------------------

def test_text_length_cap(runtime, wechat, member):
    assert wechat.say("o_zhang", "供暖问题" * 400) == replies.REPORT_TOO_LONG.format(max=1500)
    runtime.config = runtime.config.with_overrides({"reports.max_chars": 60})
    wechat.say("o_zhang", REPORT)
    reply = wechat.say("o_zhang", "补充：" + "楼道灯也坏了" * 5)
    assert reply == replies.REPORT_TOO_LONG_DRAFT.format(max=60)
    wechat.say("o_zhang", "提交")
    assert one_report(runtime).text == REPORT


def test_daily_cap(runtime, wechat, member):
    runtime.config = runtime.config.with_overrides({"reports.daily_cap": 2})
    seed(runtime, member.id, ROAD, district="乌审旗", category="交通出行")
    wechat.say("o_zhang", REPORT)
    wechat.say("o_zhang", "提交")
    assert wechat.say("o_zhang", "我想反映个问题") == replies.REPORT_DAILY_CAP.format(cap=2)
    assert count(runtime, Report) == 2


def test_daily_cap_checked_again_at_confirmation(runtime, wechat, member):
    runtime.config = runtime.config.with_overrides({"reports.daily_cap": 1})
    wechat.say("o_zhang", REPORT)
    seed(runtime, member.id, ROAD, district="乌审旗", category="交通出行")  # filed meanwhile (another device)
    assert wechat.say("o_zhang", "提交") == replies.REPORT_DAILY_CAP.format(cap=1)
    assert count(runtime, Report) == 1


def test_yesterdays_reports_do_not_count(runtime, wechat, member):
    runtime.config = runtime.config.with_overrides({"reports.daily_cap": 1})
    seed(runtime, member.id, ROAD, days_ago=1, district="乌审旗", category="交通出行")
    wechat.say("o_zhang", REPORT)
    assert "SQ2026-0002" in wechat.say("o_zhang", "提交")


# --- revising a returned report ----------------------------------------------------------------------

def return_first(wechat, reason="请补充具体是哪几个小区"):
    wechat.say("o_zhang", REPORT)
    wechat.say("o_zhang", "提交")
    assert "已退回" in wechat.say("o_staff", f"退回 SQ2026-0001 {reason}")


def test_revise_a_returned_report(runtime, wechat, member, staff):
    return_first(wechat)
    history = wechat.say("o_zhang", "SQ2026-0001 进度")
    assert "请补充具体是哪几个小区" in history and "修改 SQ2026-0001" in history
    start = wechat.say("o_zhang", "修改 SQ2026-0001")
    assert "退回理由：请补充具体是哪几个小区" in start
    revised = REPORT.replace("好几个老旧小区", "光明小区、富兴小区两个老旧小区")
    summary = wechat.say("o_zhang", revised)
    assert summary_of(summary)["修改重报"] == "原编号 SQ2026-0001"
    assert "SQ2026-0002" in wechat.say("o_zhang", "提交")  # no 附议 offer for its own original
    old, new = one_report(runtime, "SQ2026-0001"), one_report(runtime, "SQ2026-0002")
    assert old.text == REPORT and old.status == RETURNED  # the original is never overwritten
    assert new.text == revised and new.revision_of_id == old.id and new.status == "已提交"
    assert old.events[-1].details["revision"] == "SQ2026-0002"
    assert new.events[0].details["revision_of"] == "SQ2026-0001"
    assert wechat.say("o_zhang", "修改 SQ2026-0001") == replies.REPORT_REVISE_DONE.format(
        receipt="SQ2026-0001", new="SQ2026-0002")
    assert "已修改重报" in wechat.say("o_zhang", "SQ2026-0001 进度")


def test_revise_inline_and_resubmit_with_photo(runtime, wechat, member, staff):
    return_first(wechat, "请附现场照片")
    wechat.say("o_zhang", "修改 SQ2026-0001")
    assert wechat.image("o_zhang").endswith(replies.REPORT_REVISE_AGAIN)
    assert summary_of(wechat.say("o_zhang", "提交"))["附件"] == "图片1张"
    wechat.say("o_zhang", "提交")
    new = one_report(runtime, "SQ2026-0002")
    assert new.text == REPORT and new.suggestion == one_report(runtime).suggestion and len(new.attachments) == 1


def test_revise_with_new_text_in_one_message(runtime, wechat, member, staff):
    return_first(wechat)
    summary = wechat.say("o_zhang", "修改 SQ2026-0001 " + SIMILAR)
    assert summary.startswith("请核对")
    wechat.say("o_zhang", "提交")
    assert one_report(runtime, "SQ2026-0002").text == SIMILAR


def test_only_returned_reports_can_be_revised(runtime, wechat, member):
    wechat.say("o_zhang", REPORT)
    wechat.say("o_zhang", "提交")
    assert wechat.say("o_zhang", "修改 SQ2026-0001") == replies.REPORT_REVISE_NOT_RETURNED.format(
        receipt="SQ2026-0001", status="已提交")


def location_xml(openid: str, label: str) -> str:
    from bot.wechat_sim import next_msg_id

    return (f"<xml><ToUserName><![CDATA[gh_assistant]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[location]]></MsgType>"
            f"<Location_X>39.6</Location_X><Location_Y>109.8</Location_Y><Scale>15</Scale>"
            f"<Label><![CDATA[{label}]]></Label><MsgId>{next_msg_id()}</MsgId></xml>")


def test_location_answers_where(runtime, wechat, member):
    wechat.say("o_zhang", "路灯坏了好久了，晚上出门很不方便，老人摔倒过好几次，大家意见很大")
    reply = wechat.deliver(location_xml("o_zhang", "内蒙古鄂尔多斯市东胜区天骄北路"), "o_zhang")
    assert reply == replies.REPORT_LOCATION_ADDED.format(label="内蒙古鄂尔多斯市东胜区天骄北路") \
        + replies.REPORT_ASK_SUGGESTION
    wechat.say("o_zhang", "建议尽快维修")
    wechat.say("o_zhang", "提交")
    report = one_report(runtime)
    assert "东胜区天骄北路" in report.text and report.district == "东胜区"


def test_unrecognised_voice_keeps_the_draft(runtime, wechat, member):
    wechat.say("o_zhang", "我想反映个问题")
    assert wechat.voice("o_zhang", None) == replies.VOICE_NOT_RECOGNISED
    assert wechat.say("o_zhang", REPORT).startswith("请核对")


def test_menu_click_opens_a_draft(runtime, wechat, member):
    assert wechat.event("o_zhang", "CLICK", "REPORT") == replies.REPORT_ASK_DETAILS
    assert wechat.say("o_zhang", REPORT).startswith("请核对")
    assert "SQ2026-0001" in wechat.say("o_zhang", "提交")
