"""The held-out conversation set (tests/data/conversations.jsonl): its fixed world, and a runner that plays
each conversation through real signed webhook posts and compares what was stored with what was asked for.

Every record kind the assistant can write is compared in full: anything stored that the conversation did not
ask for is a *silent wrong record*. tests/test_conversations.py asserts the aggregate and lists the failures.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from storage import activities, checkins, report_flow, reports
from storage.activities import NewActivity
from storage.models import Activity, Checkin, Member, Report, ReportSecond, Signup, utcnow

DATA = Path(__file__).with_name("data")
SETS = ("conversations.jsonl", "conversations_fresh.jsonl")  # two authors, written apart from the rules
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)  # a Thursday
SPEAKERS = {"zhang": "o_zhang", "staff": "o_staff", "stranger": "o_stranger"}
SIGNUP_STATES = {"signed": "signed", "waitlist": "waitlist", "leave": "leave", "cancelled": "cancelled"}


# --- the world every conversation starts from ---------------------------------------------------------

def seed_world(rt) -> None:
    with rt.db.session() as session:
        people = {name: _member(session, name, phone, sector, district, role, openid) for name, phone, sector,
                  district, role, openid in (
            ("张三", "13912345678", "经济界", "东胜区", "member", "o_zhang"),
            ("李秀兰", "13912340002", "农业界", "准格尔旗", "member", "o_li"),
            ("钱七", "13912340003", "教育界", "乌审旗", "member", "o_qian"),
            ("王秘书", "13800000001", "", "", "staff", "o_staff"),
            ("赵六", "13900000006", "医卫界", "伊金霍洛旗", "member", None))}
        a1 = _activity(session, "政协委员读书分享会", "读书分享会", (12, 3, 15), (12, 3, 17), "市政协三楼会议室", 30)
        a2 = _activity(session, "城市供热保障专题视察", "视察", (12, 10, 9), (12, 10, 12), "东胜区热电厂", 2)
        a3 = _activity(session, "生态环保专题协商会", "专题协商会", (12, 8, 14, 30), (12, 8, 17), "市政协二楼会议室", 50)
        a4 = _activity(session, "网络议政：优化营商环境", "其他", (11, 26, 9), (11, 26, 12), "线上", 0)
        a4.checkin_code = "4821"
        for name in ("李秀兰", "钱七"):  # two of A1's thirty places are taken; A2 is full
            _signup(session, a1, people[name])
            _signup(session, a2, people[name])
        _signup(session, a3, people["张三"])
        _signup(session, a4, people["张三"])
        r1 = _report(session, people["李秀兰"], "薛家湾镇老旧小区冬季供暖不足，室温只有十几度，老人孩子受冻。建议热力公司尽快改造管网。",
                     "薛家湾镇老旧小区冬季供暖不足", "准格尔旗", "民生保障", days_ago=20)
        report_flow.apply(session, r1, report_flow.ACTIONS["adopt"], actor="王秘书", now=NOW - timedelta(days=18))
        reports.add_second(session, r1, people["张三"], NOW - timedelta(days=19))
        r2 = _report(session, people["张三"], "富兴街道路灯不亮，晚上出行不安全，建议尽快维修。", "富兴街道路灯不亮",
                     "东胜区", "城乡建设", days_ago=10)
        report_flow.apply(session, r2, report_flow.ACTIONS["return"], actor="王秘书", note="请补充具体位置",
                          now=NOW - timedelta(days=9))
        _report(session, people["钱七"], "乌审旗牧区小学校车不足，孩子们上学要走很远的路，建议增加校车。",
                "乌审旗牧区小学校车不足", "乌审旗", "教育科技", days_ago=3)
        checkins.add_checkin(session, people["张三"], date(2026, 11, 24), 30, "政协章程")


def _member(session, name, phone, sector, district, role, openid) -> Member:
    member = Member(name=name, phone=phone, sector=sector, district=district, role=role, openid=openid,
                    bound_at=utcnow() if openid else None)
    session.add(member)
    session.flush()
    return member


def _at(parts) -> datetime:
    month, day, hour, *minute = parts
    return datetime(2026, month, day, hour, minute[0] if minute else 0, tzinfo=TZ)


def _activity(session, title, kind, start, end, place, capacity) -> Activity:
    return activities.create_activity(session, NewActivity(
        title=title, kind=kind, start_at=_at(start), end_at=_at(end), place=place, capacity=capacity,
        deadline=_at(start) - timedelta(hours=20)))


def _signup(session, activity, member) -> None:
    session.add(Signup(activity_id=activity.id, member_id=member.id, status="signed"))
    session.flush()


def _report(session, member, text, title, district, category, days_ago) -> Report:
    return reports.create_report(session, member, text=text, title=title, category=category, district=district,
                                 now=NOW - timedelta(days=days_ago), prefix="SQ",
                                 suggestion=text[text.index("建议"):])


# --- what is stored ----------------------------------------------------------------------------------------

@dataclass
class Snapshot:
    checkins: set = field(default_factory=set)      # (member, day, minutes, material)
    signups: dict = field(default_factory=dict)     # (member, code) -> status
    reports: dict = field(default_factory=dict)     # receipt -> (member, title, category, status, text, district)
    seconds: set = field(default_factory=set)       # (member, receipt)
    bound: dict = field(default_factory=dict)       # openid -> name


def snapshot(rt) -> Snapshot:
    shot = Snapshot()
    with rt.db.session() as session:
        names = {m.id: m.name for m in session.scalars(select(Member))}
        for m in session.scalars(select(Member).where(Member.openid.is_not(None))):
            shot.bound[m.openid] = m.name
        for c in session.scalars(select(Checkin)):
            shot.checkins.add((names[c.member_id], c.day.isoformat(), c.minutes, c.material))
        for s in session.scalars(select(Signup)):
            status = "attended" if s.attended_at is not None else s.status
            shot.signups[(names[s.member_id], s.activity.code)] = status
        receipts = {}
        for r in session.scalars(select(Report)):
            receipts[r.id] = r.receipt_no
            shot.reports[r.receipt_no] = (names[r.member_id], r.title, r.category, r.status, r.text, r.district)
        for s in session.scalars(select(ReportSecond)):
            shot.seconds.add((names[s.member_id], receipts[s.report_id]))
    return shot


# --- comparing ---------------------------------------------------------------------------------------------

@dataclass
class Verdict:
    id: str
    wrong: list[str] = field(default_factory=list)     # asked for but not so (missing record, reply)
    silent: list[str] = field(default_factory=list)    # stored but not asked for
    replies: list[str] = field(default_factory=list)

    @property
    def right(self) -> bool:
        return not self.wrong and not self.silent


def _loose(a: str, b: str) -> bool:
    a, b = a.strip("《》 "), b.strip("《》 ")
    return bool(a) and bool(b) and (a in b or b in a)


def judge(conv: dict, speaker_name: str, before: Snapshot, after: Snapshot, replies: list[str]) -> Verdict:
    expect = conv.get("expect", {})
    verdict = Verdict(conv["id"], replies=replies)
    _checkins(expect.get("checkins", []), speaker_name, before, after, verdict)
    _signups(expect.get("signups", []), before, after, verdict)
    _reports(expect.get("reports", []), speaker_name, before, after, verdict)
    _seconds(expect.get("seconds", []), before, after, verdict)
    _edits(expect.get("report_edits", []), before, after, verdict)
    _bound(expect.get("bound"), before, after, verdict)
    _reply(expect, replies[-1] if replies else "", verdict)
    return verdict


def _checkins(wanted, name, before, after, verdict):
    new = [c for c in after.checkins - before.checkins]
    for c in new:
        if c[0] != name:
            verdict.silent.append(f"check-in of another member {c}")
    new = [c for c in new if c[0] == name]
    for want in wanted:
        match = next((c for c in new if c[1] == want["day"] and c[2] == want["minutes"]
                      and _loose(c[3], want["material"])), None)
        if match is None:
            verdict.wrong.append(f"missing check-in {want}")
        else:
            new.remove(match)
    verdict.silent += [f"check-in not asked for {c[1:]}" for c in new]


def _signups(wanted, before, after, verdict):
    changed = {key: status for key, status in after.signups.items() if before.signups.get(key) != status}
    for want in wanted:
        key = next((k for k in changed if k[1] == want["activity"]), None)
        if key is None or changed[key] != want["status"]:
            verdict.wrong.append(f"sign-up {want} (now {changed.get(key) if key else before_status(before, want)})")
        if key is not None:
            changed.pop(key)
    verdict.silent += [f"sign-up change not asked for {k} -> {s}" for k, s in changed.items()]


def before_status(before, want):
    return {k[1]: s for k, s in before.signups.items() if k[0] == "张三"}.get(want["activity"], "none")


def _reports(wanted, name, before, after, verdict):
    new = [(receipt, row) for receipt, row in after.reports.items() if receipt not in before.reports]
    for want in wanted:
        match = next((item for item in new if item[1][0] == name and _report_fits(item[1], want)), None)
        if match is None:
            verdict.wrong.append(f"missing report {want} (new: {[r[1][1] for r in new]})")
        else:
            new.remove(match)
    verdict.silent += [f"report not asked for {r[0]} {r[1][1]!r} text={r[1][4]!r}" for r in new]


def _report_fits(row, want) -> bool:
    _, title, category, _, text, district = row
    return (all(w in text for w in want.get("text_has", [])) and not any(w in text for w in want.get("text_lacks", []))
            and want.get("title_has", "") in title
            and want.get("district", district) == district and want.get("category", category) == category)


def _seconds(wanted, before, after, verdict):
    new = {receipt for _, receipt in after.seconds - before.seconds}
    for receipt in wanted:
        if receipt not in new:
            verdict.wrong.append(f"missing 附议 {receipt}")
    verdict.silent += [f"附议 not asked for {r}" for r in new - set(wanted)]


def _edits(wanted, before, after, verdict):
    changed = {}
    for receipt, row in after.reports.items():
        old = before.reports.get(receipt)
        if old is not None and old[1:4] != row[1:4]:
            changed[receipt] = row
    names = {"title": 1, "category": 2, "status": 3}
    statuses = {"adopted": report_flow.ADOPTED, "returned": report_flow.RETURNED, "rejected": report_flow.REJECTED}
    for want in wanted:
        row = changed.pop(want["receipt"], None) or after.reports.get(want["receipt"])
        for key, index in names.items():
            if key in want and row[index] != statuses.get(want[key], want[key]):
                verdict.wrong.append(f"report {want['receipt']} {key} is {row[index]!r}, wanted {want[key]!r}")
    verdict.silent += [f"report changed, not asked for {r} {row[1:4]}" for r, row in changed.items()]


def _bound(wanted, before, after, verdict):
    got = after.bound.get(SPEAKERS["stranger"])
    if wanted and got != wanted:
        verdict.wrong.append(f"not bound to {wanted} (bound: {got})")
    if not wanted and got:
        verdict.silent.append(f"bound to {got} without being asked")


def _reply(expect, reply, verdict):
    for text in expect.get("reply_has", []):
        if text not in reply:
            verdict.wrong.append(f"last reply lacks {text!r}")
    for options in expect.get("reply_any", []):
        if not any(o in reply for o in options):
            verdict.wrong.append(f"last reply has none of {options}")
    for text in expect.get("reply_lacks", []):
        if text in reply:
            verdict.wrong.append(f"last reply has {text!r}")


# --- playing --------------------------------------------------------------------------------------------

def load(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text("utf-8").splitlines() if line.strip()]


def play(rt, wechat, conv: dict) -> Verdict:
    """Run one conversation on a freshly seeded world (the caller wipes the database first)."""
    seed_world(rt)
    rt.clock = lambda: NOW
    before = snapshot(rt)
    openid = SPEAKERS[conv["who"]]
    replies = [_turn(rt, wechat, openid, turn) for turn in conv["turns"]]
    replies = [r for r in replies if r is not None]
    speaker = {"zhang": "张三", "staff": "王秘书", "stranger": "赵六"}[conv["who"]]
    return judge(conv, speaker, before, snapshot(rt), replies)


def _turn(rt, wechat, openid: str, turn) -> str | None:
    if isinstance(turn, str):
        return wechat.say(openid, turn)
    if "voice" in turn:
        return wechat.voice(openid, turn["voice"])
    if "image" in turn:
        return wechat.image(openid)
    if "event" in turn:
        return wechat.event(openid, turn["event"], turn.get("key", ""))
    if "wait_minutes" in turn:
        later = rt.now() + timedelta(minutes=turn["wait_minutes"])
        rt.clock = lambda: later
        return None
    raise ValueError(f"unknown turn {turn!r}")
