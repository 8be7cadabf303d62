"""社情民意信息汇编: the compilation staff forward, as an xlsx table or a docx document, grouped by category.
Reports of demo members (`python -m bot demo`) are never compiled.

One entry per report submitted in the period (Asia/Shanghai dates, both ends included): title, category,
district, member and sector, the member's text and suggestion. By default only adopted reports
(已采用 and later) are compiled; `pending` takes those awaiting review, `all` every report.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterable, Iterator

from sqlalchemy.orm import Session

from bot.wording.documents import COMPILATION as TEXT, NUMERALS
from storage import reports
from storage.models import Report
from storage.report_flow import ADOPTED_STATES, SUBMITTED
from storage.days import local_days

SCOPES: dict[str, tuple[str, ...] | None] = {"adopted": ADOPTED_STATES, "pending": (SUBMITTED,), "all": None}
BODY_FONT, HEADING_FONT = "仿宋", "黑体"


@dataclass(frozen=True)
class Entry:
    receipt: str
    title: str
    category: str
    district: str
    member: str
    sector: str
    submitted: date
    status: str
    text: str          # the member's words, without the suggestion when that was part of them
    suggestion: str


def collect(session: Session, start: date, end: date, tz, categories: Iterable[str],
            scope: str = "adopted") -> list[Entry]:
    """Entries of the period, ordered by the configured category order, then by submission."""
    since, until = local_days(start, end, tz)
    return entries_of(reports.in_period(session, since, until, SCOPES[scope]), tz, categories)


def entries_of(found: Iterable[Report], tz, categories: Iterable[str]) -> list[Entry]:
    """Entries of these reports (demo members' left out), by the configured category order, then submission.
    The staff console exports its filtered list with this."""
    entries = [Entry(r.receipt_no, r.title, r.category, r.district, r.member.name, r.member.sector,
                     r.created_at.astimezone(tz).date(), r.status, body_text(r.text, r.suggestion), r.suggestion)
               for r in found if not r.member.is_demo]
    order = {name: i for i, name in enumerate(categories)}
    return sorted(entries, key=lambda e: (order.get(e.category, len(order)), e.submitted, e.receipt))


def grouped(entries: list[Entry]) -> list[tuple[str, list[Entry]]]:
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(entry.category, []).append(entry)
    return list(groups.items())


def body_text(text: str, suggestion: str) -> str:
    """The situation part: the suggestion is printed under its own heading, not twice."""
    if not (suggestion and suggestion in text):
        return text.strip()
    body = text.replace(suggestion, "", 1).strip(" \n，,；;")
    return body + "。" if body and body[-1] not in "。！？!?." else body


def advice_text(suggestion: str) -> str:
    """After the heading 建议：, a suggestion that itself starts with 建议 drops the repeated word."""
    return suggestion[2:].lstrip("：:，, ") if suggestion.startswith("建议") and len(suggestion) > 4 else suggestion


def title_for(start: date, end: date) -> str:
    first = date_label(start)
    if start == end:
        return TEXT["title_one_day"].format(first=first)
    year = TEXT["year"].format(year=end.year) if end.year != start.year else ""
    return TEXT["title_span"].format(first=first, last=year + TEXT["month_day"].format(month=end.month, day=end.day))


def chinese_number(n: int) -> str:
    """1..99 -> 一 … 九十九 (category headings 一、二、…)."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return NUMERALS[ones]
    return ("" if tens == 1 else NUMERALS[tens]) + "十" + (NUMERALS[ones] if ones else "")


def date_label(day: date) -> str:
    return TEXT["day"].format(year=day.year, month=day.month, day=day.day)


def write_xlsx(entries: list[Entry], path: str | Path, title: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = TEXT["sheet"]
    sheet.append(list(TEXT["columns"]))
    for n, e in enumerate(entries, 1):
        sheet.append([n, e.category, e.receipt, e.title, e.district, e.member, e.sector, e.submitted.isoformat(),
                      e.status, e.text, e.suggestion])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [6, 10, 14, 30, 10, 10, 12, 12, 8, 60, 40]
    for column, width in zip("ABCDEFGHIJK", widths):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2, min_col=10, max_col=11):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    workbook.properties.title = title
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def new_document(title: str, byline: str = ""):
    """A Word document for staff: Chinese fonts, the title centred and, under it, a centred byline."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = Document()
    _chinese_fonts(document)
    document.core_properties.title = title
    document.add_heading(title, level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
    if byline:
        document.add_paragraph(byline).alignment = WD_ALIGN_PARAGRAPH.CENTER
    return document


def numbered_sections(document, groups, text: dict) -> Iterator:
    """A compilation's skeleton: a category heading per group (一、…), a numbered heading per entry across groups;
    yields each entry for its body. Says so when there is nothing."""
    if not groups:
        document.add_paragraph(text["empty"])
    number = 0
    for index, (category, items) in enumerate(groups, 1):
        document.add_heading(text["category"].format(number=chinese_number(index), category=category, n=len(items)),
                             level=1)
        for entry in items:
            number += 1
            document.add_heading(text["entry"].format(number=number, title=entry.title), level=2)
            yield entry


def write_docx(entries: list[Entry], path: str | Path, title: str, org: str, made_on: date) -> None:
    from docx.shared import Pt, RGBColor

    document = new_document(title, TEXT["byline"].format(org=org, date=date_label(made_on), n=len(entries)))
    for e in numbered_sections(document, grouped(entries), TEXT):
        meta = document.add_paragraph()
        run = meta.add_run(TEXT["meta"].format(
            receipt=e.receipt, district=e.district or TEXT["no_district"], member=e.member,
            sector=e.sector or TEXT["no_sector"], date=date_label(e.submitted), status=e.status))
        run.font.size, run.font.color.rgb = Pt(10), RGBColor(0x59, 0x59, 0x59)
        for line in (e.text or "").split("\n"):
            if line.strip():
                document.add_paragraph(line.strip()).paragraph_format.first_line_indent = Pt(24)
        if e.suggestion:
            advice = document.add_paragraph()
            advice.paragraph_format.first_line_indent = Pt(24)
            advice.add_run(TEXT["suggestion"]).bold = True
            advice.add_run(advice_text(e.suggestion))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    document.save(path)


def _chinese_fonts(document) -> None:
    """Body in 仿宋, headings in 黑体, also for East Asian text (w:eastAsia)."""
    from docx.oxml.ns import qn

    for style in document.styles:
        if style.type != 1 or not hasattr(style, "font"):  # paragraph styles only
            continue
        name = HEADING_FONT if style.name.startswith(("Heading", "Title")) else BODY_FONT
        style.font.name = name
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), name)
