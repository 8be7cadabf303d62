"""The member's annual 履职档案 as a Word document (python-docx).

Layout: title, member details, a summary table of counts and points, the yearly requirements,
then every item of the year, dated: 社情民意, 附议, 学习打卡, 活动 (出席 / 请假 / 缺席 …).
Counts, points and items come from storage.records at export time, like `export records`.
"""
from __future__ import annotations

import io
from datetime import datetime

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from sqlalchemy.orm import Session

from bot import duty_record, replies
from bot.runtime import Runtime
from storage import records
from storage.models import Member
from storage.records import MemberItems, MemberYear
from storage.statuses import AttendanceResult

# Wording of the document (staff may edit; keep the {placeholders}).
TEXT = {
    "title": "委员履职档案（{year}年度）",
    "org": "{org}",
    "as_of": "统计截至：{when}",
    "member": "委员信息",
    "member_rows": (("姓名", "name"), ("界别", "sector"), ("旗区", "district"), ("手机号", "phone")),
    "summary": "履职情况汇总",
    "summary_header": ("项目", "数量", "积分"),
    "requirements": "年度履职要求",
    "requirement_met": "已完成",
    "requirement_missing": "还差{missing}{unit}",
    "no_requirements": "本年度未设履职要求。",
    "reports": "一、社情民意",
    "reports_header": ("日期", "编号", "标题", "状态"),
    "instructed_mark": "（获领导批示）",
    "seconds": "二、附议",
    "seconds_header": ("日期", "编号", "标题"),
    "checkins": "三、学习打卡",
    "checkins_header": ("日期", "学习内容", "时长（分钟）"),
    "activities": "四、参加活动",
    "activities_header": ("日期", "编号", "活动名称", "类别", "情况"),
    "none": "（无）",
    "empty": "—",
}
SUMMARY_ROWS = (  # label, count (from RecordCounts), points (from Score)
    ("社情民意（提交）", "reports", "reports"),
    ("　其中被采用", "reports_adopted", None),
    ("　其中获领导批示", "reports_instructed", None),
    ("附议", "seconds", "seconds"),
    ("学习打卡（次）", "checkins", "study"),
    ("学习时长（分钟）", "study_minutes", None),
    ("活动报名（确认名额）", "signups", None),
    ("活动出席", "attended", "activities"),
    ("请假", "leaves", None),
    ("缺席（未请假）", "absences", None),
    ("候补未获名额", "waitlisted", None),
)
OUTCOMES = {
    AttendanceResult.ATTENDED: "出席", AttendanceResult.ABSENT: "缺席", AttendanceResult.LEAVE: "请假",
    AttendanceResult.SIGNED: "已报名（尚未结束）", AttendanceResult.WAITLIST: "候补（未获名额）",
}
WALK_IN = "出席（现场签到）"
FONT = "宋体"


def archive_name(member: Member, year: int | None = None) -> str:
    """姓名-手机号.docx (inside the --all zip), or 姓名-手机号-YEAR.docx."""
    return f"{member.name}-{member.phone}" + (f"-{year}" if year else "") + ".docx"


def build_archive(rt: Runtime, session: Session, member: Member, year: int, now: datetime | None = None) -> bytes:
    now = now or rt.now()
    result = duty_record.member_year(rt, session, member, year, now)
    items = records.member_items(session, member, year, rt.tz, now=now, timing=duty_record.timing(rt))
    doc = Document()
    _fonts(doc)
    _heading(rt, doc, year, now)
    _member(doc, member)
    _summary(doc, result)
    _requirements(doc, result)
    _items(rt, doc, items)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _fonts(doc) -> None:
    """Body text in 宋体 五号, so Chinese renders the same in Word and WPS."""
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def _heading(rt: Runtime, doc, year: int, now: datetime) -> None:
    title = doc.add_heading(TEXT["title"].format(year=year), level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in (TEXT["org"].format(org=rt.config.org.name),
                 TEXT["as_of"].format(when=rt.local(now).strftime("%Y年%m月%d日 %H:%M"))):
        doc.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.CENTER


def _member(doc, member: Member) -> None:
    doc.add_heading(TEXT["member"], level=1)
    _table(doc, None, [(label, getattr(member, attr) or TEXT["empty"]) for label, attr in TEXT["member_rows"]])


def _summary(doc, result: MemberYear) -> None:
    doc.add_heading(TEXT["summary"], level=1)
    counts, score = result.counts, result.score
    rows = [(label, getattr(counts, count), getattr(score, part) if part else "") for label, count, part in SUMMARY_ROWS]
    if score.deductions:
        rows.append(("扣分（缺席、请假）", "", -score.deductions))
    if score.base:
        rows.append(("基础分", "", score.base))
    rows.append(("履职积分合计", "", score.total))
    _table(doc, TEXT["summary_header"], rows)


def _requirements(doc, result: MemberYear) -> None:
    doc.add_heading(TEXT["requirements"], level=1)
    if not result.progress.requirements:
        doc.add_paragraph(TEXT["no_requirements"])
        return
    for req in result.progress.requirements:
        label, unit = replies.REQUIREMENT_LABELS[req.key]
        state = TEXT["requirement_met"] if req.met else TEXT["requirement_missing"].format(
            missing=req.missing, unit=unit)
        doc.add_paragraph(f"{label}：{req.done}/{req.required}{unit}，{state}", style="List Bullet")


def _items(rt: Runtime, doc, items: MemberItems) -> None:
    day = lambda moment: rt.local(moment).strftime("%Y-%m-%d")  # noqa: E731
    sections = [
        ("reports", [(day(r.when), r.receipt, r.title, r.status + (TEXT["instructed_mark"] if r.instructed else ""))
                     for r in items.reports]),
        ("seconds", [(day(s.when), s.receipt, s.title) for s in items.seconds]),
        ("checkins", [(c.day.isoformat(), c.material, c.minutes) for c in items.checkins]),
        ("activities", [(day(a.start), a.code, a.title, a.kind, _outcome(a)) for a in items.activities]),
    ]
    for name, rows in sections:
        doc.add_heading(TEXT[name], level=1)
        if rows:
            _table(doc, TEXT[f"{name}_header"], rows)
        else:
            doc.add_paragraph(TEXT["none"])


def _outcome(item: records.ActivityItem) -> str:
    if item.outcome == AttendanceResult.ATTENDED and item.walk_in:
        return WALK_IN
    text = OUTCOMES[item.outcome]
    return f"{text}：{item.reason}" if item.outcome == AttendanceResult.LEAVE and item.reason else text


def _table(doc, header, rows) -> None:
    width = len(header) if header else len(rows[0])
    table = doc.add_table(rows=0, cols=width)
    table.style = "Table Grid"
    for i, row in enumerate(([header] if header else []) + list(rows)):
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = str(value)
            if header and i == 0:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
