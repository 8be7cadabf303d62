"""The stored codes of every status family: one StrEnum each, imported wherever a status is written or read.

The value of a member is what the database holds; the Chinese shown to people lives with the other wording
(bot/replies.py, bot/cli/vocab.py). 社情民意 states were stored as their Chinese names from the start, so
ReportState's values are those names (changing them would need an Alembic migration); its English code, for
`--status`, is the member's name in lower case (`submitted`). A StrEnum equals its value, so rows, queries and
JSON keep working with plain strings.
"""
from __future__ import annotations

from enum import StrEnum


class MemberRole(StrEnum):
    MEMBER = "member"
    STAFF = "staff"


class ActivityStatus(StrEnum):
    OPEN = "open"
    CANCELLED = "cancelled"


class SignupStatus(StrEnum):
    """A member's one row per activity; it changes in place (storage/activities.py)."""

    SIGNED = "signed"          # holds a confirmed place
    WAITLIST = "waitlist"      # queued for a place (first come, first served)
    LEAVE = "leave"            # excused absence (请假, with reason)
    CANCELLED = "cancelled"    # withdrew, or left the waitlist
    WALKIN = "walkin"          # signed in on site without a booked place


class AttendanceResult(StrEnum):
    """What a sign-up means for the duty record, once its activity is judged (storage/records.py).
    Named like the sign-up status it comes from where they coincide."""

    ATTENDED = "attended"      # signed in (booked or walk-in)
    ABSENT = "absent"          # held a place, the activity ended, no 签到, no 请假
    LEAVE = "leave"            # excused (请假)
    SIGNED = "signed"          # holds a place for an activity still to come
    WAITLIST = "waitlist"      # on the waitlist


class ReportState(StrEnum):
    """社情民意 review states (the workflow is storage/report_flow.py); values are the stored Chinese names."""

    SUBMITTED = "已提交"
    ADOPTED = "已采用"
    RETURNED = "已退回"
    REJECTED = "未采用"
    FORWARDED = "已报送"
    INSTRUCTED = "已批示"
    CLOSED = "已办结"
    MERGED = "已合并"

    @property
    def code(self) -> str:
        """The English code `--status` also accepts."""
        return self.name.lower()


ADOPTED_STATES = (ReportState.ADOPTED, ReportState.FORWARDED, ReportState.INSTRUCTED, ReportState.CLOSED)
LIVE_STATES = (ReportState.SUBMITTED,) + ADOPTED_STATES  # still stands: can be seconded or merged into


class OutboxStatus(StrEnum):
    PENDING = "pending"        # due at next_attempt_at
    SENDING = "sending"        # claimed by one worker
    SENT = "sent"              # WeChat accepted it; a delivery receipt may follow
    DELIVERED = "delivered"    # receipt: it reached the member (TEMPLATESENDJOBFINISH / subscribe_msg_sent_event)
    USER_BLOCKED = "user_blocked"  # receipt: the member refuses messages from the account
    FAILED = "failed"          # permanent error, out of attempts, or a failed receipt (staff may retry)
    UNKNOWN = "unknown"        # the request went out but no answer came: not resent automatically
    CANCELLED = "cancelled"    # no longer to be sent (e.g. a reminder for a cancelled sign-up)


class OutboxChannel(StrEnum):
    KEFU = "kefu"              # customer-service message, inside the window and its quota
    SUBSCRIBE = "subscribe"    # 订阅通知, where the member opted in to the template
    TEMPLATE = "template"      # template message


SENT_STATES = (OutboxStatus.SENT, OutboxStatus.DELIVERED)  # went out: never sent again by itself


class DeliveryOutcome(StrEnum):
    """What one delivery attempt of an outbox row did (bot/outbox.py); the digest's send summary counts them."""

    SENT = "sent"
    RETRY = "retry"            # a transient error or rate limit: tried again later
    FAILED = "failed"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"        # not due, claimed by another worker, or paused
    QUEUED = "queued"          # left to the background sender


class ProposalState(StrEnum):
    """提案 states (the workflow is storage/proposal_flow.py); the Chinese labels are in bot/replies.py."""

    SUBMITTED = "submitted"    # 待审查: filed by the member (or entered by staff), waiting for 审查
    RETURNED = "returned"      # 退回修改: the member may revise and resubmit it (same receipt)
    REJECTED = "rejected"      # 不立案 (with reason; perhaps turned into a 社情民意 report, report_id links it)
    MERGED = "merged"          # 并案: merged into another proposal (merged_into_id)
    REGISTERED = "registered"  # 已立案, not yet 交办
    ASSIGNED = "assigned"      # 已交办: handling units at work (办理中)
    REPLIED = "replied"        # 已办复: the lead unit replied; the author's verdict is awaited
    REHANDLING = "rehandling"  # 再办理: the author was 不满意; handled again (round + 1)
    CLOSED = "closed"          # 已办结


LIVE_PROPOSAL_STATES = (ProposalState.SUBMITTED, ProposalState.REGISTERED, ProposalState.ASSIGNED,
                        ProposalState.REPLIED, ProposalState.REHANDLING, ProposalState.CLOSED)
REGISTERED_PROPOSAL_STATES = (ProposalState.REGISTERED, ProposalState.ASSIGNED, ProposalState.REPLIED,
                              ProposalState.REHANDLING, ProposalState.CLOSED)  # 立案 and every later state
HANDLING_PROPOSAL_STATES = (ProposalState.ASSIGNED, ProposalState.REHANDLING)  # units at work: may be overdue


class CosignStatus(StrEnum):
    """A 联名 invitation (storage/proposals.py); only AGREED co-signers are listed on the proposal."""

    INVITED = "invited"
    AGREED = "agreed"
    DECLINED = "declined"


class HandlingRole(StrEnum):
    """A handling unit's part in a proposal (交办)."""

    LEAD = "lead"              # 主办
    ASSIST = "assist"          # 协办
    JOINT = "joint"            # 会办


class ReplyChannel(StrEnum):
    """How the unit communicated with the member when replying (办复)."""

    MEETING = "meeting"        # 面谈
    FORUM = "forum"            # 座谈
    PHONE = "phone"            # 电话
    WRITTEN = "written"        # 书面


class ReplyOutcome(StrEnum):
    """The outcome class of a unit's reply."""

    A = "A"                    # 已解决或采纳
    B = "B"                    # 正在解决或列入计划
    C = "C"                    # 因条件限制留作参考


class Verdict(StrEnum):
    """The author's verdict on a reply (评价); UNSATISFIED reopens the proposal for 再办理."""

    SATISFIED = "satisfied"    # 满意
    BASIC = "basic"            # 基本满意
    UNSATISFIED = "unsatisfied"  # 不满意
