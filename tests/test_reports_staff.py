"""社情民意, staff side: the transition table, WeChat commands, the CLI, notifications, permissions."""
from __future__ import annotations

import pytest

import intents
from bot import replies
from bot.cli import build_parser
from bot.report_review import review
from conftest import FIXED_NOW, add_member
from storage import reports
from storage.models import Member, OutboxMessage, Report, ReportEvent
from storage.report_flow import (
    ACTIONS, ADOPTED, CLOSED, FORWARDED, INSTRUCTED, MERGED, REJECTED, RETURNED, STATES, SUBMITTED, VERBS,
    FlowError, instruction_level,
)

TEXT = "富兴街道好几个老旧小区冬季供暖温度不达标，室温只有十四五度，老人孩子受不了，建议住建部门加强监管，督促热力公司整改"
ARGS = {"adopt": {}, "return": {"note": "请补充具体小区"}, "reject": {"note": "已有部门在办"},
        "forward": {"to": "市委办公室"}, "instruct": {"to": "市长", "note": "请市住建局牵头解决"},
        "close": {"note": "已完成供热管网改造"}, "merge": {"into": "SQ2026-0002"}}


@pytest.fixture(autouse=True, scope="module")
def warm_intents():
    intents.warm_up()


def file_report(rt, member: Member, text: str = TEXT, status: str = SUBMITTED) -> str:
    with rt.db.session() as session:
        report = reports.create_report(session, session.get(Member, member.id), text=text, title=text[:20],
                                       category="民生保障", district="东胜区", now=FIXED_NOW, prefix="SQ",
                                       suggestion="建议住建部门加强监管，督促热力公司整改")
        report.status = status
        return report.receipt_no


def load(rt, receipt: str = "SQ2026-0001") -> Report:
    with rt.db.session() as session:
        report = reports.by_receipt(session, receipt)
        report.events, report.member  # load while the session is open
        return report


def notices(rt, member_id: int | None = None) -> list[OutboxMessage]:
    with rt.db.session() as session:
        query = session.query(OutboxMessage).filter_by(kind="report_status")
        if member_id is not None:
            query = query.filter_by(member_id=member_id)
        return query.order_by(OutboxMessage.id).all()


# --- the transition table ---------------------------------------------------------------------------

def test_transition_table_is_one_consistent_place():
    assert {a.target for a in ACTIONS.values()} | {SUBMITTED} == set(STATES)
    assert {a.verb for a in ACTIONS.values()} <= set(VERBS)
    assert ACTIONS["adopt"].sources == (SUBMITTED,) and ACTIONS["return"].note_required
    assert ACTIONS["forward"].sources == (ADOPTED, FORWARDED) and ACTIONS["close"].target == CLOSED
    parser = build_parser()
    review_parser = parser._subparsers._group_actions[0].choices["reports"]._subparsers._group_actions[0] \
        .choices["review"]
    action_arg = next(a for a in review_parser._actions if a.dest == "action")
    assert list(action_arg.choices) == list(ACTIONS)  # the CLI offers exactly the table's actions


def test_instruction_level_guess():
    assert instruction_level("市长") == "市级" and instruction_level("自治区副主席") == "自治区级"
    assert instruction_level("东胜区区长") == "旗区级" and instruction_level("国务院办公厅") == "国家级"


def test_every_action_from_every_state(runtime, member):
    """Allowed exactly from the table's source states; a refusal changes nothing and notifies nobody."""
    target_receipt = file_report(runtime, member)          # SQ2026-0001: merge target, stays 已提交
    assert target_receipt == "SQ2026-0001"
    for action in ACTIONS.values():
        for state in STATES:
            receipt = file_report(runtime, member, text=f"{action.name} {state} {TEXT}", status=state)
            args = dict(ARGS[action.name])
            if action.name == "merge":
                args["into"] = target_receipt
            before = len(notices(runtime))
            with runtime.db.session() as session:
                try:
                    outcome = review(session, receipt, action.name, actor="王秘书", now=FIXED_NOW, **args)
                except FlowError as exc:
                    allowed, code = False, exc.code
                else:
                    allowed = True
                    assert outcome.report.status == action.target and outcome.notified
            assert allowed == (state in action.sources), (action.name, state)
            report = load(runtime, receipt)
            if allowed:
                assert report.status == action.target and len(notices(runtime)) == before + 1
                assert report.events[-1].actor == "王秘书" and report.events[-1].details["action"] == action.name
            else:
                assert code == "not_allowed" and report.status == state and len(report.events) == 1
                assert len(notices(runtime)) == before


@pytest.mark.parametrize("action,args,code", [
    ("return", {}, "need_note_return"),
    ("return", {"note": "   "}, "need_note_return"),
    ("forward", {}, "need_to_forward"),
    ("instruct", {"note": "请牵头解决"}, "need_to_instruct"),
    ("instruct", {"to": "市长"}, "need_note_instruct"),
    ("close", {}, "need_note_close"),
    ("merge", {}, "need_into"),
    ("merge", {"into": "SQ2026-0001"}, "merge_self"),
    ("merge", {"into": "SQ2026-0099"}, "into_not_found"),
    ("fly", {}, "unknown_action"),
])
def test_missing_arguments_are_refused(runtime, member, action, args, code):
    file_report(runtime, member)
    with runtime.db.session() as session:
        report = reports.by_receipt(session, "SQ2026-0001")
        report.status = ADOPTED if action in ("forward",) else FORWARDED if action in ("instruct", "close") \
            else SUBMITTED
    with runtime.db.session() as session, pytest.raises(FlowError) as caught:
        review(session, "SQ2026-0001", action, actor="王秘书", now=FIXED_NOW, **args)
    assert caught.value.code == code
    assert replies.REPORT_FLOW_ERRORS[code].format(**caught.value.params)  # every code has wording


# --- WeChat commands -----------------------------------------------------------------------------------

def test_whole_loop_over_wechat_with_notifications(runtime, wechat, member, staff):
    wechat.say("o_zhang", TEXT)
    wechat.say("o_zhang", "提交")
    steps = [
        ("采用 SQ2026-0001", ADOPTED, "已被采用"),
        ("报送 SQ2026-0001 市委办公室", FORWARDED, "已报送市委办公室"),
        ("批示 SQ2026-0001 市长 请市住建局牵头解决", INSTRUCTED, "已获市长批示：请市住建局牵头解决"),
        ("办结 SQ2026-0001 已完成供热管网改造，室温达标", CLOSED, "已办结。办理结果：已完成供热管网改造，室温达标"),
    ]
    for n, (command, state, notice) in enumerate(steps, 1):
        reply = wechat.say("o_staff", command)
        assert f"当前状态：{state}" in reply and "已通知张三" in reply
        sent = notices(runtime, member.id)
        assert len(sent) == n and sent[-1].openid == "o_zhang" and "SQ2026-0001" in sent[-1].text
        assert notice in sent[-1].text
    report = load(runtime)
    assert report.text == TEXT and report.status == CLOSED
    assert [e.status for e in report.events] == [SUBMITTED, ADOPTED, FORWARDED, INSTRUCTED, CLOSED]
    assert {e.actor for e in report.events[1:]} == {"王秘书"}
    assert report.events[2].details["to"] == "市委办公室"
    assert report.events[3].details == {"action": "instruct", "from": FORWARDED, "leader": "市长", "level": "市级",
                                        "text": "请市住建局牵头解决"}
    assert report.events[4].note == "已完成供热管网改造，室温达标"
    for event, notice in zip(report.events[1:], notices(runtime)):
        assert notice.dedup_key == f"report:{report.id}:event:{event.id}"
    history = wechat.say("o_zhang", "SQ2026-0001 进度")
    assert "已报送：市委办公室" in history and "市长（市级）：请市住建局牵头解决" in history
    assert "王秘书" not in history  # members see what happened, not which staff member did it
    assert "（王秘书）" in wechat.say("o_staff", "查看 SQ2026-0001")


def test_return_needs_a_reason_and_notifies_with_it(runtime, wechat, member, staff):
    file_report(runtime, member)
    assert wechat.say("o_staff", "退回 SQ2026-0001") == replies.STAFF_ASK_NOTE["return"].format(receipt="SQ2026-0001")
    assert load(runtime).status == SUBMITTED and notices(runtime) == []
    assert wechat.say("o_staff", "取消") == replies.CANCELLED.format(what="审核操作")
    assert load(runtime).status == SUBMITTED and notices(runtime) == []
    wechat.say("o_staff", "退回 SQ2026-0001 理由：请补充具体是哪几个小区")
    report = load(runtime)
    assert report.status == RETURNED and report.events[-1].note == "请补充具体是哪几个小区"
    (notice,) = notices(runtime)
    assert "已退回，理由：请补充具体是哪几个小区" in notice.text and "修改 SQ2026-0001" in notice.text


def test_reject(runtime, wechat, member, staff):
    file_report(runtime, member)
    assert "当前状态：未采用" in wechat.say("o_staff", "不采用 SQ2026-0001 相关部门已在办理")
    assert load(runtime).status == REJECTED and "未被采用" in notices(runtime)[0].text


def test_merge(runtime, wechat, member, staff):
    li = add_member(runtime, "李四", "13800001111", openid="o_li")
    file_report(runtime, member)
    file_report(runtime, li, text="富兴街道老旧小区暖气不热" + TEXT[12:])
    reply = wechat.say("o_staff", "合并 SQ2026-0002 到 SQ2026-0001")
    assert "当前状态：已合并" in reply and "已通知李四" in reply
    merged, target = load(runtime, "SQ2026-0002"), load(runtime, "SQ2026-0001")
    assert merged.status == MERGED and merged.merged_into_id == target.id
    assert merged.events[-1].details["into"] == "SQ2026-0001"
    assert target.status == SUBMITTED and target.events[-1].details == {"action": "merged_in",
                                                                          "from_report": "SQ2026-0002"}
    (notice,) = notices(runtime)
    assert notice.member_id == li.id and "与 SQ2026-0001 反映的问题相同，已合并办理" in notice.text
    assert "当前状态为「已合并」，不能合并" in wechat.say("o_staff", "合并 SQ2026-0002 到 SQ2026-0001")
    assert "不能作为合并目标" in wechat.say("o_staff", "合并 SQ2026-0001 到 SQ2026-0002")


def test_unknown_receipt_and_short_forms(runtime, wechat, member, staff):
    file_report(runtime, member)
    assert wechat.say("o_staff", "采用 SQ2026-0099") == replies.REPORT_FLOW_ERRORS["not_found"].format(
        receipt="SQ2026-0099")
    assert "当前状态：已采用" in wechat.say("o_staff", "采用 sq2026-1")  # case and zero padding forgiven
    assert "不能采用" in wechat.say("o_staff", "采用 SQ2026-0001")
    assert len(notices(runtime)) == 1


def test_pending_queue_oldest_first_and_view(runtime, wechat, member, staff):
    assert wechat.say("o_staff", "待审") == replies.STAFF_PENDING_NONE
    for n in range(3):
        file_report(runtime, member, text=f"第{n + 1}条 {TEXT}")
    wechat.say("o_staff", "采用 SQ2026-0002")
    queue = wechat.say("o_staff", "待审")
    assert queue.startswith("待审核社情民意2条") and "SQ2026-0002" not in queue
    assert queue.index("SQ2026-0001") < queue.index("SQ2026-0003") and "张三" in queue
    view = wechat.say("o_staff", "查看 SQ2026-0001")
    assert TEXT in view and "建议：建议住建部门加强监管" in view and "反映人：张三（经济界）" in view
    assert "已提交（张三）" in view


def test_pending_queue_is_capped(runtime, wechat, member, staff):
    for n in range(12):
        file_report(runtime, member, text=f"第{n + 1}条 {TEXT}")
    queue = wechat.say("o_staff", "待审")
    assert queue.startswith("待审核社情民意12条") and "另有2条" in queue and "SQ2026-0011" not in queue


def test_long_text_is_cut_in_the_wechat_view(runtime, wechat, member, staff):
    file_report(runtime, member, text="供暖" * 500)
    view = wechat.say("o_staff", "查看 SQ2026-0001")
    assert "全文1000字" in view and len(view.encode()) <= 2048


def test_unbound_member_is_not_notified(runtime, wechat, staff):
    offline = add_member(runtime, "赵六", "13800002222")  # on the roster, never bound WeChat
    file_report(runtime, offline)
    assert "赵六未绑定微信，未发通知" in wechat.say("o_staff", "采用 SQ2026-0001")
    assert load(runtime).status == ADOPTED and notices(runtime) == []


def test_replayed_staff_command_acts_once(runtime, wechat, member, staff):
    file_report(runtime, member)
    first = wechat.say("o_staff", "采用 SQ2026-0001", msg_id=880001)
    assert wechat.say("o_staff", "采用 SQ2026-0001", msg_id=880001) == first
    with runtime.db.session() as session:
        assert session.query(ReportEvent).count() == 2
    assert len(notices(runtime)) == 1


def test_staff_help_and_normal_messages_still_work(runtime, wechat, staff):
    assert "待审" in wechat.say("o_staff", "帮助")
    assert "请核对" in wechat.say("o_staff", TEXT)  # staff may file reports too


# --- CLI ---------------------------------------------------------------------------------------------------

def test_cli_help(cli):
    for sub in ("list", "show", "review", "export"):
        with pytest.raises(SystemExit) as done:
            cli("reports", sub, "--help")
        assert done.value.code == 0


def test_cli_list_show_review(runtime, cli, member):
    file_report(runtime, member)
    file_report(runtime, member, text="第二条 " + TEXT)
    code, out, _ = cli("reports", "list")
    assert code == 0 and out.index("SQ2026-0002") < out.index("SQ2026-0001") and "张三" in out
    code, out, _ = cli("reports", "review", "SQ2026-0001", "--action", "adopt", "--note", "内容翔实", "--by", "李秘书")
    assert code == 0 and "当前状态：已采用" in out and "已通知张三" in out
    code, out, _ = cli("reports", "list", "--status", "已提交")
    assert "SQ2026-0002" in out and "SQ2026-0001" not in out
    code, out, _ = cli("reports", "review", "SQ2026-0001", "--action", "forward", "--to", "市政府办公室")
    assert code == 0
    code, out, _ = cli("reports", "review", "SQ2026-0001", "--action", "instruct", "--to", "自治区副主席",
                       "--note", "请自治区住建厅督办")
    assert code == 0
    code, out, _ = cli("reports", "review", "SQ2026-0001", "--action", "close", "--note", "已整改")
    assert code == 0
    code, out, _ = cli("reports", "show", "SQ2026-0001")
    assert code == 0 and TEXT in out and "已办结" in out and "（李秘书）" in out and "自治区副主席（自治区级）" in out
    report = load(runtime)
    assert report.events[1].actor == "李秘书" and report.events[1].note == "内容翔实"
    assert report.events[3].details["level"] == "自治区级"
    assert [n.text.split("》")[1][:4] for n in notices(runtime)] == ["已被采用", "已报送市", "已获自治", "已办结。"]
    code, out, _ = cli("reports", "review", "SQ2026-0002", "--action", "merge", "--into", "SQ2026-0001")
    assert code == 0 and load(runtime, "SQ2026-0002").status == MERGED


@pytest.mark.parametrize("argv,message", [
    (["SQ2026-0009", "--action", "adopt"], "没有找到"),
    (["SQ2026-0001", "--action", "return"], "退回须写明理由"),
    (["SQ2026-0001", "--action", "close", "--note", "已办"], "不能办结"),
    (["SQ2026-0001", "--action", "merge", "--into", "SQ2026-0001"], "合并到它自己"),
])
def test_cli_review_errors(runtime, cli, member, argv, message):
    file_report(runtime, member)
    code, _, err = cli("reports", "review", *argv)
    assert code == 2 and message in err and err.startswith("错误：")
    assert load(runtime).status == SUBMITTED and notices(runtime) == []


def test_cli_show_unknown(runtime, cli):
    code, _, err = cli("reports", "show", "SQ2026-0042")
    assert code == 2 and "没有找到" in err
