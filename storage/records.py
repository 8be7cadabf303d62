"""The duty record (履职档案): a member's year, derived from stored facts at query time.

Nothing here is stored: counts, points and requirement progress are computed from reports, 附议,
check-ins and sign-ups whenever asked, so they cannot drift from the facts. The same outcome
rules serve the counts (`year_counts`) and the dated item lists (`member_items`) of the archive.

A year is the calendar year in Asia/Shanghai. Reports count in the year they were submitted (a
report resubmitted after 退回 counts once, as its latest revision); activities in the year they start.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from storage.activities import Timing
from storage.models import Activity, Checkin, Member, Report, ReportEvent, ReportSecond, Signup
from storage.reports import ADOPTED_STATES
from storage.proposal_models import Proposal, ProposalCosigner
from storage.statuses import (REGISTERED_PROPOSAL_STATES, ActivityStatus, AttendanceResult, CosignStatus,
                              ReportState, SignupStatus)
from storage.scoring import Progress, Rules, Score, progress, score
from storage.days import local_days


# activity outcomes, per sign-up row


@dataclass
class RecordCounts:
    # the fixed export columns, in order
    reports: int = 0
    reports_adopted: int = 0
    checkins: int = 0
    study_minutes: int = 0
    signups: int = 0              # confirmed places (not the waitlist, not places given up)
    attended: int = 0             # signed in, with or without a booked place
    points: int = 0
    # further columns
    reports_instructed: int = 0   # reports with a leader's 批示
    seconds: int = 0              # 附议
    leaves: int = 0               # excused absences (请假)
    absences: int = 0             # booked, ended, neither signed in nor excused
    waitlisted: int = 0           # still on a waitlist (never got a place)
    # 提案 (issue 14), after the columns above
    proposals: int = 0            # submitted as author (a collective proposal has no member author)
    proposals_cosigned: int = 0   # co-signed (联名, agreed)
    proposals_registered: int = 0  # of the author's: 立案 (and every later state)
    proposals_key: int = 0        # of the author's: 重点提案
    proposals_excellent: int = 0  # of the author's: 优秀提案
    # by activity kind, for scoring
    attended_by_kind: dict[str, int] = field(default_factory=dict)
    leaves_by_kind: dict[str, int] = field(default_factory=dict)
    absences_by_kind: dict[str, int] = field(default_factory=dict)


_COUNTS = [f.name for f in fields(RecordCounts) if isinstance(f.default, int)]
PROPOSAL_FIELDS = [name for name in _COUNTS if name.startswith("proposals")]  # 提案: exported after the others
COUNT_FIELDS = [name for name in _COUNTS if name not in PROPOSAL_FIELDS]  # the export columns, in order


@dataclass
class MemberYear:
    """Everything 我的履职, the export and the archive say about one member's year."""

    counts: RecordCounts
    score: Score
    progress: Progress


def year_bounds(year: int, tz) -> tuple[datetime, datetime]:
    return local_days(date(year, 1, 1), date(year, 12, 31), tz)


def activity_outcome(status: str, attended: bool, ended: bool) -> AttendanceResult | None:
    """What a sign-up row means for the record (None: it does not count, e.g. cancelled)."""
    if attended:
        return AttendanceResult.ATTENDED
    if status == SignupStatus.SIGNED:
        return AttendanceResult.ABSENT if ended else AttendanceResult.SIGNED
    return {SignupStatus.LEAVE: AttendanceResult.LEAVE, SignupStatus.WAITLIST: AttendanceResult.WAITLIST}.get(status)


def counted_reports():
    """Reports that count: all but those superseded by a resubmitted revision."""
    revision = aliased(Report)
    return ~exists().where(revision.revision_of_id == Report.id)


def instructed_clause():
    # a report that reached 已批示 received a leader's 批示, even when it is 已办结 now
    return or_(Report.status == ReportState.INSTRUCTED,
               exists().where(ReportEvent.report_id == Report.id, ReportEvent.status == ReportState.INSTRUCTED))


def year_counts(session: Session, year: int, tz, member_ids: list[int] | None = None, *,
                now: datetime | None = None, timing: Timing = Timing(),
                rules: Rules | None = None) -> dict[int, RecordCounts]:
    """member id -> counts for the calendar year; points too when rules are given."""
    start, end = year_bounds(year, tz)
    now = now or datetime.now(tz)
    counts: dict[int, RecordCounts] = {}

    def row_for(member_id: int) -> RecordCounts:
        return counts.setdefault(member_id, RecordCounts())

    def scoped(query, column):
        return query.where(column.in_(member_ids)) if member_ids is not None else query

    adopted = func.sum(case((Report.status.in_(ADOPTED_STATES), 1), else_=0))
    instructed = func.sum(case((instructed_clause(), 1), else_=0))
    for mid, total, ok, marked in session.execute(scoped(
            select(Report.member_id, func.count(Report.id), adopted, instructed)
            .where(Report.created_at >= start, Report.created_at < end, counted_reports())
            .group_by(Report.member_id), Report.member_id)):
        row = row_for(mid)
        row.reports, row.reports_adopted, row.reports_instructed = int(total), int(ok or 0), int(marked or 0)

    for mid, total in session.execute(scoped(
            select(ReportSecond.member_id, func.count(ReportSecond.id))
            .where(ReportSecond.created_at >= start, ReportSecond.created_at < end)
            .group_by(ReportSecond.member_id), ReportSecond.member_id)):
        row_for(mid).seconds = int(total)

    for mid, total, minutes in session.execute(scoped(
            select(Checkin.member_id, func.count(Checkin.id), func.sum(Checkin.minutes))
            .where(Checkin.day >= date(year, 1, 1), Checkin.day < date(year + 1, 1, 1))
            .group_by(Checkin.member_id), Checkin.member_id)):
        row_for(mid).checkins, row_for(mid).study_minutes = int(total), int(minutes or 0)

    for signup, activity in session.execute(scoped(_signups_query(start, end), Signup.member_id)):
        _count_signup(row_for(signup.member_id), signup, activity, timing.ended(activity, now))

    _count_proposals(session, start, end, row_for, scoped)

    if rules is not None:
        for row in counts.values():
            row.points = score(row, rules).total
    return counts


def _count_proposals(session: Session, start: datetime, end: datetime, row_for, scoped) -> None:
    """提案 in the year they were submitted: as author (立案/重点/优秀 of those), and co-signed (agreed)."""
    registered = func.sum(case((Proposal.state.in_(REGISTERED_PROPOSAL_STATES), 1), else_=0))
    key = func.sum(case((Proposal.is_key.is_(True), 1), else_=0))
    excellent = func.sum(case((Proposal.is_excellent.is_(True), 1), else_=0))
    for mid, total, done, marked, best in session.execute(scoped(
            select(Proposal.author_id, func.count(Proposal.id), registered, key, excellent)
            .where(Proposal.author_id.is_not(None), Proposal.created_at >= start, Proposal.created_at < end)
            .group_by(Proposal.author_id), Proposal.author_id)):
        row = row_for(mid)
        row.proposals, row.proposals_registered = int(total), int(done or 0)
        row.proposals_key, row.proposals_excellent = int(marked or 0), int(best or 0)
    for mid, total in session.execute(scoped(
            select(ProposalCosigner.member_id, func.count(ProposalCosigner.id))
            .join(Proposal, Proposal.id == ProposalCosigner.proposal_id)
            .where(ProposalCosigner.status == CosignStatus.AGREED, Proposal.created_at >= start,
                   Proposal.created_at < end)
            .group_by(ProposalCosigner.member_id), ProposalCosigner.member_id)):
        row_for(mid).proposals_cosigned = int(total)


def _signups_query(start: datetime, end: datetime):
    return (select(Signup, Activity).join(Activity, Signup.activity_id == Activity.id)
            .where(Activity.start_at >= start, Activity.start_at < end, Activity.status != ActivityStatus.CANCELLED)
            .order_by(Activity.start_at, Activity.id))


def _count_signup(row: RecordCounts, signup: Signup, activity: Activity, ended: bool) -> None:
    if signup.status == SignupStatus.SIGNED:
        row.signups += 1
    outcome = activity_outcome(signup.status, signup.attended_at is not None, ended)
    if outcome == AttendanceResult.ATTENDED:
        row.attended += 1
        _bump(row.attended_by_kind, activity.kind)
    elif outcome == AttendanceResult.ABSENT:
        row.absences += 1
        _bump(row.absences_by_kind, activity.kind)
    elif outcome == AttendanceResult.LEAVE:
        row.leaves += 1
        _bump(row.leaves_by_kind, activity.kind)
    elif outcome == AttendanceResult.WAITLIST:
        row.waitlisted += 1


def _bump(table: dict[str, int], kind: str) -> None:
    table[kind] = table.get(kind, 0) + 1


def member_year(session: Session, member: Member, year: int, tz, *, now: datetime | None = None,
                timing: Timing = Timing(), rules: Rules | None = None) -> RecordCounts:
    return year_counts(session, year, tz, [member.id], now=now, timing=timing, rules=rules).get(
        member.id, RecordCounts())


def evaluate(counts: RecordCounts, rules: Rules) -> MemberYear:
    """Score and requirement progress of a year's counts (sets counts.points)."""
    result = score(counts, rules)
    counts.points = result.total
    return MemberYear(counts, result, progress(counts, rules))


# --- dated items, for the archive ----------------------------------------------------------------

@dataclass
class ReportItem:
    when: datetime
    receipt: str
    title: str
    status: str
    instructed: bool


@dataclass
class SecondItem:
    when: datetime
    receipt: str
    title: str


@dataclass
class CheckinItem:
    day: date
    material: str
    minutes: int


@dataclass
class ActivityItem:
    start: datetime
    code: str
    title: str
    kind: str
    outcome: AttendanceResult
    walk_in: bool = False
    reason: str = ""


@dataclass
class ProposalItem:
    when: datetime
    receipt: str
    title: str
    state: str              # ProposalState
    as_author: bool         # False: co-signed (联名)
    key: bool
    excellent: bool


@dataclass
class MemberItems:
    reports: list[ReportItem] = field(default_factory=list)
    seconds: list[SecondItem] = field(default_factory=list)
    checkins: list[CheckinItem] = field(default_factory=list)
    activities: list[ActivityItem] = field(default_factory=list)
    proposals: list[ProposalItem] = field(default_factory=list)


def member_items(session: Session, member: Member, year: int, tz, *, now: datetime | None = None,
                 timing: Timing = Timing()) -> MemberItems:
    """Every item of the member's year, oldest first."""
    start, end = year_bounds(year, tz)
    now = now or datetime.now(tz)
    items = MemberItems()
    for report, marked in session.execute(
            select(Report, instructed_clause()).where(
                Report.member_id == member.id, Report.created_at >= start, Report.created_at < end,
                counted_reports()).order_by(Report.created_at, Report.id)):
        items.reports.append(ReportItem(report.created_at, report.receipt_no, report.title, report.status,
                                        bool(marked)))
    for second, report in session.execute(
            select(ReportSecond, Report).join(Report, ReportSecond.report_id == Report.id).where(
                ReportSecond.member_id == member.id, ReportSecond.created_at >= start,
                ReportSecond.created_at < end).order_by(ReportSecond.created_at, ReportSecond.id)):
        items.seconds.append(SecondItem(second.created_at, report.receipt_no, report.title))
    for checkin in session.scalars(select(Checkin).where(
            Checkin.member_id == member.id, Checkin.day >= date(year, 1, 1), Checkin.day < date(year + 1, 1, 1))
            .order_by(Checkin.day, Checkin.id)):
        items.checkins.append(CheckinItem(checkin.day, checkin.material, checkin.minutes))
    for signup, activity in session.execute(_signups_query(start, end).where(Signup.member_id == member.id)):
        outcome = activity_outcome(signup.status, signup.attended_at is not None, timing.ended(activity, now))
        if outcome is not None:
            items.activities.append(ActivityItem(activity.start_at, activity.code, activity.title, activity.kind,
                                                 outcome, signup.status == SignupStatus.WALKIN, signup.reason))
    items.proposals = _proposal_items(session, member, start, end)
    return items


def _proposal_items(session: Session, member: Member, start: datetime, end: datetime) -> list[ProposalItem]:
    cosigned = select(ProposalCosigner.proposal_id).where(ProposalCosigner.member_id == member.id,
                                                          ProposalCosigner.status == CosignStatus.AGREED)
    query = select(Proposal).where(or_(Proposal.author_id == member.id, Proposal.id.in_(cosigned)),
                                   Proposal.created_at >= start, Proposal.created_at < end)
    return [ProposalItem(p.created_at, p.receipt_no, p.title, p.state, p.author_id == member.id, p.is_key,
                         p.is_excellent)
            for p in session.scalars(query.order_by(Proposal.created_at, Proposal.id))]

