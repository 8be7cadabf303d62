"""社情民意 reports: receipt numbers, creation, and the member's own list."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.counters import next_value
from storage.models import Member, Report, ReportEvent

SUBMITTED = "已提交"
ADOPTED_STATES = ("已采用", "已报送", "已批示", "已办结")  # adopted, and everything that follows adoption


def next_receipt_no(session: Session, prefix: str, year: int) -> str:
    return f"{prefix}{year}-{next_value(session, f'receipt:{prefix}:{year}'):04d}"


def create_report(session: Session, member: Member, *, text: str, title: str, category: str, district: str,
                  now: datetime, prefix: str, source: str | None = None) -> Report:
    report = Report(receipt_no=next_receipt_no(session, prefix, now.year), member_id=member.id, text=text,
                    title=title[:40], category=category, district=district, status=SUBMITTED, source=source)
    session.add(report)
    session.flush()
    session.add(ReportEvent(report_id=report.id, status=SUBMITTED, actor=member.name, note=""))
    session.flush()
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
