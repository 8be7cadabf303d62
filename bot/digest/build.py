"""The digest's figures for one Asia/Shanghai day, read from storage (storage/digest_figures.py)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy.orm import Session

from bot.runtime import Runtime
from bot.wording.digest import TEXT
from storage import digest_figures as figures, proposals
from storage.binding import FlaggedEntry, flagged_entries
from storage.days import local_days
from storage.digest_figures import ActivityLine, DayCount, ReportLine, Span

OVERDUE_LIST_LIMIT = 50      # the text and page list the oldest ones; the count covers all
CHART_DAYS = 30
INACTIVE_DAYS = 30


@dataclass
class Digest:
    day: date
    org: str
    generated_at: datetime
    overdue_days: int
    new_reports: list[ReportLine] = field(default_factory=list)
    by_district: list[tuple[str, int]] = field(default_factory=list)
    by_category: list[tuple[str, int]] = field(default_factory=list)
    overdue_total: int = 0
    overdue_reports: list[ReportLine] = field(default_factory=list)  # oldest first, capped
    checkin_members: int = 0
    checkin_count: int = 0
    checkin_minutes: int = 0
    member_total: int = 0       # members (not staff) on the roster
    new_signups: int = 0
    activities: list[ActivityLine] = field(default_factory=list)
    inactive_members: int = 0
    series: list[DayCount] = field(default_factory=list)  # the last 30 days, ending with `day`
    binding_alerts: list[FlaggedEntry] = field(default_factory=list)  # roster entries with repeated failed 绑定
    overdue_proposals: list[OverdueProposal] = field(default_factory=list)  # 督办: units past their deadline

    @property
    def study_share(self) -> float:
        return self.checkin_members / self.member_total if self.member_total else 0.0

    @property
    def is_quiet(self) -> bool:
        """Nothing new that day: no report, no check-in, no sign-up."""
        return not self.new_reports and not self.checkin_count and not self.new_signups


def day_window(rt: Runtime, first: date, last: date | None = None) -> Span:
    """Local days first..last as UTC bounds for queries."""
    return Span(*(bound.astimezone(timezone.utc) for bound in local_days(first, last or first, rt.tz)))


def build_digest(rt: Runtime, day: date, session: Session | None = None) -> Digest:
    """All figures for `day` (Asia/Shanghai), as of the end of that day."""
    if session is None:
        with rt.db.session() as own:
            return build_digest(rt, day, own)
    overdue_days = rt.config.digest.overdue_days
    digest = Digest(day=day, org=rt.config.org.name, generated_at=rt.now(), overdue_days=overdue_days)
    window = day_window(rt, day)
    _fill_reports(rt, session, digest, window)
    cutoff = window.end - timedelta(days=overdue_days)
    digest.overdue_total, digest.overdue_reports = figures.overdue_reports(
        session, rt.tz, cutoff, as_of=window.end, limit=OVERDUE_LIST_LIMIT)
    study = figures.study(session, day)
    digest.checkin_members, digest.checkin_count, digest.checkin_minutes = study.members, study.count, study.minutes
    digest.member_total = figures.member_total(session)
    digest.activities = figures.upcoming_activities(session, rt.tz, window)
    digest.new_signups = figures.new_signups(session, window)
    first = day - timedelta(days=INACTIVE_DAYS - 1)
    digest.inactive_members = figures.inactive_members(session, first, day, day_window(rt, first, day))
    digest.series = _series(rt, session, day)
    digest.binding_alerts = flagged_entries(session, window.start, window.end,
                                            rt.config.binding.flag_failures)
    digest.overdue_proposals = overdue_proposals(session, day)
    return digest


@dataclass(frozen=True)
class OverdueProposal:
    receipt_no: str
    title: str
    author: str
    units: str          # 市民政局（11月20日到期，逾期5天）…


def overdue_proposals(session: Session, day: date) -> list[OverdueProposal]:
    """提案 whose handling units let their deadline pass by the end of `day` without a reply (督办)."""
    after = day + timedelta(days=1)
    return [OverdueProposal(p.receipt_no, p.title, p.authors_text, TEXT["item_sep"].join(
        TEXT["proposal_unit"].format(unit=a.unit, month=a.deadline.month, day=a.deadline.day,
                                     late=(day - a.deadline).days) for a in proposals.overdue_units(p, after)))
        for p in proposals.overdue(session, after, limit=OVERDUE_LIST_LIMIT)]


def _fill_reports(rt: Runtime, session: Session, digest: Digest, window: Span) -> None:
    digest.new_reports = figures.new_reports(session, rt.tz, window)
    unknown = TEXT["unknown_district"]
    digest.by_district = Counter(r.district or unknown for r in digest.new_reports).most_common()
    digest.by_category = Counter(r.category for r in digest.new_reports).most_common()


def _series(rt: Runtime, session: Session, day: date) -> list[DayCount]:
    days = [day - timedelta(days=n) for n in range(CHART_DAYS - 1, -1, -1)]
    return figures.daily_series(session, days, [day_window(rt, d) for d in days])
