"""The 社情民意 draft dialog: does the text name a place or a suggestion, and what does a short reply mean."""
from __future__ import annotations

import enum
import re

from .normalize import normalize
from .places import find_district

SUGGESTION_RE = re.compile(r"建议|希望|呼吁|应当|应该|请求|恳请|恳求|盼望")
PLACE_RE = re.compile(r"(?!我们|咱们|俺们|他们|你们|我家|咱家|.的|.里|.条|.个)[\u4e00-\u9fff]{2}(街道|社区|小区|镇|乡|苏木|嘎查|(?<!农)村|大道|大街|路(?![灯面况费线由子过上])|"
                      r"街(?![灯头])|广场|公园|园区|开发区|医院|学校|中学|小学|幼儿园|景区|车站|旗|县)")
TRIGGER_RE = re.compile(r"(我)?(想|要|准备|来)?((反映|提交|报送|提|写|说|报)(一下|一个|个|一条|条|点)?)?"
                        r"(社情民意|问题|情况|建议|意见)?(信息)?")  # "我想反映个问题": no content yet


class DraftReply(enum.Flag):
    """What a short reply may mean inside a draft; a word can mean several (提交 confirms, submits now …)."""
    NONE = 0
    CONFIRM = enum.auto()        # yes to the summary / nothing to add: 好的, 确认, 提交
    SUBMIT_NOW = enum.auto()     # stop asking and submit what there is: 直接提交, 就这样
    REWRITE = enum.auto()        # start the text over: 重写, 修改
    SECOND = enum.auto()         # second the similar report instead: 附议
    SUBMIT_ANYWAY = enum.auto()  # submit despite the similar report: 仍然提交
    SKIP = enum.auto()           # nothing for this question: 没有, 不知道


_WORDS = {
    DraftReply.CONFIRM: {"提交", "确认", "确定", "好", "好的", "是", "是的", "对", "对的", "1", "可以", "没问题",
                         "确认提交", "提交吧", "ok"},
    DraftReply.SUBMIT_NOW: {"直接提交", "就这样提交", "就这样", "直接交", "提交就行", "提交", "确认提交", "提交吧"},
    DraftReply.REWRITE: {"修改", "重写", "重新写", "改一下", "我要修改"},
    DraftReply.SECOND: {"附议", "我附议", "附议该条", "支持"},
    DraftReply.SUBMIT_ANYWAY: {"仍然提交", "继续提交", "还是提交", "单独提交", "提交", "确认提交"},
    DraftReply.SKIP: {"没有", "无", "暂无", "没", "没有建议", "没建议", "不知道", "不清楚", "就这些", "没了", "不用"},
}


def reply_word(text: str) -> str:
    """A short reply as compared with the word lists: trimmed of spaces and end punctuation, lower-case."""
    return text.strip().strip(" 。.!！~～，,、").lower()


def draft_reply(text: str) -> DraftReply:
    """Every meaning the reply has (DraftReply.NONE when it is not one of the known words)."""
    word = reply_word(text)
    meaning = DraftReply.NONE
    for kind, words in _WORDS.items():
        if word in words:
            meaning |= kind
    return meaning


def is_bare_report_trigger(text: str) -> bool:
    """'我想反映个问题', '提建议', '社情民意': asks to report without saying anything yet."""
    return TRIGGER_RE.fullmatch(reply_word(text)) is not None


def has_place(text: str) -> bool:
    """Names a concrete place (…街道, …小区, …医院) or any banner/district/town of Ordos."""
    return bool(PLACE_RE.search(text)) or find_district(normalize(text)) is not None


def split_suggestion(text: str) -> tuple[str, str]:
    """(what happened, the suggestion): the suggestion runs from the first 建议/希望/应当… on; '' if none."""
    found = SUGGESTION_RE.search(text)
    if found is None:
        return text, ""
    return text[:found.start()].strip(), text[found.start():].strip()
