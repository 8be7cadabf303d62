"""Staff daily digest: one day's figures, built with a few aggregate queries and pushed to staff.

`build_digest` reads the day (an Asia/Shanghai calendar day) into a `Digest`; `render_text` is the
CLI / customer-service text; `send_for_day` writes one outbox row per bound staff member
(dedup_key digest:<day>:<member_id>) and delivers them now, so a second send of the same day
messages nobody again except those whose send failed. The worker calls `send_scheduled` daily.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable

from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlalchemy.orm import Session

from bot import outbox, replies
from bot.runtime import Runtime
from storage.models import Activity, Checkin, Member, OutboxMessage, Report, Signup
from storage.binding import FlaggedEntry, flagged_entries, mask_phone
from storage.days import local_days

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Wording for staff: the text digest, the template message and the web page. Edit here only.
# ---------------------------------------------------------------------------------------------
TEXT = {
    "title": "【{org}履职日报】{date}（星期{weekday}）",
    "quiet": "当日无新增社情民意、学习打卡和活动报名。",
    "reports": "一、社情民意：新增 {count} 条",
    "reports_none": "  当日无新增社情民意。",
    "by_district": "  按旗区：{items}",
    "by_category": "  按类别：{items}",
    "report_line": "  {receipt_no}《{title}》— {member}",
    "overdue": "  待审核超过 {days} 天：{count} 条",
    "overdue_line": "  {receipt_no}《{title}》— {member}，已等待 {waited_days} 天",
    "overdue_more": "  ……另有 {more} 条，见完整日报",
    "study": "二、学习打卡：{members} 人打卡 {count} 次，共 {minutes} 分钟；委员学习率 {share}（{members}/{total}）",
    "activities": "三、近期活动报名",
    "activities_none": "  暂无即将开展的活动。",
    "activity_line": "  {code} {title}（{start}）：已报名 {signed}{capacity}，候补 {waitlist}，请假 {leave}，当日新增 {new}",
    "capacity": "/{capacity}",
    "capacity_unlimited": "（不限名额）",
    "inactive": "四、近30天无履职记录的委员：{count} 人",
    "binding_alert": "注意：{name}（{phone}）当日绑定失败 {count} 次，请核实是否有人冒用（members attempts）",
    "link": "完整日报（含近30天图表）：{url}",
    "unknown_district": "未填旗区",
    "item_sep": "、",
}
TEMPLATE = {  # data of the template message wechat.templates.digest: field name in that template -> wording
    "first": "{org}履职日报（{date}）",
    "keyword1": "{date}",
    "keyword2": "新增社情民意 {reports} 条，待审核超期 {overdue} 条",
    "keyword3": "学习打卡 {members} 人、{minutes} 分钟，学习率 {share}",
    "keyword4": "近期活动 {activities} 项，已报名 {signed} 人次",
    "remark": "近30天无履职记录的委员 {inactive} 人。点击查看完整日报。",
}
TEMPLATE_QUIET = {"remark": "当日无新增社情民意、学习打卡和活动报名。点击查看完整日报。"}  # replaces fields on quiet days
SEND = {  # what `digest send` says
    "no_staff": "没有已绑定微信的工作人员，未发送。",
    "sent": "已发送 {n} 人。",
    "already": "{date} 的日报之前已发送，未重复发送（{n} 人）。",
    "retried": "重试 {n} 人（上次发送失败）。",
    "failed": "发送失败 {n} 人：{names}。可稍后再次执行本命令重试。",
    "unknown": "{n} 人的发送状态不明（可能已送达），为避免重复未自动重发：{names}。确认对方未收到后可执行 "
               "python -m bot outbox retry <编号>（编号：{ids}）。",
    "queued": "{n} 人的消息已排队，由后台发送进程发送。",
}
PAGE = {  # labels on /digest/<date>
    "heading": "履职日报",
    "generated": "生成于 {time}",
    "tile_reports": "新增社情民意",
    "tile_overdue": "待审核超过 {days} 天",
    "tile_study": "学习打卡人数",
    "tile_minutes": "学习分钟数",
    "tile_share": "委员学习率",
    "tile_inactive": "近30天无履职",
    "unit_items": "条",
    "unit_people": "人",
    "unit_minutes": "分钟",
    "chart_reports": "近30天社情民意（条/天）",
    "chart_checkins": "近30天学习打卡（次/天）",
    "section_reports": "社情民意",
    "by_district": "按旗区",
    "by_category": "按类别",
    "new_reports": "当日新增",
    "overdue_reports": "待审核超过 {days} 天（共 {count} 条，按提交时间排列）",
    "overdue_more": "另有 {more} 条未列出",
    "col_receipt": "受理号",
    "col_title": "标题",
    "col_member": "委员",
    "col_district": "旗区",
    "col_category": "类别",
    "col_submitted": "提交日期",
    "col_waited": "已等待",
    "days": "{n} 天",
    "section_activities": "近期活动报名",
    "col_activity": "活动",
    "col_time": "时间",
    "col_signed": "已报名 / 名额",
    "col_waitlist": "候补",
    "col_leave": "请假",
    "col_new": "当日新增",
    "unlimited": "不限",
    "none": "无",
    "print_hint": "可直接用浏览器打印本页。",
    "denied_title": "链接无效",
    "denied_invalid": "抱歉，这个日报链接无效或已被修改。请从公众号消息中重新打开，或联系管理员。",
    "denied_expired": "抱歉，这个日报链接已过期。请使用最新的日报消息，或联系管理员重新发送。",
    "denied_unconfigured": "抱歉，日报页面尚未配置完成，请联系管理员。",
}

SUBMITTED = "已提交"        # waiting for review
ACTIVE_SIGNUP = ("signed", "waitlist", "leave")
OVERDUE_LIST_LIMIT = 50      # the text and page list the oldest ones; the count covers all
CHART_DAYS = 30
INACTIVE_DAYS = 30


# ---------------------------------------------------------------------------------------------
# The digest
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportLine:
    receipt_no: str
    title: str
    member: str
    district: str
    category: str
    created_at: datetime  # local time
    waited_days: int = 0


@dataclass(frozen=True)
class ActivityLine:
    code: str
    title: str
    start_at: datetime  # local time
    place: str
    capacity: int       # 0 = unlimited
    signed: int
    waitlist: int
    leave: int
    new_signups: int

    @property
    def fill(self) -> float | None:
        """Share of places taken, or None when unlimited."""
        return min(self.signed / self.capacity, 1.0) if self.capacity else None


@dataclass(frozen=True)
class DayCount:
    day: date
    reports: int
    checkins: int


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

    @property
    def study_share(self) -> float:
        return self.checkin_members / self.member_total if self.member_total else 0.0

    @property
    def is_quiet(self) -> bool:
        """Nothing new that day: no report, no check-in, no sign-up."""
        return not self.new_reports and not self.checkin_count and not self.new_signups


@dataclass(frozen=True)
class _Window:
    """A span of local days as UTC bounds for queries."""

    start: datetime
    end: datetime


def day_window(rt: Runtime, first: date, last: date | None = None) -> _Window:
    return _Window(*(bound.astimezone(timezone.utc) for bound in local_days(first, last or first, rt.tz)))


def build_digest(rt: Runtime, day: date, session: Session | None = None) -> Digest:
    """All figures for `day` (Asia/Shanghai), as of the end of that day."""
    if session is None:
        with rt.db.session() as own:
            return build_digest(rt, day, own)
    overdue_days = rt.config.digest.overdue_days
    digest = Digest(day=day, org=rt.config.org.name, generated_at=rt.now(),
                    overdue_days=overdue_days)
    window = day_window(rt, day)
    _fill_reports(rt, session, digest, window)
    _fill_overdue(rt, session, digest, window.end - timedelta(days=overdue_days))
    _fill_study(session, digest)
    _fill_activities(rt, session, digest, window)
    digest.inactive_members = _count_inactive(rt, session, day)
    digest.series = _series(rt, session, day)
    digest.binding_alerts = flagged_entries(session, window.start, window.end,
                                            rt.config.binding.flag_failures)
    return digest


def _report_lines(rt: Runtime, session: Session, *where: Any, order: Iterable[Any], limit: int | None = None,
                  as_of: datetime | None = None) -> list[ReportLine]:
    query = (select(Report.receipt_no, Report.title, Member.name, Report.district, Report.category,
                    Report.created_at)
             .join(Member, Member.id == Report.member_id).where(*where, _not_demo())
             .order_by(*order).limit(limit))
    return [ReportLine(receipt_no, title, name, district, category, rt.local(created),
                       (as_of - created).days if as_of else 0)
            for receipt_no, title, name, district, category, created in session.execute(query)]


def _fill_reports(rt: Runtime, session: Session, digest: Digest, window: _Window) -> None:
    digest.new_reports = _report_lines(
        rt, session, Report.created_at >= window.start, Report.created_at < window.end,
        order=(Report.created_at, Report.id))
    unknown = TEXT["unknown_district"]
    digest.by_district = Counter(r.district or unknown for r in digest.new_reports).most_common()
    digest.by_category = Counter(r.category for r in digest.new_reports).most_common()


def _fill_overdue(rt: Runtime, session: Session, digest: Digest, cutoff: datetime) -> None:
    where = (Report.status == SUBMITTED, Report.created_at < cutoff)
    digest.overdue_total = session.scalar(select(func.count()).select_from(Report)
                                          .join(Member, Member.id == Report.member_id)
                                          .where(*where, _not_demo())) or 0
    as_of = cutoff + timedelta(days=digest.overdue_days)
    digest.overdue_reports = _report_lines(rt, session, *where, order=(Report.created_at, Report.id),
                                           limit=OVERDUE_LIST_LIMIT, as_of=as_of)


def _is_member():
    """Members who count: not staff, not demo entries (storage/demo.py)."""
    return and_(Member.role != "staff", _not_demo())


def _not_demo():
    return Member.is_demo.is_(False)


def _fill_study(session: Session, digest: Digest) -> None:
    members, count, minutes = session.execute(
        select(func.count(func.distinct(Checkin.member_id)), func.count(),
               func.coalesce(func.sum(Checkin.minutes), 0))
        .join(Member, Member.id == Checkin.member_id).where(Checkin.day == digest.day, _is_member())).one()
    digest.checkin_members, digest.checkin_count, digest.checkin_minutes = members, count, int(minutes)
    digest.member_total = session.scalar(select(func.count()).select_from(Member).where(_is_member())) or 0


def _fill_activities(rt: Runtime, session: Session, digest: Digest, window: _Window) -> None:
    """Upcoming open activities (starting after the day) with their sign-up counts."""
    def count_if(*cond: Any):
        return func.coalesce(func.sum(case((and_(*cond), 1), else_=0)), 0)

    new = (Signup.created_at >= window.start, Signup.created_at < window.end, Signup.status != "cancelled")
    query = (select(Activity.code, Activity.title, Activity.start_at, Activity.place, Activity.capacity,
                    count_if(Signup.status == "signed"), count_if(Signup.status == "waitlist"),
                    count_if(Signup.status == "leave"), count_if(*new))
             .outerjoin(Signup, Signup.activity_id == Activity.id)
             .where(Activity.status == "open", Activity.start_at >= window.end, Activity.is_demo.is_(False))
             .group_by(Activity.id).order_by(Activity.start_at, Activity.id))
    digest.activities = [ActivityLine(code, title, rt.local(start), place, capacity, *map(int, counts))
                         for code, title, start, place, capacity, *counts in session.execute(query)]
    digest.new_signups = session.scalar(select(func.count()).select_from(Signup)
                                        .join(Member, Member.id == Signup.member_id).where(*new, _not_demo())) or 0


def _count_inactive(rt: Runtime, session: Session, last: date) -> int:
    """Members with no check-in, report, sign-up or attendance in the INACTIVE_DAYS days ending with `last`."""
    first = last - timedelta(days=INACTIVE_DAYS - 1)
    window = day_window(rt, first, last)
    studied = exists().where(Checkin.member_id == Member.id, Checkin.day >= first, Checkin.day <= last)
    reported = exists().where(Report.member_id == Member.id, Report.created_at >= window.start,
                              Report.created_at < window.end)
    signed = exists().where(Signup.member_id == Member.id, Signup.status != "cancelled", or_(
        and_(Signup.created_at >= window.start, Signup.created_at < window.end),
        and_(Signup.attended_at >= window.start, Signup.attended_at < window.end)))
    return session.scalar(select(func.count()).select_from(Member)
                          .where(_is_member(), ~studied, ~reported, ~signed)) or 0


def _series(rt: Runtime, session: Session, day: date) -> list[DayCount]:
    days = [day - timedelta(days=n) for n in range(CHART_DAYS - 1, -1, -1)]
    bounds = [day_window(rt, d) for d in days]
    per_day = [func.coalesce(func.sum(case((and_(Report.created_at >= w.start, Report.created_at < w.end), 1),
                                           else_=0)), 0) for w in bounds]
    reports = session.execute(select(*per_day).join(Member, Member.id == Report.member_id)
                              .where(Report.created_at >= bounds[0].start, Report.created_at < bounds[-1].end,
                                     _not_demo())).one()
    checkins = dict(session.execute(
        select(Checkin.day, func.count()).join(Member, Member.id == Checkin.member_id)
        .where(Checkin.day >= days[0], Checkin.day <= day, _is_member()).group_by(Checkin.day)).all())
    return [DayCount(d, int(r), checkins.get(d, 0)) for d, r in zip(days, reports)]


# ---------------------------------------------------------------------------------------------
# Text and template message
# ---------------------------------------------------------------------------------------------
def format_day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def format_share(share: float) -> str:
    return f"{share * 100:.1f}%"


def _items(pairs: list[tuple[str, int]]) -> str:
    return TEXT["item_sep"].join(f"{name} {count}" for name, count in pairs)


def render_text(digest: Digest) -> str:
    """The full digest as plain text (CLI, customer-service message)."""
    lines = [TEXT["title"].format(org=digest.org, date=format_day(digest.day),
                                  weekday=replies.WEEKDAY_NAMES[digest.day.weekday()])]
    if digest.is_quiet:
        lines.append(TEXT["quiet"])
    lines += ["", *_report_section(digest), ""]
    lines.append(TEXT["study"].format(members=digest.checkin_members, count=digest.checkin_count,
                                      minutes=digest.checkin_minutes, share=format_share(digest.study_share),
                                      total=digest.member_total))
    lines += ["", TEXT["activities"], *(_activity_line(a) for a in digest.activities)]
    if not digest.activities:
        lines.append(TEXT["activities_none"])
    lines += ["", TEXT["inactive"].format(count=digest.inactive_members)]
    lines += [TEXT["binding_alert"].format(name=a.name, phone=mask_phone(a.phone), count=a.failures)
              for a in digest.binding_alerts]
    return "\n".join(lines)


def _report_section(digest: Digest) -> list[str]:
    lines = [TEXT["reports"].format(count=len(digest.new_reports))]
    if digest.new_reports:
        lines.append(TEXT["by_district"].format(items=_items(digest.by_district)))
        lines.append(TEXT["by_category"].format(items=_items(digest.by_category)))
        lines += [TEXT["report_line"].format(**vars(r)) for r in digest.new_reports]
    else:
        lines.append(TEXT["reports_none"])
    lines.append(TEXT["overdue"].format(days=digest.overdue_days, count=digest.overdue_total))
    lines += [TEXT["overdue_line"].format(**vars(r)) for r in digest.overdue_reports]
    more = digest.overdue_total - len(digest.overdue_reports)
    if more > 0:
        lines.append(TEXT["overdue_more"].format(more=more))
    return lines


def _activity_line(a: ActivityLine) -> str:
    capacity = TEXT["capacity"].format(capacity=a.capacity) if a.capacity else TEXT["capacity_unlimited"]
    start = f"{a.start_at.month}月{a.start_at.day}日 {a.start_at:%H:%M}"
    return TEXT["activity_line"].format(code=a.code, title=a.title, start=start, signed=a.signed,
                                        capacity=capacity, waitlist=a.waitlist, leave=a.leave, new=a.new_signups)


def message_text(digest: Digest, url: str, max_bytes: int) -> str:
    """Customer-service text: the full digest and the link, cut to fit but always keeping the link."""
    from bot.protocol import shorten_utf8

    footer = "\n\n" + TEXT["link"].format(url=url) if url.startswith("http") else ""
    budget = max(max_bytes - len(footer.encode("utf-8")), 0)
    return shorten_utf8(render_text(digest), budget) + footer


def template_message(rt: Runtime, digest: Digest, url: str) -> dict[str, Any] | None:
    """The outbox row's template spec: headline figures + page link when wechat.templates.digest is set;
    otherwise only the link, and the outbox falls back to the `notice` template with the text."""
    link = url if url.startswith("http") else ""
    template_id = rt.config.wechat.templates.get("digest", "")
    if not template_id:
        return {"url": link} if link else None
    figures = {"org": digest.org, "date": format_day(digest.day), "reports": len(digest.new_reports),
               "overdue": digest.overdue_total, "members": digest.checkin_members,
               "minutes": digest.checkin_minutes, "share": format_share(digest.study_share),
               "activities": len(digest.activities), "signed": sum(a.signed for a in digest.activities),
               "inactive": digest.inactive_members}
    wording = {**TEMPLATE, **(TEMPLATE_QUIET if digest.is_quiet else {})}
    data = {key: {"value": value.format(**figures)} for key, value in wording.items()}
    return {"template_id": template_id, "url": link, "data": data}


# ---------------------------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------------------------
@dataclass
class SendSummary:
    day: date
    staff: int = 0          # bound staff members
    new: int = 0            # rows written this time
    retried: int = 0        # failed before, reset for another try
    already_sent: int = 0   # sent earlier: not messaged again
    sent: int = 0           # delivered by this call
    failed: list[str] = field(default_factory=list)   # names whose send failed (this time)
    unknown: dict[int, str] = field(default_factory=dict)  # outbox id -> name: maybe delivered, not resent
    queued: int = 0         # left pending for the worker (no sender, a retry later, or being sent)

    def lines(self) -> list[str]:
        if not self.staff:
            return [SEND["no_staff"]]
        sep = TEXT["item_sep"]
        out = []
        if self.sent:
            out.append(SEND["sent"].format(n=self.sent))
        if self.retried:
            out.append(SEND["retried"].format(n=self.retried))
        if self.already_sent:
            out.append(SEND["already"].format(date=format_day(self.day), n=self.already_sent))
        if self.failed:
            out.append(SEND["failed"].format(n=len(self.failed), names=sep.join(self.failed)))
        if self.unknown:
            out.append(SEND["unknown"].format(n=len(self.unknown), names=sep.join(self.unknown.values()),
                                              ids=sep.join(map(str, self.unknown))))
        if self.queued:
            out.append(SEND["queued"].format(n=self.queued))
        return out


def digest_key(day: date, member_id: int) -> str:
    return f"digest:{day.isoformat()}:{member_id}"


def send_for_day(rt: Runtime, day: date) -> SendSummary:
    """Queue the day's digest for every bound staff member and deliver it now. Safe to repeat:
    sent rows are skipped, failed rows are retried, rows of unknown fate are left for staff."""
    digest = build_digest(rt, day)
    url = _page_link(rt, day)
    content = {"text": message_text(digest, url, rt.config.wechat.reply_max_bytes),
               "template": template_message(rt, digest, url)}
    summary = SendSummary(day=day)
    with rt.kv.lock(f"digest:send:{day.isoformat()}", timeout=60, wait=60):
        with rt.db.session() as session:
            todo = _queue_rows(rt, session, summary, content)
    _deliver(rt, todo, summary)
    return summary


def _page_link(rt: Runtime, day: date) -> str:
    """The signed page link; without a configured secret the digest still goes out, without a link."""
    from bot.signed_links import LinkError, digest_url

    try:
        return digest_url(rt, day)
    except LinkError:
        log.warning("digest link not configured (digest.secret or wechat.token): sending without a link")
        return ""


def _queue_rows(rt: Runtime, session: Session, summary: SendSummary, content: dict[str, Any]) -> dict[int, str]:
    """Write new rows and make unsent ones due now; returns {outbox id: staff name} to deliver."""
    staff = session.scalars(select(Member).where(Member.role == "staff", Member.openid.is_not(None), _not_demo())
                            .order_by(Member.id)).all()
    summary.staff = len(staff)
    keys = {digest_key(summary.day, m.id): m for m in staff}
    rows = {row.dedup_key: row for row in session.scalars(
        select(OutboxMessage).where(OutboxMessage.dedup_key.in_(list(keys))))} if keys else {}
    todo: dict[int, str] = {}
    for key, member in keys.items():
        row = rows.get(key)
        if row is None:
            row = outbox.enqueue(session, openid=member.openid, kind="digest", member_id=member.id,
                                 dedup_key=key, **content)
            summary.new += 1
            todo[row.id] = member.name
        elif row.status == "sent":
            summary.already_sent += 1
        elif row.status == "unknown":
            summary.unknown[row.id] = member.name
        elif _make_due(rt, session, row.id, content):
            summary.retried += row.status == "failed"  # the status read above, before the update
            todo[row.id] = member.name
        else:  # being sent by another process right now
            summary.queued += 1
    return todo


def _make_due(rt: Runtime, session: Session, row_id: int, content: dict[str, Any]) -> bool:
    """A failed or pending row gets fresh content (a new link) and is due now; conditional, so a row
    a worker has just claimed is left alone."""
    changed = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status.in_(("failed", "pending")))
        .values(status="pending", attempts=case((OutboxMessage.status == "failed", 0),
                                                else_=OutboxMessage.attempts),
                next_attempt_at=rt.now().astimezone(timezone.utc), **content)
        .execution_options(synchronize_session=False)).rowcount
    return changed == 1


def _deliver(rt: Runtime, todo: dict[int, str], summary: SendSummary) -> None:
    """Send the queued rows now; report what happened to each."""
    if not todo:
        return
    try:
        outbox.deliver_due(rt, limit=len(todo), only_ids=list(todo))
    except Exception:  # the rows stay in the outbox; the worker sends them later
        log.exception("digest %s: delivery failed", summary.day)
    with rt.db.session() as session:
        statuses = dict(session.execute(select(OutboxMessage.id, OutboxMessage.status)
                                        .where(OutboxMessage.id.in_(list(todo)))).all())
    for row_id, name in todo.items():
        status = statuses.get(row_id)
        if status == "sent":
            summary.sent += 1
        elif status == "failed":
            summary.failed.append(name)
        elif status == "unknown":
            summary.unknown[row_id] = name
        else:
            summary.queued += 1


def send_scheduled(rt: Runtime, now: datetime | None = None) -> SendSummary:
    """The scheduler's daily job: yesterday's digest (idempotent, so several workers may call it)."""
    today = rt.local(now or rt.now()).date()
    summary = send_for_day(rt, today - timedelta(days=1))
    log.info("digest %s: %s", summary.day, " ".join(summary.lines()))
    return summary
