"""提案 exports, by year or 届次会议 (session): the 提案汇编 (Word or Excel, grouped by category) and the
办理情况统计 (Excel sheets or Word tables: overall, by handling unit, by outcome A/B/C, satisfaction, overdue,
one row per proposal). Demo members' proposals are never exported (storage.proposals.selection).

The compilation takes 立案 proposals and every later state by default (`scope="all"`: every proposal filed);
the statistics always count every proposal of the period. Used by `python -m bot proposals export` and the
console (bot/console/proposals.py). Wording: bot/wording/documents.py; state and label names: bot/replies.py.
"""
from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Sequence

from sqlalchemy.orm import Session

from bot import replies
from bot.report_export import date_label, grouped, new_document, numbered_sections
from bot.tables import column_width
from bot.wording.documents import PROPOSAL_COMPILATION as TEXT, PROPOSAL_STATISTICS as STATS
from storage import proposals as store
from storage.proposal_models import Proposal
from storage.statuses import (HANDLING_PROPOSAL_STATES, REGISTERED_PROPOSAL_STATES, HandlingRole, ProposalState,
                              ReplyOutcome, Verdict)

KINDS = ("compilation", "statistics")
FORMATS = ("docx", "xlsx")
SCOPES = {"registered": REGISTERED_PROPOSAL_STATES, "all": None}
MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


@dataclass(frozen=True)
class Period:
    """Which proposals: those of a year, of a session, or of both (None = not restricted)."""

    year: int | None = None
    session: str | None = None

    def label(self) -> str:
        if self.year is not None and self.session:
            return TEXT["period_both"].format(year=self.year, session=self.session)
        if self.session:
            return TEXT["period_session"].format(session=self.session)
        return TEXT["period_year"].format(year=self.year)

    def slug(self) -> str:
        return "-".join(str(part) for part in (self.year, self.session) if part)


def select(session: Session, period: Period, states: Iterable[str] | None = None) -> list[Proposal]:
    return store.selection(session, year=period.year, session_label=period.session, states=states)


# --- 提案汇编 -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    receipt: str
    title: str          # 案由
    category: str
    authors: str        # the member, or the collective author with its kind
    cosigners: tuple[str, ...]
    session: str
    submitted: date
    state: str          # Chinese label
    key: bool
    excellent: bool
    analysis: str       # 情况分析
    suggestions: tuple[str, ...]  # 具体建议, one per line


def compilation(session: Session, period: Period, tz, categories: Sequence[str],
                scope: str = "registered") -> list[Entry]:
    """The compilation's entries, by the configured category order, then by submission."""
    return entries_of(select(session, period, SCOPES[scope]), tz, categories)


def entries_of(found: Iterable[Proposal], tz, categories: Sequence[str]) -> list[Entry]:
    entries = [Entry(p.receipt_no, p.title, p.category, authors_of(p),
                     tuple(c.member.name for c in p.agreed_cosigners), p.session_label,
                     p.created_at.astimezone(tz).date(), state_label(p.state), p.is_key, p.is_excellent,
                     p.analysis.strip(), tuple(line.strip() for line in p.suggestions.splitlines() if line.strip()))
               for p in found]
    order = {name: i for i, name in enumerate(categories)}
    return sorted(entries, key=lambda e: (order.get(e.category, len(order)), e.submitted, e.receipt))


def authors_of(proposal: Proposal) -> str:
    if proposal.collective_author:
        return TEXT["collective"].format(name=proposal.collective_author, kind=proposal.collective_kind)
    return proposal.authors_text


def state_label(state: str) -> str:
    return replies.PROPOSAL_STATE_LABELS.get(state, state)


def compilation_title(org: str, period: Period) -> str:
    return TEXT["title"].format(org=org, period=period.label())


def compilation_xlsx(entries: list[Entry], title: str) -> bytes:
    rows = [[n, e.category, e.receipt, e.title, e.authors, "、".join(e.cosigners), e.session, e.submitted.isoformat(),
             e.state, TEXT["yes"] if e.key else TEXT["no"], TEXT["yes"] if e.excellent else TEXT["no"], e.analysis,
             "\n".join(e.suggestions)]
            for n, e in enumerate(entries, 1)]
    return _workbook([Table(TEXT["sheet"], TEXT["columns"], rows, wrap=(11, 12))], title)


def compilation_docx(entries: list[Entry], title: str, org: str, made_on: date) -> bytes:
    from docx.shared import Pt, RGBColor

    document = new_document(title, TEXT["byline"].format(org=org, date=date_label(made_on), n=len(entries)))
    for e in numbered_sections(document, grouped(entries), TEXT):
        marks = (TEXT["key_mark"] if e.key else "") + (TEXT["excellent_mark"] if e.excellent else "")
        lines = [TEXT["meta"].format(receipt=e.receipt, date=date_label(e.submitted), state=e.state, marks=marks),
                 TEXT["authors"].format(authors=e.authors)]
        if e.cosigners:
            lines.append(TEXT["cosigners"].format(names="、".join(e.cosigners)))
        for line in lines:
            run = document.add_paragraph().add_run(line)
            run.font.size, run.font.color.rgb = Pt(10), RGBColor(0x59, 0x59, 0x59)
        _labelled(document, TEXT["reason"], [e.title])
        _labelled(document, TEXT["analysis"], [line for line in e.analysis.splitlines() if line.strip()])
        _labelled(document, TEXT["suggestions"], list(e.suggestions))
    return _save(document)


def _labelled(document, label: str, lines: list[str]) -> None:
    """A bold label, then the lines indented (the first on the label's line when there is one line)."""
    from docx.shared import Pt

    head = document.add_paragraph()
    head.add_run(label).bold = True
    if len(lines) == 1:
        head.add_run(lines[0].strip())
        return
    for line in lines:
        document.add_paragraph(line.strip()).paragraph_format.first_line_indent = Pt(24)


# --- 办理情况统计 ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Table:
    """One sheet of the statistics (a Word table in the docx)."""

    title: str
    header: Sequence[str]
    rows: list[list]
    wrap: tuple[int, ...] = ()      # 0-based columns whose text wraps
    note: str = ""


@dataclass
class UnitFigures:
    proposals: set[int] = field(default_factory=set)
    roles: Counter = field(default_factory=Counter)
    replied: int = 0
    waiting: int = 0
    overdue: int = 0
    outcomes: Counter = field(default_factory=Counter)
    verdicts: Counter = field(default_factory=Counter)


def statistics(session: Session, period: Period, today: date) -> list[Table]:
    return statistics_of(select(session, period), today)


def statistics_of(found: list[Proposal], today: date) -> list[Table]:
    return [_summary(found, today), _units(found, today), _outcomes(found), _satisfaction(found),
            _overdue(found, today), _detail(found)]


def _summary(found: list[Proposal], today: date) -> Table:
    states = Counter(p.state for p in found)
    figures = {
        "total": len(found),
        "registered": sum(states[s] for s in REGISTERED_PROPOSAL_STATES),
        "rejected": states[ProposalState.REJECTED], "merged": states[ProposalState.MERGED],
        "returned": states[ProposalState.RETURNED], "pending": states[ProposalState.SUBMITTED],
        "handling": sum(states[s] for s in HANDLING_PROPOSAL_STATES) + states[ProposalState.REGISTERED],
        "replied": states[ProposalState.REPLIED], "closed": states[ProposalState.CLOSED],
        "key": sum(p.is_key for p in found), "excellent": sum(p.is_excellent for p in found),
        "overdue": sum(bool(store.overdue_units(p, today)) for p in found),
    }
    rows = [[STATS["summary_rows"][key], value] for key, value in figures.items()]
    return Table(STATS["summary_sheet"], STATS["summary_header"], rows, note=STATS["as_of"].format(date=today))


def unit_figures(found: list[Proposal], today: date) -> dict[str, UnitFigures]:
    """Per handling unit: proposals, assignments by role, replies (and outcomes), verdicts on its 主办 rounds,
    units still to reply and those past their deadline."""
    units: dict[str, UnitFigures] = {}
    for p in found:
        late = {a.id for a in store.overdue_units(p, today)}
        leads = {a.round: a.unit for a in p.assignments if a.role == HandlingRole.LEAD}
        for a in p.assignments:
            row = units.setdefault(a.unit, UnitFigures())
            row.proposals.add(p.id)
            row.roles[a.role] += 1
            if a.replied_at is not None:
                row.replied += 1
            elif a.round == p.round and p.state in HANDLING_PROPOSAL_STATES:
                row.waiting += 1
            row.overdue += a.id in late
        for reply in p.replies:
            units.setdefault(reply.unit, UnitFigures()).outcomes[reply.outcome] += 1
        for verdict in p.verdicts:
            if verdict.round in leads:
                units[leads[verdict.round]].verdicts[verdict.verdict] += 1
    return dict(sorted(units.items(), key=lambda item: (-len(item[1].proposals), item[0])))


def _units(found: list[Proposal], today: date) -> Table:
    rows = []
    for unit, f in unit_figures(found, today).items():
        judged = sum(f.verdicts.values())
        good = f.verdicts[Verdict.SATISFIED] + f.verdicts[Verdict.BASIC]
        rows.append([unit, len(f.proposals), f.roles[HandlingRole.LEAD], f.roles[HandlingRole.ASSIST],
                     f.roles[HandlingRole.JOINT], f.replied, f.waiting, f.overdue]
                    + [f.outcomes[o] for o in ReplyOutcome] + [f.verdicts[v] for v in Verdict]
                    + [_share(good, judged)])
    return Table(STATS["units_sheet"], STATS["units_header"], rows)


def outcome_of(proposal: Proposal) -> str | None:
    """The 办理结果 of a proposal: the class of its latest 主办 reply."""
    lead_ids = {a.id for a in proposal.assignments if a.role == HandlingRole.LEAD}
    return next((r.outcome for r in reversed(proposal.replies) if r.assignment_id in lead_ids), None)


def verdict_of(proposal: Proposal) -> str | None:
    """The author's latest verdict."""
    return proposal.verdicts[-1].verdict if proposal.verdicts else None


def _outcomes(found: list[Proposal]) -> Table:
    counts = Counter(outcome_of(p) for p in found)
    total = sum(counts[o] for o in ReplyOutcome)
    rows = [[replies.PROPOSAL_OUTCOME_LABELS[o], counts[o], _share(counts[o], total)] for o in ReplyOutcome]
    return Table(STATS["outcomes_sheet"], STATS["outcomes_header"], rows)


def _satisfaction(found: list[Proposal]) -> Table:
    counts = Counter(verdict_of(p) for p in found)
    total = sum(counts[v] for v in Verdict)
    rows = [[replies.PROPOSAL_VERDICT_LABELS[v], counts[v], _share(counts[v], total)] for v in Verdict]
    rows.append([STATS["satisfaction_rate"], total, _share(counts[Verdict.SATISFIED] + counts[Verdict.BASIC], total)])
    return Table(STATS["satisfaction_sheet"], STATS["satisfaction_header"], rows, note=STATS["satisfaction_note"])


def _overdue(found: list[Proposal], today: date) -> Table:
    rows = [[p.receipt_no, p.title, authors_of(p), a.unit, replies.PROPOSAL_ROLE_LABELS.get(a.role, a.role),
             a.deadline.isoformat(), (today - a.deadline).days]
            for p in found for a in store.overdue_units(p, today)]
    rows.sort(key=lambda row: -row[-1])
    return Table(STATS["overdue_sheet"], STATS["overdue_header"], rows, wrap=(1,))


def _detail(found: list[Proposal]) -> Table:
    rows = []
    for p in found:
        current = store.current_assignments(p)
        deadline = min((a.deadline for a in current), default=None)
        outcome, verdict = outcome_of(p), verdict_of(p)
        rows.append([
            p.receipt_no, p.title, p.category, authors_of(p), "、".join(c.member.name for c in p.agreed_cosigners),
            p.session_label, state_label(p.state), TEXT["yes"] if p.is_key else TEXT["no"],
            TEXT["yes"] if p.is_excellent else TEXT["no"],
            "、".join(STATS["unit_role"].format(unit=a.unit, role=replies.PROPOSAL_ROLE_LABELS.get(a.role, a.role))
                     for a in current),
            deadline.isoformat() if deadline else "",
            replies.PROPOSAL_OUTCOME_LABELS.get(outcome, "") if outcome else "",
            replies.PROPOSAL_VERDICT_LABELS.get(verdict, "") if verdict else "", p.round])
    return Table(STATS["detail_sheet"], STATS["detail_header"], rows, wrap=(1,))


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else STATS["none"]


def statistics_title(org: str, period: Period) -> str:
    return STATS["title"].format(org=org, period=period.label())


def statistics_xlsx(tables: list[Table], title: str) -> bytes:
    return _workbook(tables, title)


def statistics_docx(tables: list[Table], title: str) -> bytes:
    document = new_document(title)
    for table in tables:
        document.add_heading(table.title, level=1)
        if table.note:
            document.add_paragraph(table.note)
        if not table.rows:
            document.add_paragraph(STATS["empty"])
            continue
        grid = document.add_table(rows=1, cols=len(table.header))
        grid.style = "Table Grid"
        for cell, name in zip(grid.rows[0].cells, table.header):
            cell.text = ""
            cell.paragraphs[0].add_run(str(name)).bold = True
        for row in table.rows:
            for cell, value in zip(grid.add_row().cells, row):
                cell.text = "" if value is None else str(value)
    return _save(document)


# --- files ----------------------------------------------------------------------------------------------

def export_bytes(session: Session, kind: str, fmt: str, period: Period, *, tz, today: date, org: str,
                 categories: Sequence[str], scope: str = "registered") -> tuple[bytes, str, int]:
    """(file bytes, title, how many proposals) for the CLI and the console."""
    if kind == "compilation":
        entries = compilation(session, period, tz, categories, scope)
        title = compilation_title(org, period)
        data = (compilation_xlsx(entries, title) if fmt == "xlsx"
                else compilation_docx(entries, title, org, today))
        return data, title, len(entries)
    found = select(session, period)
    tables = statistics_of(found, today)
    title = statistics_title(org, period)
    return (statistics_xlsx(tables, title) if fmt == "xlsx" else statistics_docx(tables, title)), title, len(found)


def file_name(kind: str, fmt: str, period: Period) -> str:
    base = "提案汇编" if kind == "compilation" else "提案办理情况统计"
    return f"{base}-{period.slug()}.{fmt}"


def _workbook(tables: list[Table], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(table.title[:31])
        sheet.append(list(table.header))
        for row in table.rows:
            sheet.append(list(row))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, values in enumerate(zip(table.header, *table.rows) if table.rows else
                                       ([name] for name in table.header), 1):
            sheet.column_dimensions[get_column_letter(index)].width = column_width(values)
        for column in table.wrap:
            sheet.column_dimensions[get_column_letter(column + 1)].width = 60
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column + 1, max_col=column + 1):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        if table.note:
            sheet.append([])
            sheet.append([table.note])
        sheet.freeze_panes = "A2"
    workbook.properties.title = title
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
