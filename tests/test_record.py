"""Duty record: scoring rules against hand-computed examples, counts from stored facts, 我的履职, export."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest

from bot.config import load_config
from conftest import FIXED_NOW, TZ, add_member
from storage import activities, records
from storage.activities import NewActivity, Timing
from storage.models import Checkin, Member, Report, ReportEvent, ReportSecond, Signup
from storage.records import RecordCounts
from storage.scoring import ScoringConfigError, rules_for, score

RECORD_HEADER = ["name", "phone", "sector", "district", "reports", "reports_adopted", "checkins",
                 "study_minutes", "signups", "attended", "points"]
EXTRA_HEADER = ["reports_instructed", "seconds", "leaves", "absences", "waitlisted", "requirements_missing",
                "proposals", "proposals_cosigned", "proposals_registered", "proposals_key", "proposals_excellent"]


def local(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


def default_rules(year: int = 2026):
    return rules_for(load_config(env={}).scoring, year)


# --- scoring: pure ---------------------------------------------------------------------------------

def test_default_rules_hand_computed():
    counts = RecordCounts(reports=3, reports_adopted=2, reports_instructed=1, seconds=7, checkins=30,
                          attended_by_kind={"全体会议": 1, "视察": 1, "读书分享会": 2},
                          absences_by_kind={"常委会议": 1, "调研": 1}, leaves_by_kind={"培训": 1})
    result = score(counts, default_rules())
    # 社情民意 3×2 + 2×3 + 1×5 = 17; 附议 7×1 capped at 5; 学习 30×1 capped at 24;
    # 活动 全体会议 5 + 视察 3 + 读书分享会 2×2 = 12; 扣分 常委会议 4 + 调研 2 (+ 请假 0) = 6
    assert (result.reports, result.seconds, result.study, result.activities, result.deductions) == (17, 5, 24, 12, 6)
    assert result.total == 17 + 5 + 24 + 12 - 6 == 52


def test_floor_and_base():
    scoring = {"default": {"base": 60, "floor": 0, "activities": {"absent": {"全体会议": 30, "default": 5}}}}
    rules = rules_for(scoring, 2026)
    assert score(RecordCounts(absences_by_kind={"全体会议": 1, "视察": 2}), rules).total == 60 - 30 - 10
    assert score(RecordCounts(absences_by_kind={"全体会议": 3}), rules).total == 0   # never below the floor


def test_year_overrides_merge_over_default():
    scoring = {"default": {"study": {"each": 1, "cap": 24}, "seconds": {"each": 1, "cap": 5},
                           "requirements": {"checkins": 12, "attended": 2}},
               2027: {"study": {"each": 2}, "requirements": {"attended": 3}}}
    old, new = rules_for(scoring, 2026), rules_for(scoring, 2027)
    assert (old.study, new.study) == ({"each": 1, "cap": 24}, {"each": 2, "cap": 24})
    assert new.seconds == {"each": 1, "cap": 5} and new.requirements == {"checkins": 12, "attended": 3}
    assert score(RecordCounts(checkins=20), new).study == 24      # 40 capped at 24
    assert rules_for({"default": {}, "2028": {"base": 10}}, 2028).base == 10   # env overrides give string keys


@pytest.mark.parametrize("scoring,message", [
    ({"default": {"bonus": 3}}, "未知"),
    ({"default": {"study": {"each": -1}}}, "不小于 0 的整数"),
    ({"default": {"reports": {"submitted": 1.5}}}, "整数"),
    ({"default": {"reports": {"approved": 1}}}, "未知"),
    ({"default": {"requirements": {"speeches": 1}}}, "不认识"),
])
def test_bad_rules_are_refused(scoring, message):
    with pytest.raises(ScoringConfigError, match=message):
        rules_for(scoring, 2026)


def test_config_rules_are_valid_for_every_year():
    for year in (2025, 2026, 2027):
        assert default_rules(year).requirements == {"reports": 1, "checkins": 12, "attended": 2}


# --- counts from stored facts --------------------------------------------------------------------

def seed_year(rt) -> dict[str, int]:
    """A year of 张三 (plus 李四, whose reports 张三 seconds). Hand-computed expectations in EXPECTED."""
    zhang = add_member(rt, "张三", "13912345678", openid="o_zhang")
    li = add_member(rt, "李四", "13800001111", district="达拉特旗", openid="o_li")
    with rt.db.session() as session:
        def report(no, status, when, member=zhang, **extra):
            row = Report(receipt_no=no, member_id=member.id, text="内容" * 10, title=f"标题{no[-4:]}",
                         status=status, created_at=when, **extra)
            session.add(row)
            session.flush()
            return row

        report("SQ2026-0001", "已采用", local(2026, 2, 3, 9))
        instructed = report("SQ2026-0002", "已办结", local(2026, 3, 4, 9))
        session.add(ReportEvent(report_id=instructed.id, status="已批示", note="请住建局办理"))
        returned = report("SQ2026-0003", "已退回", local(2026, 4, 5, 9))
        report("SQ2026-0004", "已提交", local(2026, 4, 8, 9), revision_of_id=returned.id)
        report("SQ2025-0009", "已采用", local(2025, 12, 31, 23, 30))      # last year, by local time
        report("SQ2026-0005", "已提交", local(2026, 1, 1, 0, 30))         # this year, by local time
        for no in ("SQ2026-0006", "SQ2026-0007"):
            other = report(no, "已提交", local(2026, 5, 1, 9), member=li)
            session.add(ReportSecond(report_id=other.id, member_id=zhang.id, created_at=local(2026, 5, 2, 9)))
        for day, minutes in ((date(2026, 1, 5), 30), (date(2026, 6, 1), 60), (date(2026, 11, 25), 45),
                             (date(2025, 12, 31), 90)):
            session.add(Checkin(member_id=zhang.id, day=day, minutes=minutes, material="政协章程"))

        def activity(title, kind, start, status, attended=False, reason="", activity_status="open"):
            row = activities.create_activity(session, NewActivity(title=title, kind=kind, start_at=start,
                                                                  place="市政协", end_at=start + timedelta(hours=2)))
            row.status = activity_status
            if status:
                session.add(Signup(activity_id=row.id, member_id=zhang.id, status=status, reason=reason,
                                   attended_at=start if attended else None))
            session.flush()

        activity("全体会议", "全体会议", local(2026, 3, 1, 9), "signed", attended=True)      # A1 attended 5
        activity("乡村医疗视察", "视察", local(2026, 6, 1, 9), "signed")                      # A2 absent −2
        activity("常委会议", "常委会议", local(2026, 7, 1, 9), "leave", reason="出差")         # A3 excused 0
        activity("读书分享会", "读书分享会", local(2026, 9, 1, 15), "walkin", attended=True)  # A4 attended 2
        activity("供暖调研", "调研", local(2026, 10, 1, 9), "waitlist")                       # A5 never got a place
        activity("履职培训", "培训", local(2026, 11, 20, 9), "signed")                         # A6 absent −2
        activity("考察", "考察", local(2026, 5, 1, 9), "signed", activity_status="cancelled")  # A7 called off
        activity("协商会", "专题协商会", local(2026, 4, 1, 9), "cancelled")                   # A8 withdrew
        activity("委员讲堂", "委员讲堂", local(2026, 12, 3, 15), None)                        # A9 still open
        activity("全体会议", "全体会议", local(2027, 1, 5, 9), "signed")                      # A10 next year
    return {"zhang": zhang.id, "li": li.id}


EXPECTED = {  # 张三's 2026, by hand
    "reports": 4, "reports_adopted": 2, "checkins": 3, "study_minutes": 135, "signups": 3, "attended": 2,
    # 社情民意 4×2 + 2×3 + 1×5 = 19; 附议 2; 学习 3; 活动 5 + 2 = 7; 扣分 视察 2 + 培训 2 = 4
    "points": 19 + 2 + 3 + 7 - 4,
    "reports_instructed": 1, "seconds": 2, "leaves": 1, "absences": 2, "waitlisted": 1,
}


def test_counts_from_stored_facts(runtime):
    ids = seed_year(runtime)
    with runtime.db.session() as session:
        counts = records.year_counts(session, 2026, TZ, now=FIXED_NOW, rules=default_rules())
        zhang = counts[ids["zhang"]]
        assert {name: getattr(zhang, name) for name in records.COUNT_FIELDS} == EXPECTED
        assert zhang.attended_by_kind == {"全体会议": 1, "读书分享会": 1}
        assert zhang.absences_by_kind == {"视察": 1, "培训": 1} and zhang.leaves_by_kind == {"常委会议": 1}
        assert counts[ids["li"]].reports == 2 and counts[ids["li"]].points == 4
        last_year = records.member_year(session, session.get(Member, ids["zhang"]), 2025, TZ, now=FIXED_NOW,
                                        rules=default_rules(2025))
        assert (last_year.reports, last_year.reports_adopted, last_year.checkins, last_year.points) == (1, 1, 1, 6)


def test_absent_only_after_the_activity_ends(runtime):
    zhang = add_member(runtime, "张三", "13912345678")
    start = FIXED_NOW - timedelta(hours=1)
    with runtime.db.session() as session:
        row = activities.create_activity(session, NewActivity(title="培训", kind="培训", start_at=start))
        session.add(Signup(activity_id=row.id, member_id=zhang.id, status="signed"))
    with runtime.db.session() as session:
        member = session.get(Member, zhang.id)
        during = records.member_year(session, member, 2026, TZ, now=FIXED_NOW, timing=Timing())
        after = records.member_year(session, member, 2026, TZ, now=start + timedelta(hours=3, minutes=1))
        shorter = records.member_year(session, member, 2026, TZ, now=FIXED_NOW,
                                      timing=Timing(default_duration=timedelta(minutes=50)))
    assert (during.signups, during.absences) == (1, 0)
    assert after.absences == 1 and shorter.absences == 1


def test_items_agree_with_counts(runtime):
    ids = seed_year(runtime)
    with runtime.db.session() as session:
        items = records.member_items(session, session.get(Member, ids["zhang"]), 2026, TZ, now=FIXED_NOW)
    assert [r.receipt for r in items.reports] == ["SQ2026-0005", "SQ2026-0001", "SQ2026-0002", "SQ2026-0004"]
    assert [r.instructed for r in items.reports] == [False, False, True, False]
    assert [s.receipt for s in items.seconds] == ["SQ2026-0006", "SQ2026-0007"]
    assert [c.minutes for c in items.checkins] == [30, 60, 45]
    assert [(a.code, a.outcome) for a in items.activities] == [
        ("A1", "attended"), ("A2", "absent"), ("A3", "leave"), ("A4", "attended"), ("A5", "waitlist"),
        ("A6", "absent")]
    assert items.activities[2].reason == "出差" and items.activities[3].walk_in


# --- 我的履职 ---------------------------------------------------------------------------------------

def test_my_record_reply(runtime, wechat):
    seed_year(runtime)
    runtime.config = runtime.config.with_overrides({"scoring.default.requirements.attended": 3})
    reply = wechat.say("o_zhang", "我的履职")
    assert reply.startswith("张三委员 2026年履职情况：")
    for line in ("社情民意：4条（采用2条），获领导批示1条", "附议：2次", "学习打卡：3次，共135分钟",
                 "活动报名：3次，出席2次，请假1次，缺席2次",
                 "履职积分：27分（社情民意19，附议2，学习3，活动7，扣分4）",
                 "· 社情民意 4/1条，已完成", "· 学习打卡 3/12次，还差9次",
                 "· 活动 2/3次，还差1次：A9 12月3日 委员讲堂"):
        assert line in reply, line
    assert len(reply) <= 600


def test_my_record_names_booked_activities_first(runtime, wechat, member):
    for days in (3, 5, 8, 9):
        with runtime.db.session() as session:
            activities.create_activity(session, NewActivity(title=f"读书分享会{days}", kind="读书分享会",
                                                            start_at=FIXED_NOW + timedelta(days=days)))
    wechat.say("o_zhang", "报名 A2")
    reply = wechat.say("o_zhang", "我的履职")
    assert "· 活动 0/2次，还差2次（已报名A2，请按时签到）：A1 11月29日 读书分享会3" in reply
    wechat.say("o_zhang", "报名 A1")
    assert "还差2次（已报名A1、A2，请按时签到）\n" in wechat.say("o_zhang", "我的履职") + "\n"


def test_my_record_all_met_and_short(runtime, wechat, member):
    runtime.config = runtime.config.with_overrides({"scoring.default.requirements": {"checkins": 1}})
    wechat.say("o_zhang", "学习打卡 今天学习了《政协章程》30分钟")
    reply = wechat.say("o_zhang", "我的履职")
    assert "· 学习打卡 1/1次，已完成" in reply and "全部完成" in reply and "履职积分：1分（学习1）" in reply


def test_my_record_stays_short_with_long_titles(runtime, wechat, member):
    runtime.config = runtime.config.with_overrides({"scoring.default.requirements.attended": 30,
                                                    "activities.record_suggestions": 10})
    for days in range(1, 12):
        with runtime.db.session() as session:
            activities.create_activity(session, NewActivity(title="关于推进黄河流域生态保护和高质量发展的专题协商会" * 2,
                                                            kind="专题协商会", start_at=FIXED_NOW + timedelta(days=days)))
    reply = wechat.say("o_zhang", "我的履职")
    assert len(reply) <= 600 and "还差30次" in reply


# --- export records ------------------------------------------------------------------------------

def test_export_records_columns_and_values(runtime, cli, tmp_path):
    seed_year(runtime)
    out = tmp_path / "r.csv"
    code, _, _ = cli("export", "records", "--year", "2026", "--out", str(out), "--headers", "en")  # machine keys
    assert code == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0] == RECORD_HEADER + EXTRA_HEADER
    zhang = dict(zip(rows[0], next(r for r in rows[1:] if r[0] == "张三")))
    assert {k: int(zhang[k]) for k in EXPECTED} == EXPECTED
    assert zhang["requirements_missing"] == "学习打卡 差9次"
    li = dict(zip(rows[0], next(r for r in rows[1:] if r[0] == "李四")))
    assert (li["reports"], li["points"], li["requirements_missing"]) == ("2", "4", "学习打卡 差12次；活动 差2次")
