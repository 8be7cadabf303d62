"""Fixed-syntax understanding in intents: draft replies, staff and member commands, receipts, sign-in codes.

Pure functions: no runtime, no database."""
from __future__ import annotations

import pytest

import intents
from intents import DraftReply, StaffArguments, StaffCommand

# The review vocabulary as storage/report_flow.py VERBS passes it (kept literal: these tests stay pure).
VERBS = ("采用", "退回", "不采用", "未采用", "报送", "批示", "办结", "合并")
NEEDS = {"报送": {"to": True}, "批示": {"to": True}, "合并": {"into": True}}


def review(text: str) -> tuple[StaffCommand, StaffArguments]:
    command = intents.parse_staff_command(text, VERBS)
    assert command is not None and command.kind == "review", text
    return command, command.arguments(**NEEDS.get(command.verb, {}))


# --- receipts -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, stored", [
    ("sq2026-12", "SQ2026-0012"), (" SQ2026-0012 ", "SQ2026-0012"), ("zx2026-1", "ZX2026-0001"),
    ("SQ2026-12345", "SQ2026-12345"), ("sq 2026-1", "SQ 2026-1"), ("abc", "ABC"),
])
def test_normalize_receipt(typed, stored):
    assert intents.normalize_receipt(typed) == stored


def test_find_receipt_keeps_what_was_typed():
    assert intents.find_receipt("我的sq2026-12怎么样了") == "sq2026-12"
    assert intents.find_receipt("ZX2026-0003 进度") == "ZX2026-0003"
    assert intents.find_receipt("我的社情民意") is None
    assert intents.find_receipt("SQ 2026-12") is None  # spaces: only the report_id slot of parse() allows them


# --- staff commands -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["待审", " 待审核 ", "待审列表", "待审核社情民意"])
def test_pending(text):
    assert intents.parse_staff_command(text, VERBS) == StaffCommand("pending")


def test_view():
    assert intents.parse_staff_command("查看 sq2026-12", VERBS) == StaffCommand("view", receipt="sq2026-12")
    assert intents.parse_staff_command("查看SQ2026-0012", VERBS).receipt == "SQ2026-0012"
    assert intents.parse_staff_command("查看 SQ2026-0012 详情", VERBS) is None


def test_review_verb_receipt_and_note():
    command, args = review("采用 sq2026-1 写得很好")
    assert (command.verb, command.receipt, command.rest) == ("采用", "sq2026-1", "写得很好")
    assert args == StaffArguments(note="写得很好")
    assert review("采用SQ2026-0001")[1] == StaffArguments()


def test_longest_verb_wins():
    assert review("不采用 SQ2026-0001 已有部门在办")[0].verb == "不采用"
    assert review("未采用 SQ2026-0001")[0].verb == "未采用"


def test_lead_words_are_dropped_from_a_note():
    assert review("退回 SQ2026-0001 理由：请补充具体小区")[1].note == "请补充具体小区"
    assert review("办结 SQ2026-0001 办理结果 已完成改造")[1].note == "已完成改造"
    assert review("退回 SQ2026-0001\n说明:\n请补充")[1].note == "请补充"


def test_recipient_comes_first():
    assert review("报送 SQ2026-0001 市委办公室")[1] == StaffArguments(to="市委办公室")
    assert review("批示 SQ2026-0001 市长，请市住建局牵头解决")[1] == StaffArguments(note="请市住建局牵头解决",
                                                                                  to="市长")
    assert review("报送 SQ2026-0001")[1] == StaffArguments()


@pytest.mark.parametrize("text", ["合并 SQ2026-0013 到 SQ2026-0012", "合并 SQ2026-0013 sq2026-12",
                                  "合并SQ2026-0013->SQ2026-0012", "合并 SQ2026-0013 并入 SQ2026-0012"])
def test_merge_target(text):
    command, args = review(text)
    assert command.receipt == "SQ2026-0013" and args.into.upper() in ("SQ2026-0012", "SQ2026-12")


def test_merge_target_and_note():
    assert review("合并 SQ2026-0013 到 SQ2026-0012 内容重复")[1] == StaffArguments(note="内容重复", into="SQ2026-0012")
    assert review("合并 SQ2026-0013 重复了")[1] == StaffArguments()


@pytest.mark.parametrize("text", ["采用", "采用 SQ", "请采用 SQ2026-0001", "我的社情民意", "查看", "待审 一下",
                                  "SQ2026-0001 采用"])
def test_not_a_staff_command(text):
    assert intents.parse_staff_command(text, VERBS) is None


def test_verbs_are_the_callers():
    assert intents.parse_staff_command("采用 SQ2026-0001", ("退回",)) is None
    assert intents.parse_staff_command("采用 SQ2026-0001", ()) is None
    assert intents.parse_staff_command("待审", ()) == StaffCommand("pending")


def test_every_workflow_verb_parses():
    from storage.report_flow import VERBS as WORKFLOW_VERBS  # the real table (an import, no database)

    for verb in WORKFLOW_VERBS:
        command = intents.parse_staff_command(f"{verb} SQ2026-0001 说明", WORKFLOW_VERBS)
        assert command is not None and command.verb == verb


# --- member commands ----------------------------------------------------------------------------------

def test_revise():
    assert intents.parse_member_command("修改 sq2026-3") == intents.MemberCommand("revise", "sq2026-3", "")
    assert intents.parse_member_command("修改SQ2026-0003：新的内容\n第二行") == intents.MemberCommand(
        "revise", "SQ2026-0003", "新的内容\n第二行")
    assert intents.parse_member_command(" 修改 SQ2026-0003 , 新内容 ").rest == "新内容"


def test_second():
    assert intents.parse_member_command("附议 SQ2026-0012") == intents.MemberCommand("second", "SQ2026-0012")
    assert intents.parse_member_command("附议SQ2026-0012 ").kind == "second"
    assert intents.parse_member_command("附议 SQ2026-0012 我也遇到过") is None


@pytest.mark.parametrize("text", ["修改", "附议", "我要修改", "采用 SQ2026-0001", "修改一下 SQ2026-0001"])
def test_not_a_member_command(text):
    assert intents.parse_member_command(text) is None


# --- sign-in ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key, code", [("A3", "A3"), ("qrscene_A3", "A3"), ("qrscene_a12", "A12"), (" a7 ", "A7"),
                                       ("", None), (None, None), ("qrscene_", None), ("B3", None),
                                       ("qrscene_A3x", None), ("last_trade_no", None)])
def test_activity_scene_code(key, code):
    assert intents.activity_scene_code(key) == code


@pytest.mark.parametrize("text, code", [("签到 4821", "4821"), ("签到码是4821", "4821"), ("4821", "4821"),
                                        ("４８２１", "4821"), ("签到", None), ("好的", None),
                                        ("13912345678", None)])
def test_sign_in_code(text, code):
    assert intents.sign_in_code(text) == code


# --- the 社情民意 draft ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, meaning", [
    ("好的", DraftReply.CONFIRM), (" OK！", DraftReply.CONFIRM), ("直接提交", DraftReply.SUBMIT_NOW),
    ("提交", DraftReply.CONFIRM | DraftReply.SUBMIT_NOW | DraftReply.SUBMIT_ANYWAY),
    ("确认提交。", DraftReply.CONFIRM | DraftReply.SUBMIT_NOW | DraftReply.SUBMIT_ANYWAY),
    ("重写", DraftReply.REWRITE), ("修改", DraftReply.REWRITE), ("我附议", DraftReply.SECOND),
    ("仍然提交", DraftReply.SUBMIT_ANYWAY), ("没有", DraftReply.SKIP), ("不知道~", DraftReply.SKIP),
    ("小区门口的路灯坏了", DraftReply.NONE), ("", DraftReply.NONE),
])
def test_draft_reply(text, meaning):
    assert intents.draft_reply(text) == meaning


def test_reply_word():
    assert intents.reply_word("  好的！ ") == "好的" and intents.reply_word("OK.") == "ok"


@pytest.mark.parametrize("text", ["我想反映个问题", "反映问题", "提建议", "社情民意", "我要提交社情民意信息", "说一下情况！",
                                  ""])
def test_bare_report_trigger(text):
    assert intents.is_bare_report_trigger(text)


@pytest.mark.parametrize("text", ["我想反映富兴街道供暖问题", "小区路灯坏了", "反映个问题：路灯坏了"])
def test_report_with_content_is_not_a_bare_trigger(text):
    assert not intents.is_bare_report_trigger(text)


@pytest.mark.parametrize("text, place", [
    ("富兴街道好几个小区供暖不达标", True), ("市第一人民医院门口拥堵", True), ("准旗的学校缺老师", True),
    ("薛家湾的路面坏了", True), ("供暖温度不达标", False), ("路灯坏了很久", False), ("农村养老问题", False),
])
def test_has_place(text, place):
    assert intents.has_place(text) is place


def test_split_suggestion():
    assert intents.split_suggestion("路灯坏了。建议尽快维修 ") == ("路灯坏了。", "建议尽快维修")
    assert intents.split_suggestion("希望加强监管") == ("", "希望加强监管")
    assert intents.split_suggestion("路灯坏了") == ("路灯坏了", "")

