"""社情民意 reports: receipt numbers, creation, seconds (附议) and the queries members, staff and exports use.

State changes after submission go through storage/report_flow.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from storage.counters import next_value
from storage.models import Member, Report, ReportAttachment, ReportSecond
from storage.report_flow import ADOPTED_STATES, SUBMITTED, record

__all__ = ["ADOPTED_STATES", "SUBMITTED", "NewAttachment", "add_second", "by_receipt", "by_source", "count_since",
           "count_status", "create_report", "Filters", "in_period", "listing", "next_receipt_no", "of_member",
           "pending", "revised_by", "search", "seconders", "seconds_count", "seconds_of_member"]


@dataclass(frozen=True)
class NewAttachment:
    kind: str            # image | voice
    media_id: str = ""
    url: str = ""
    text: str = ""       # voice transcript


def next_receipt_no(session: Session, prefix: str, year: int) -> str:
    return f"{prefix}{year}-{next_value(session, f'receipt:{prefix}:{year}'):04d}"


def create_report(session: Session, member: Member, *, text: str, title: str, category: str, district: str,
                  now: datetime, prefix: str, source: str | None = None, suggestion: str = "",
                  revision_of: Report | None = None,
                  attachments: Iterable[NewAttachment] = ()) -> Report:
    """A new 已提交 report. A revision of a returned report gets its own receipt number and links back."""
    report = Report(receipt_no=next_receipt_no(session, prefix, now.year), member_id=member.id, text=text,
                    title=title[:40], category=category, district=district, suggestion=suggestion,
                    status=SUBMITTED, source=source, revision_of_id=revision_of.id if revision_of else None,
                    created_at=now, updated_at=now)
    session.add(report)
    session.flush()
    for item in attachments:
        session.add(ReportAttachment(report_id=report.id, kind=item.kind, media_id=item.media_id[:128],
                                     url=item.url[:500], text=item.text, created_at=now))
    details = {"action": "submit"}
    if revision_of is not None:
        details["revision_of"] = revision_of.receipt_no
        record(session, revision_of, revision_of.status, actor=member.name, now=now, note=report.receipt_no,
               details={"action": "revised", "revision": report.receipt_no})
    record(session, report, SUBMITTED, actor=member.name, now=now, details=details)
    return report


def by_source(session: Session, source: str) -> Report | None:
    return session.scalar(select(Report).where(Report.source == source))


def by_receipt(session: Session, receipt_no: str) -> Report | None:
    return session.scalar(select(Report).where(Report.receipt_no == receipt_no.strip().upper()))


def of_member(session: Session, member_id: int, limit: int = 10) -> list[Report]:
    return list(session.scalars(select(Report).where(Report.member_id == member_id)
                                .order_by(Report.id.desc()).limit(limit)))


def count_since(session: Session, member_id: int, since: datetime) -> int:
    return session.scalar(select(func.count(Report.id)).where(
        Report.member_id == member_id, Report.created_at >= since)) or 0


def count_status(session: Session, status: str) -> int:
    return session.scalar(select(func.count(Report.id)).where(Report.status == status)) or 0


def pending(session: Session, limit: int = 20) -> list[Report]:
    """Reports waiting for review, oldest first."""
    return list(session.scalars(select(Report).where(Report.status == SUBMITTED)
                                .options(selectinload(Report.member)).order_by(Report.id).limit(limit)))


def listing(session: Session, *, status: str | None = None, since: datetime | None = None,
            until: datetime | None = None, limit: int = 100) -> list[Report]:
    """Staff's list, newest first."""
    query = select(Report).options(selectinload(Report.member))
    if status:
        query = query.where(Report.status == status)
    if since is not None:
        query = query.where(Report.created_at >= since)
    if until is not None:
        query = query.where(Report.created_at < until)
    return list(session.scalars(query.order_by(Report.id.desc()).limit(limit)))


def in_period(session: Session, since: datetime, until: datetime, statuses: Iterable[str] | None) -> list[Report]:
    """Reports submitted in [since, until), oldest first, with their members loaded (for exports)."""
    query = (select(Report).options(selectinload(Report.member))
             .where(Report.created_at >= since, Report.created_at < until))
    if statuses is not None:
        query = query.where(Report.status.in_(list(statuses)))
    return list(session.scalars(query.order_by(Report.created_at, Report.id)))


def revised_by(session: Session, report_id: int) -> Report | None:
    """The resubmission of a returned report, if the member revised it."""
    return session.scalar(select(Report).where(Report.revision_of_id == report_id).order_by(Report.id).limit(1))


def add_second(session: Session, report: Report, member: Member, now: datetime) -> bool:
    """附议: record that `member` seconds `report`. False if already seconded."""
    if session.scalar(select(ReportSecond.id).where(ReportSecond.report_id == report.id,
                                                    ReportSecond.member_id == member.id)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(ReportSecond(report_id=report.id, member_id=member.id, created_at=now))
    except IntegrityError:  # a concurrent 附议 of the same report by the same member
        return False
    return True


def seconders(session: Session, report_id: int) -> list[Member]:
    return list(session.scalars(select(Member).join(ReportSecond, ReportSecond.member_id == Member.id)
                                .where(ReportSecond.report_id == report_id).order_by(ReportSecond.id)))


def seconds_count(session: Session, report_id: int) -> int:
    return session.scalar(select(func.count(ReportSecond.id)).where(ReportSecond.report_id == report_id)) or 0


def seconds_of_member(session: Session, member_id: int, since: datetime, until: datetime) -> int:
    """How many reports the member seconded in [since, until) — for the duty record."""
    return session.scalar(select(func.count(ReportSecond.id)).where(
        ReportSecond.member_id == member_id, ReportSecond.created_at >= since,
        ReportSecond.created_at < until)) or 0


def has_second(session: Session, report_id: int, member_id: int) -> bool:
    return session.scalar(select(ReportSecond.id).where(
        ReportSecond.report_id == report_id, ReportSecond.member_id == member_id).limit(1)) is not None


EDITABLE_FIELDS = ("title", "category")


def edit_field(session: Session, report: Report, field: str, value: str, *, actor: str, now: datetime) -> bool:
    """Staff retitle or recategorise a report; the history keeps what the member wrote. False = no change."""
    if field not in EDITABLE_FIELDS:
        raise ValueError(f"not an editable field: {field}")
    old = getattr(report, field)
    if old == value:
        return False
    setattr(report, field, value)
    report.updated_at = now
    record(session, report, report.status, actor=actor, now=now, note=value,
           details={"action": f"edit_{field}", "from": old, "to": value})
    return True


@dataclass(frozen=True)
class Filters:
    """The staff console's report queue filters (all optional)."""

    status: str | None = None
    district: str | None = None
    category: str | None = None
    since: datetime | None = None          # submitted at or after
    until: datetime | None = None          # submitted before
    text: str = ""                         # in the receipt, title, text, suggestion or member's name
    submitted_before: datetime | None = None  # overdue: still 已提交 and submitted before this


def search(session: Session, filters: Filters, *, offset: int = 0, limit: int | None = 30) -> tuple[list[Report], int]:
    """One page of matching reports, newest first, and how many match in all."""
    query = select(Report).join(Member, Member.id == Report.member_id)
    for condition in _conditions(filters):
        query = query.where(condition)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = (query.options(selectinload(Report.member)).order_by(Report.created_at.desc(), Report.id.desc())
            .offset(offset).limit(limit))
    return list(session.scalars(page)), total


def _conditions(f: Filters) -> list:
    conditions = []
    if f.status:
        conditions.append(Report.status == f.status)
    if f.district:
        conditions.append(Report.district == f.district)
    if f.category:
        conditions.append(Report.category == f.category)
    if f.since is not None:
        conditions.append(Report.created_at >= f.since)
    if f.until is not None:
        conditions.append(Report.created_at < f.until)
    if f.submitted_before is not None:
        conditions += [Report.status == SUBMITTED, Report.created_at < f.submitted_before]
    words = f.text.strip()
    if words:
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(or_(*(column.ilike(pattern, escape="\\") for column in (
            Report.receipt_no, Report.title, Report.text, Report.suggestion, Member.name))))
    return conditions
