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
from bot.wording.documents import ARCHIVE as TEXT, ARCHIVE_OUTCOMES as OUTCOMES
from bot.wording.documents import ARCHIVE_SUMMARY_ROWS as SUMMARY_ROWS, ARCHIVE_WALK_IN as WALK_IN
from storage import records
from storage.models import Member
from storage.records import MemberItems, MemberYear
from storage.statuses import AttendanceResult

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
                 TEXT["as_of"].format(when=rt.local(now).strftime(TEXT["as_of_time"]))):
        doc.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.CENTER


def _member(doc, member: Member) -> None:
    doc.add_heading(TEXT["member"], level=1)
    _table(doc, None, [(label, getattr(member, attr) or TEXT["empty"]) for label, attr in TEXT["member_rows"]])


def _summary(doc, result: MemberYear) -> None:
    doc.add_heading(TEXT["summary"], level=1)
    counts, score = result.counts, result.score
    rows = [(label, getattr(counts, count), getattr(score, part) if part else "") for label, count, part in SUMMARY_ROWS]
    if score.deductions:
        rows.append((TEXT["deductions"], "", -score.deductions))
    if score.base:
        rows.append((TEXT["base"], "", score.base))
    rows.append((TEXT["total"], "", score.total))
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
        doc.add_paragraph(TEXT["requirement_line"].format(label=label, done=req.done, required=req.required, unit=unit,
                                                      state=state), style="List Bullet")


def _items(rt: Runtime, doc, items: MemberItems) -> None:
    day = lambda moment: rt.local(moment).strftime(TEXT["date"])  # noqa: E731
    sections = [
        ("reports", [(day(r.when), r.receipt, r.title, r.status + (TEXT["instructed_mark"] if r.instructed else ""))
                     for r in items.reports]),
        ("seconds", [(day(s.when), s.receipt, s.title) for s in items.seconds]),
        ("checkins", [(c.day.isoformat(), c.material, c.minutes) for c in items.checkins]),
        ("activities", [(day(a.start), a.code, a.title, a.kind, _outcome(a)) for a in items.activities]),
        ("proposals", [(day(p.when), p.receipt, p.title,
                        TEXT["proposal_author"] if p.as_author else TEXT["proposal_cosigner"], _proposal_state(p))
                       for p in items.proposals]),
    ]
    for name, rows in sections:
        if name == "proposals" and not rows:
            continue  # 提案 is shown for members who filed or co-signed one
        doc.add_heading(TEXT[name], level=1)
        if rows:
            _table(doc, TEXT[f"{name}_header"], rows)
        else:
            doc.add_paragraph(TEXT["none"])


def _proposal_state(item: records.ProposalItem) -> str:
    flags = [replies.PROPOSAL_FLAG_KEY] * item.key + [replies.PROPOSAL_FLAG_EXCELLENT] * item.excellent
    return replies.PROPOSAL_STATE_LABELS.get(item.state, item.state) + "".join(f"（{f}）" for f in flags)


def _outcome(item: records.ActivityItem) -> str:
    if item.outcome == AttendanceResult.ATTENDED and item.walk_in:
        return WALK_IN
    text = OUTCOMES[item.outcome]
    return TEXT["outcome_reason"].format(outcome=text, reason=item.reason) if item.outcome == AttendanceResult.LEAVE and item.reason else text


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
