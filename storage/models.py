"""Typed SQLAlchemy 2.0 models. Times are aware UTC; calendar days are Asia/Shanghai dates."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.statuses import ActivityStatus, MemberRole, OutboxStatus, ReportState, SignupStatus
from storage.types import UtcDateTime


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JSON()}


class Member(Base):
    """A roster entry: a CPPCC member (委员) or an office staff member (工作人员)."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(11), unique=True)
    sector: Mapped[str] = mapped_column(String(64), default="")      # 界别
    district: Mapped[str] = mapped_column(String(32), default="")    # 旗区
    role: Mapped[str] = mapped_column(String(16), default=MemberRole.MEMBER)
    openid: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    bound_at: Mapped[Optional[datetime]]
    last_message_at: Mapped[Optional[datetime]]  # opens WeChat's 48-hour customer-service window
    kefu_used: Mapped[int] = mapped_column(default=0)        # kefu messages sent since that message (≤ 5)
    last_event_at: Mapped[Optional[datetime]]                # menu click, follow or scan: a 1-minute window
    kefu_event_used: Mapped[int] = mapped_column(default=0)  # kefu messages sent since that event (≤ 3)
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def is_staff(self) -> bool:
        return self.role == MemberRole.STAFF


class Checkin(Base):
    """学习打卡: one study session."""

    __tablename__ = "checkins"
    __table_args__ = (Index("ix_checkins_member_day", "member_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    day: Mapped[date]
    minutes: Mapped[int]
    material: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")   # what the member wrote
    source: Mapped[Optional[str]] = mapped_column(String(128), unique=True)  # inbound message key
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member] = relationship()


class Activity(Base):
    """An activity published by staff: 视察, 协商会, 读书分享会 …"""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)   # short code members type: A3
    title: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16), default="其他")
    start_at: Mapped[datetime]
    end_at: Mapped[Optional[datetime]]
    place: Mapped[str] = mapped_column(String(100), default="")
    capacity: Mapped[int] = mapped_column(default=0)              # 0 = unlimited
    deadline: Mapped[Optional[datetime]]                           # sign-up closes
    audience: Mapped[str] = mapped_column(String(200), default="")  # empty = all members
    status: Mapped[str] = mapped_column(String(16), default=ActivityStatus.OPEN)
    checkin_code: Mapped[str] = mapped_column(String(8), default="")  # 签到 code staff announce on site
    qr_ticket: Mapped[str] = mapped_column(String(200), default="")   # WeChat-issued scene QR (qrcode/create)
    qr_url: Mapped[str] = mapped_column(String(200), default="")      # what the printed QR code holds
    qr_expires_at: Mapped[Optional[datetime]]
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Signup(Base):
    """A member's place on an activity; one row per (activity, member), status changes in place."""

    __tablename__ = "signups"
    __table_args__ = (UniqueConstraint("activity_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    # signed | waitlist | cancelled | leave | walkin (signed in on site without a place booked)
    status: Mapped[str] = mapped_column(String(16), default=SignupStatus.SIGNED)
    reason: Mapped[str] = mapped_column(String(200), default="")
    attended_at: Mapped[Optional[datetime]]
    waitlisted_at: Mapped[Optional[datetime]]  # when the member joined the waitlist: promotion is first come, first served
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    activity: Mapped[Activity] = relationship()
    member: Mapped[Member] = relationship()


class Report(Base):
    """社情民意信息: the member's original text is never overwritten."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_no: Mapped[str] = mapped_column(String(20), unique=True)  # SQ2026-0001
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(16), default="其他")
    district: Mapped[str] = mapped_column(String(32), default="")
    suggestion: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=ReportState.SUBMITTED)
    revision_of_id: Mapped[Optional[int]] = mapped_column(ForeignKey("reports.id"))  # resubmitted after 退回
    merged_into_id: Mapped[Optional[int]] = mapped_column(ForeignKey("reports.id"))  # 已合并 into this one
    source: Mapped[Optional[str]] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    member: Mapped[Member] = relationship()
    events: Mapped[list["ReportEvent"]] = relationship(order_by="ReportEvent.id", back_populates="report")
    attachments: Mapped[list["ReportAttachment"]] = relationship(order_by="ReportAttachment.id")


class ReportAttachment(Base):
    """A photo or voice transcript a member sent while drafting a report."""

    __tablename__ = "report_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))          # image | voice
    media_id: Mapped[str] = mapped_column(String(128), default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    text: Mapped[str] = mapped_column(Text, default="")    # voice transcript
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Photos are copied off WeChat's temporary media (kept ~3 days) by bot/media.py:
    stored_path: Mapped[str] = mapped_column(String(200), default="")  # file name under config media.dir
    stored_at: Mapped[Optional[datetime]]
    fetch_error: Mapped[str] = mapped_column(Text, default="")         # permanent download failure: not retried


class ReportSecond(Base):
    """附议: a member seconds another member's report instead of filing a duplicate."""

    __tablename__ = "report_seconds"
    __table_args__ = (UniqueConstraint("report_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportEvent(Base):
    """One step in a report's history: who changed it to which state, when, why."""

    __tablename__ = "report_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[Optional[dict[str, Any]]]   # structured extras: forwarded to whom, 批示 by whom and level …
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    report: Mapped[Report] = relationship(back_populates="events")


class Counter(Base):
    """Named sequences (receipt numbers per year) incremented atomically."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


class UnhandledMessage(Base):
    """A message whose handling failed: kept so staff can follow up and nothing a member sent is lost."""

    __tablename__ = "unhandled_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64))
    message_key: Mapped[str] = mapped_column(String(128), unique=True)
    msg_type: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """Every outbound WeChat message, written before it is sent; sent at most once."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    openid: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))                   # notice | digest | reminder …
    text: Mapped[str] = mapped_column(Text)                         # customer-service text
    template: Mapped[Optional[dict[str, Any]]]                      # template message fields, if any
    dedup_key: Mapped[Optional[str]] = mapped_column(String(128), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    channel: Mapped[Optional[str]] = mapped_column(String(16))      # OutboxChannel
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    response: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[Optional[datetime]]
    msgid: Mapped[str] = mapped_column(String(32), default="", index=True)  # WeChat's id, matched by receipts
    receipt_at: Mapped[Optional[datetime]]                                   # when the receipt arrived


class Subscription(Base):
    """A WeChat user's opt-in to one 订阅通知 template (subscribe_msg_popup_event / _change_event).
    One-time templates: each accept allows one notification (credits); long-term ones: while accepted."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("openid", "template_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64))
    template_id: Mapped[str] = mapped_column(String(128))
    accepted: Mapped[bool] = mapped_column(default=False)
    credits: Mapped[int] = mapped_column(default=0)          # one-time sends still allowed
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class BindingAttempt(Base):
    """One try to bind a WeChat account to a roster entry (kept for throttling and for staff)."""

    __tablename__ = "binding_attempts"
    __table_args__ = (Index("ix_binding_attempts_openid_at", "openid", "at"),
                      Index("ix_binding_attempts_member_at", "member_id", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))  # entry aimed at
    outcome: Mapped[str] = mapped_column(String(16))  # bound | no_match | taken | code_required | bad_code | throttled …
    at: Mapped[datetime] = mapped_column(default=utcnow)


class BindingCode(Base):
    """A one-time binding code issued by staff (`members code PHONE`); only its hash is kept."""

    __tablename__ = "binding_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[Optional[datetime]]  # set when used or replaced by a newer code


class ConsoleAccount(Base):
    """A staff roster entry's login to the web console (/console): password hash and role."""

    __tablename__ = "console_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))   # argon2id, with its parameters and salt
    is_admin: Mapped[bool] = mapped_column(default=False)      # admin: also roster, passwords, settings
    password_set_at: Mapped[datetime] = mapped_column(default=utcnow)  # sessions older than this are void
    last_login_at: Mapped[Optional[datetime]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member] = relationship()


class ConsoleLogin(Base):
    """One console login attempt (kept for throttling per phone and per address, and for staff)."""

    __tablename__ = "console_logins"
    __table_args__ = (Index("ix_console_logins_phone_at", "phone", "at"),
                      Index("ix_console_logins_address_at", "address", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(32))      # as normalised; what was typed when it is no phone
    address: Mapped[str] = mapped_column(String(64))    # the client's IP address
    ok: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """One change made in the console: who, when, what, on which item, the values before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_item", "item_kind", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(64))   # kept as written, even if the entry is deleted
    action: Mapped[str] = mapped_column(String(64))       # what was done, e.g. report.adopt, activity.edit
    item_kind: Mapped[str] = mapped_column(String(32))    # report | activity | member | outbox | account …
    item_id: Mapped[str] = mapped_column(String(64))      # the item's id or code (SQ2026-0001, A3, phone …)
    before: Mapped[Optional[dict[str, Any]]]
    after: Mapped[Optional[dict[str, Any]]]
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


import storage.proposal_models  # noqa: E402,F401 - 提案 models (issue 14) register on Base
