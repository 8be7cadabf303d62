"""Tests of the intents package: slot extractors, plain command forms, CLI and held-out measurement."""
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

import intents
from intents import extract, parse
from intents.evaluate import evaluate, evaluate_dev, format_report, load_jsonl

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "data" / "heldout.jsonl"
NOW = datetime.fromisoformat("2026-11-26T10:00:00+08:00")  # a Thursday


@pytest.fixture(scope="module", autouse=True)
def warm():
    intents.warm_up()


def one(text, kind, intent=None):
    return extract(text, NOW, (kind,), intent=intent).get(kind)


# ------------------------------------------------------------------ slots
@pytest.mark.parametrize("text,expected", [
    ("今天", "2026-11-26"), ("昨天", "2026-11-25"), ("前天", "2026-11-24"), ("大前天", "2026-11-23"),
    ("明天", "2026-11-27"), ("后天", "2026-11-28"), ("大后天", "2026-11-29"),
    ("周六", "2026-11-28"), ("星期六", "2026-11-28"), ("本周六", "2026-11-28"), ("这周六", "2026-11-28"),
    ("周一", "2026-11-23"), ("星期天", "2026-11-29"), ("下周三", "2026-12-02"), ("下星期一", "2026-11-30"),
    ("上周五", "2026-11-20"), ("12月10日", "2026-12-10"), ("12月10号", "2026-12-10"), ("十二月十号", "2026-12-10"),
    ("12.10", "2026-12-10"), ("12-10", "2026-12-10"), ("2026年12月5日", "2026-12-05"),
    ("上个月15号", "2026-10-15"), ("这个月3号", "2026-11-03"), ("上月3日", "2026-10-03"), ("11.25", "2026-11-25"),
    ("下周", None), ("月底", None), ("这周", None), ("1.5小时", None), ("139-1234-5678", None),
])
def test_dates(text, expected):
    assert one(text, "date") == expected


def test_passed_month_day_means_next_year_only_for_future_intents():
    assert one("11月20日", "date", intent="checkin") == "2026-11-20"
    assert one("11月20日", "date", intent="signup") == "2027-11-20"
    assert parse("报名11月20日的座谈会", NOW).slots["date"] == "2027-11-20"
    assert parse("补卡 11月20日 学习政协章程 一小时", NOW).slots["date"] == "2026-11-20"


@pytest.mark.parametrize("text,expected", [
    ("1小时", 60), ("半小时", 30), ("半个小时", 30), ("一个半小时", 90), ("1.5小时", 90), ("两个半小时", 150),
    ("40分钟", 40), ("一小时二十分钟", 80), ("一个钟头", 60), ("1h", 60), ("90min", 90), ("两小时", 120),
    ("二十分钟", 20), ("一刻钟", 15), ("1小时20分钟", 80), ("三个小时", 180), ("分享会", None),
])
def test_durations(text, expected):
    assert one(text, "minutes") == expected


@pytest.mark.parametrize("text,expected", [
    ("13912345678", "13912345678"), ("139-1234-5678", "13912345678"), ("139 1234 5678", "13912345678"),
    ("+86 13912345678", "13912345678"), ("电话1391234567", None),
])
def test_phones(text, expected):
    assert one(text, "phone") == expected


@pytest.mark.parametrize("text,expected", [
    ("东胜", "东胜区"), ("康巴什", "康巴什区"), ("达旗", "达拉特旗"), ("准旗", "准格尔旗"), ("鄂前旗", "鄂托克前旗"),
    ("鄂旗", "鄂托克旗"), ("杭旗", "杭锦旗"), ("乌审", "乌审旗"), ("伊旗", "伊金霍洛旗"), ("鄂托克前旗", "鄂托克前旗"),
    ("薛家湾镇", "准格尔旗"), ("薛家湾", "准格尔旗"), ("城川镇", "鄂托克前旗"), ("阿勒腾席热镇", "伊金霍洛旗"),
    ("树林召镇", "达拉特旗"), ("富兴街道", "东胜区"), ("罕台镇", "东胜区"), ("嘎鲁图镇", "乌审旗"), ("锡尼镇", "杭锦旗"),
    ("棋盘井", "鄂托克旗"), ("青春山街道", "康巴什区"), ("展旦召苏木", "达拉特旗"), ("公园街道", "东胜区"),
    ("小区旁边的公园路灯坏了", None), ("交通拥堵", None),
])
def test_districts(text, expected):
    assert one(text, "district") == expected


@pytest.mark.parametrize("text,expected", [
    ("学习打卡 今天学习了《论人民政协》 30分钟", "论人民政协"),
    ("学习《习近平谈治国理政》第三卷1小时", "习近平谈治国理政"),
    ("今天学习了“全国两会精神”一小时", "全国两会精神"),
    ("学习打卡 政协章程 40分钟", "政协章程"),
    ("昨天看了一个半小时政协章程", "政协章程"),
    ("今天学习了半小时", None),
])
def test_materials(text, expected):
    assert one(text, "material") == expected


@pytest.mark.parametrize("text,expected", [
    ("绑定 张三 13912345678", "张三"), ("我是欧阳建国 手机13912345678", "欧阳建国"),
    ("我叫乌云其木格，电话139-1234-5678", "乌云其木格"), ("绑定 巴特尔 13912345678", "巴特尔"),
    ("姓名：其其格 手机：13912345678", "其其格"), ("我的手机号是13912345678 绑定", None),
])
def test_names(text, expected):
    assert one(text, "name") == expected


@pytest.mark.parametrize("text,expected", [
    ("报名 A3", "A3"), ("报名 a3", "A3"), ("报名读书分享会", "读书分享会"), ("报名参加下周的读书分享会", "读书分享会"),
    ("12月10号的协商会我去不了了", "协商会"), ("周六的植树活动算我一个", "植树活动"), ("报名周六的活动", None),
    ("要参加市里的培训 12.10的委员讲堂请假", "委员讲堂"),
])
def test_activities(text, expected):
    assert one(text, "activity") == expected


def test_other_slot_kinds():
    assert one("签到 4821", "code") == "4821"
    assert one("SQ2026-0012 进度", "report_id") == "SQ2026-0012"
    assert one("sq2026-12怎么样了", "report_id") == "SQ2026-12"
    assert parse("请假 A3 出差", NOW).slots == {"activity": "A3", "reason": "出差"}
    assert parse("明天的协商会我请个假，身体不舒服", NOW).slots == {
        "activity": "协商会", "date": "2026-11-27", "reason": "身体不舒服"}


@pytest.mark.parametrize("text,expected", [
    ("前几天", "前几天"), ("上个月", "上个月"), ("那天学的", "那天"), ("月初", "月初"), ("前两天", "前两天"),
    ("上个月15号", None), ("今天", None), ("学了一小时", None),
])
def test_unresolved_dates_are_reported_as_written(text, expected):
    assert one(text, "date_unresolved", intent="checkin") == expected


@pytest.mark.parametrize("text,expected", [
    ("学了一会儿", "一会儿"), ("学了好久", "好久"), ("几个小时", "几个小时"), ("两三个小时", "两三个小时"),
    ("一小时", None), ("半小时", None),
])
def test_unresolved_durations(text, expected):
    assert one(text, "minutes_unresolved") == expected
    assert one(text, "minutes") is None or expected is None


def test_several_items_never_collapse_into_one():
    p = parse("学习打卡 学了30分钟政协章程，20分钟人民政协报", NOW)
    assert p.slots["items"] == [{"material": "政协章程", "minutes": 30}, {"material": "人民政协报", "minutes": 20}]
    assert "minutes" not in p.slots and "material" not in p.slots
    assert "items" not in parse("学习打卡 政协章程 30分钟", NOW).slots
    # two days in one message: each item carries its own date, no shared top-level date
    assert parse("昨天学了半小时党章 今天学了1小时政协章程", NOW).slots == {"items": [
        {"material": "党章", "minutes": 30, "date": "2026-11-25"},
        {"material": "政协章程", "minutes": 60, "date": "2026-11-26"}]}


def test_fixed_commands_take_the_fast_path():
    for text, intent in (("签到 4821", "attend"), ("报名 a3", "signup"), ("取消报名 A3", "cancel_signup")):
        p = parse(text, NOW)
        assert (p.intent, p.confidence, len(p.alternatives)) == (intent, 1.0, 3)


def test_bare_follow_up_answers():
    assert extract("半小时", NOW, ["minutes"]) == {"minutes": 30}
    assert extract("A3", NOW, ["activity"]) == {"activity": "A3"}
    assert extract("准旗", NOW, ["district"]) == {"district": "准格尔旗"}
    assert extract("张三", NOW, ["name", "phone"]) == {"name": "张三"}
    with pytest.raises(ValueError):
        extract("x", NOW, ["colour"])


# ------------------------------------------------------------------ intents
PLAIN = [
    ("学习打卡 今天学习了《论人民政协》 30分钟", "checkin",
     {"date": "2026-11-26", "minutes": 30, "material": "论人民政协"}),
    ("补卡 昨天 政协章程 一个半小时", "checkin", {"date": "2026-11-25", "minutes": 90, "material": "政协章程"}),
    ("绑定 张三 13912345678", "bind", {"name": "张三", "phone": "13912345678"}),
    ("我是张三 手机13912345678", "bind", {"name": "张三", "phone": "13912345678"}),
    ("近期活动", "list_activities", {}), ("最近有什么活动", "list_activities", {}), ("下周有啥会", "list_activities", {}),
    ("报名 A3", "signup", {"activity": "A3"}), ("报名读书分享会", "signup", {"activity": "读书分享会"}),
    ("算我一个", "signup", {}),
    ("取消报名 A3", "cancel_signup", {"activity": "A3"}),
    ("12月10号的协商会我去不了了", "cancel_signup", {"activity": "协商会", "date": "2026-12-10"}),
    ("不参加了", "cancel_signup", {}),
    ("请假 A3 出差", "leave", {"activity": "A3", "reason": "出差"}),
    ("签到 4821", "attend", {"code": "4821"}),
    ("我的社情民意", "report_status", {}), ("我反映的问题怎么样了", "report_status", {}),
    ("SQ2026-0012 进度", "report_status", {"report_id": "SQ2026-0012"}),
    ("我的履职", "query_record", {}), ("我今年打了几次卡", "query_record", {}), ("我的积分", "query_record", {}),
    ("帮助", "help", {}), ("菜单", "help", {}), ("你好", "help", {}), ("怎么用", "help", {}),
    ("谢谢", "unknown", {}), ("今天天气真冷", "unknown", {}),
    # issue 9: the member's own views, robust reading, fixed commands
    ("我的活动", "my_activities", {}), ("我报了哪些活动", "my_activities", {}),
    ("我参加过哪些活动", "my_activities", {}), ("我报名的活动", "my_activities", {}),
    ("我的打卡", "my_checkins", {}), ("打卡记录", "my_checkins", {}), ("我这个月打了哪些卡", "my_checkins", {}),
    ("我昨天那个学习打卡是不是没打上啊", "my_checkins", {}),
    ("查履职", "query_record", {}), ("我今年的履职情况怎么样", "query_record", {}),
    ("报民A1", "signup", {"activity": "A1"}), ("签道 4821", "attend", {"code": "4821"}),
    ("學習打卡 今天學習了政協章程一小時", "checkin", {"date": "2026-11-26", "minutes": 60, "material": "政协章程"}),
    ("今天读书一小时", "checkin", {"date": "2026-11-26", "minutes": 60}),
    ("上个月15号学了两个钟头的政协理论 补卡", "checkin", {"date": "2026-10-15", "minutes": 120, "material": "政协理论"}),
    ("今天学习了政协章程30分钟，还有人民政协报20分钟", "checkin",
     {"date": "2026-11-26", "items": [{"material": "政协章程", "minutes": 30}, {"material": "人民政协报", "minutes": 20}]}),
    ("前几天学了政协章程一小时 补卡", "checkin", {"date_unresolved": "前几天", "minutes": 60, "material": "政协章程"}),
    ("学习打卡 政协章程 学了一会儿", "checkin", {"minutes_unresolved": "一会儿", "material": "政协章程"}),
]


@pytest.mark.parametrize("text,intent,slots", PLAIN)
def test_plain_forms(text, intent, slots):
    p = parse(text, NOW)
    assert (p.intent, p.slots) == (intent, slots)
    assert p.confidence >= 0.7


def test_report_sentence():
    p = parse("富兴街道老旧小区冬季供暖温度不达标，建议住建部门加强监管", NOW)
    assert p.intent == "report" and p.confidence >= 0.8
    assert p.slots["district"] == "东胜区"
    assert p.slots["category"] == "民生保障"
    assert 0 < len(p.slots["title"]) <= 20


def test_mixed_message_goes_to_report():
    text = "今天学习了一个小时，顺便反映一下我们小区暖气不热的问题，建议热力公司尽快检修"
    assert parse(text, NOW).intent == "report"
    assert parse("我想反映个问题", NOW).intent == "report"


def test_parse_shape_and_confidence():
    p = parse("报名 A3", NOW)
    assert p.alternatives[0] == (p.intent, p.confidence)
    assert len(p.alternatives) == 3 and 0 <= sum(prob for _, prob in p.alternatives) <= 1 + 1e-9
    assert parse("", NOW).intent == "unknown"
    # unclear inputs must not look like confident commands
    for text in ("嗯那个", "明天"):
        q = parse(text, NOW)
        assert q.intent == "unknown" or q.confidence < 0.8
    # a question about an activity is a look-up (the bot answers and offers 报名), never a confident action
    q = parse("下周三的读书分享会还有位置吗", NOW)
    assert q.intent == "list_activities" or q.confidence < 0.8


def test_parse_is_pure():
    code = ("import sys, intents; intents.warm_up(); "
            "assert not [m for m in sys.modules if m.split('.')[0] in ('bot', 'storage', 'sqlalchemy', 'flask')]")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_cli_parse():
    out = subprocess.run([sys.executable, "-m", "intents", "parse", "--now", "2026-11-26T10:00:00+08:00"],
                         input="报名 A3\n\n学习打卡 《政协章程》 半小时\n", capture_output=True, text=True, cwd=ROOT,
                         check=True).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["intent"] for r in rows] == ["signup", "checkin"]
    assert rows[1]["slots"] == {"minutes": 30, "material": "政协章程"}
    assert "政协章程" in out  # ensure_ascii=False


# ------------------------------------------------------------------ measurement
def _check(report):
    print("\n" + format_report(report))
    assert report["intent_accuracy"] >= 0.98
    assert report["slot_exact_match"] >= 0.95
    assert report["confident_wrong"] <= 0.01          # wrong with confidence >= 0.9, share of all messages
    for intent, (recall, count) in report["recall"].items():
        if count >= 5:
            assert recall >= 0.90, intent


def test_dev_split():
    _check(evaluate_dev())


@pytest.mark.skipif(not HELDOUT.exists(), reason="tests/data/heldout.jsonl not present")
def test_heldout():
    _check(evaluate(load_jsonl(HELDOUT)))


def test_title_of_an_unpunctuated_voice_transcript_keeps_what_was_reported():
    from intents.report import make_title

    text = ("我跟你说一下我们城川镇这边好几个嘎查的牧民反映今年冬天草场补贴还没有发下来"
            "有的牧户家里买饲草料都紧张了希望旗里农牧局能尽快核实一下")
    assert make_title(text) == "今年冬天草场补贴还没有发下来"
    assert make_title("各位领导好，我想反映一下东胜区公园街道路灯损坏的问题") == "东胜区公园街道路灯损坏的问题"
