"""Reading replies inside a dialog (intents/conversation.py) and robust reading (normalize). Pure: no runtime."""
from __future__ import annotations

import pytest

import intents
from intents import Edit
from intents.normalize import normalize


# --- cancel -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["取消", "算了", "不打了", "不用了", "不写了", "先不弄了", "算了不打了", "不报了",
                                  "不要了", "先这样吧不弄了", "退出", "算了算了", "算了吧", "不用了谢谢", "取消！",
                                  "那就算了", "改天再说吧", "先不补了", "不弄了 😂", "取銷"])
def test_cancel(text):
    assert intents.is_cancel(text)


@pytest.mark.parametrize("text", ["取消报名 A3", "取消报名", "退出报名", "不参加了", "算了 我还是报名A3吧", "半小时",
                                  "不打卡的话怎么办", "好的", "", "👍"])
def test_not_cancel(text):
    assert not intents.is_cancel(text)


# --- confirm ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["行", "好的", "可以", "没问题", "就这样", "提交吧", "对", "确认", "提交",
                                  "行 就这样吧 提交", "嗯嗯 可以", "好的，谢谢", "OK", "ＯＫ", "确定！", "是的",
                                  "就这样提交吧", "可以的"])
def test_confirm(text):
    assert intents.is_confirm(text)


@pytest.mark.parametrize("text", ["不行", "不对", "不可以", "好的，再加一句：路灯也坏了", "嗯", "标题改成：供暖问题",
                                  "可以把分类改成交通出行吗", "行吧 不过地点写错了", "", "算了"])
def test_not_confirm(text):
    assert not intents.is_confirm(text)


# --- edits --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,edit", [
    ("标题改成：富兴街道供暖不达标", Edit("title", "富兴街道供暖不达标")),
    ("把标题改为 小区供暖问题", Edit("title", "小区供暖问题")),
    ("标题：冬季供暖", Edit("title", "冬季供暖")),
    ("标题改成", Edit("title", "")),
    ("分类改成 交通出行", Edit("category", "交通出行")),
    ("分类改为交通", Edit("category", "交通出行")),
    ("把分类改成环保类", Edit("category", "生态环保")),
    ("分类改成 火星探索", Edit("category", "")),
    ("旗区改成准旗", Edit("district", "准格尔旗")),
    ("地点改为 薛家湾镇", Edit("district", "准格尔旗")),
    ("旗区改成 月球", Edit("district", "")),
    ("补充：路灯也坏了三盏", Edit("append", "路灯也坏了三盏")),
    ("再补充一点，晚上没有保安巡逻", Edit("append", "晚上没有保安巡逻")),
    ("补充一下", Edit("append", "")),
    ("標題改成：供暖問題", Edit("title", "供暖問題")),  # as written
])
def test_parse_edit(text, edit):
    assert intents.parse_edit(text) == edit


@pytest.mark.parametrize("text", ["行 就这样吧 提交", "好的", "我们小区的标题栏坏了", "今天学习了一小时", ""])
def test_not_an_edit(text):
    assert intents.parse_edit(text) is None


def test_title_keeps_the_members_wording():
    assert intents.parse_edit("标题改成：ＡＢＣ小区“供暖”问题").value == "ＡＢＣ小区“供暖”问题"


# --- numbered choice ----------------------------------------------------------------------------------
@pytest.mark.parametrize("text,n", [("1", 1), ("１", 1), ("①", 1), ("第一个", 1), ("一", 1), ("选1", 1), ("1号", 1),
                                    ("第1个吧", 1), ("2", 2), ("第三个", 3), ("❸", 3), ("选第二个", 2), ("最后一个", 3),
                                    (" 2。", 2)])
def test_choice(text, n):
    assert intents.choice(text, 3) == n


@pytest.mark.parametrize("text", ["4", "0", "第五个", "报名A1", "1小时", "13912345678", "好的", "", "一个半小时"])
def test_not_a_choice(text):
    assert intents.choice(text, 3) is None


# --- questions, thanks, stickers ----------------------------------------------------------------------
@pytest.mark.parametrize("text", ["视察的那个活动我想去看看还有没有位置", "几点开始", "在哪", "什么时候开",
                                  "能不能带家属", "是不是要穿正装", "读书会还有名额吗", "明天的会在哪开呢",
                                  "我昨天那个学习打卡是不是没打上啊", "A3几点？"])
def test_question(text):
    assert intents.is_question(text)


@pytest.mark.parametrize("text", ["帮我报个名", "报名 A3", "能不能帮我报个名", "可以帮我取消吗", "算我一个",
                                  "学习打卡 政协章程 30分钟", ""])
def test_not_question(text):
    assert not intents.is_question(text)


@pytest.mark.parametrize("text,expected", [("谢谢", True), ("好的谢谢", True), ("辛苦了！", True), ("感谢老师👍", True),
                                           ("多谢多谢", True), ("谢谢，帮我报名A3", False), ("好的", False),
                                           ("", False)])
def test_thanks(text, expected):
    assert intents.is_thanks(text) is expected


@pytest.mark.parametrize("text,expected", [("👍👍👍", True), ("[微笑]", True), ("/::)", True), ("🌹🌹 [强]", True),
                                           ("[捂脸][捂脸]", True), ("👍 好的", False), ("报名A3👍", False),
                                           ("。。。", False), ("", False)])
def test_only_emoji_or_sticker(text, expected):
    assert intents.is_only_emoji_or_sticker(text) is expected


# --- robust reading (normalize) -----------------------------------------------------------------------
@pytest.mark.parametrize("text,expected", [
    ("學習打卡 今天學習了政協章程一小時", "学习打卡 今天学习了政协章程一小时"),
    ("报民A1", "报名A1"), ("报命 A3", "报名 A3"), ("抱名", "报名"), ("签道 4821", "签到 4821"), ("签倒", "签到"),
    ("取销", "取消"), ("取销报民 A3", "取消报名 A3"), ("打咔 政协章程", "打卡 政协章程"), ("帮我取销一下", "帮我取消一下"),
    ("报名Ａ３", "报名A3"), ("❶", "1"), ("报名A3👍👍", "报名A3"), ("[微笑]签到 4821", "签到 4821"),
])
def test_normalize(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize("text", [
    "大卡车把路压坏了", "钱到账了吗", "保命要紧", "包明 13912345678", "她叫王民，报民的事我不清楚", "宝鸣同志的建议",
    "前导工作做得好", "去销售部门问问", "打开菜单", "请问A3在哪",
])
def test_homophone_fix_leaves_names_and_words_alone(text):
    assert normalize(text) == text.replace("，", ",")


@pytest.mark.parametrize("text,expected", [("报名", True), ("我报名", True), ("给我报上吧", True), ("我去", True),
                                           ("帮我报个名吧", True), ("报名 A3", False), ("我不去", False),
                                           ("几点开始", False)])
def test_is_sign_me_up(text, expected):
    from intents import is_sign_me_up

    assert is_sign_me_up(text) is expected
