"""提案 models (issue 14): proposals, co-signers (联名), handling assignments (交办), unit replies (办复),
the author's verdicts (评价) and the history. Registered on storage.models.Base (that module imports this one).

A proposal's text (案由 title, 情况分析 analysis, 具体建议 suggestions) is the author's; staff never rewrite it.
A revision after 退回修改 keeps the earlier text in the history event's details.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models import Base, Member, Report, utcnow
from storage.statuses import CosignStatus, ProposalState


class Proposal(Base):
    """提案. A member's (author_id) or a collective one (集体提案: collective_author, entered by staff)."""

    __tablename__ = "proposals"
    __table_args__ = (Index("ix_proposals_year_state", "year", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_no: Mapped[str] = mapped_column(String(32), unique=True)     # TA2026-0001 (proposals.receipt_format)
    year: Mapped[int]                                                     # Shanghai year of submission
    session_label: Mapped[str] = mapped_column(String(32), default="")   # 届次会议 (proposals.session), e.g. 八届三次
    title: Mapped[str] = mapped_column(String(100))                      # 案由
    analysis: Mapped[str] = mapped_column(Text, default="")               # 情况分析
    suggestions: Mapped[str] = mapped_column(Text, default="")            # 具体建议, numbered lines "1. …"
    category: Mapped[str] = mapped_column(String(16), default="其他")
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"), index=True)  # None: collective only
    collective_author: Mapped[str] = mapped_column(String(64), default="")  # 界别/党派/专委会 name (集体提案)
    collective_kind: Mapped[str] = mapped_column(String(16), default="")    # 界别 | 党派 | 专委会
    state: Mapped[str] = mapped_column(String(16), default=ProposalState.SUBMITTED, index=True)
    is_key: Mapped[bool] = mapped_column(default=False)          # 重点提案
    is_excellent: Mapped[bool] = mapped_column(default=False)    # 优秀提案
    round: Mapped[int] = mapped_column(default=1)                # handling round: 2 after 不满意 → 再办理 …
    merged_into_id: Mapped[Optional[int]] = mapped_column(ForeignKey("proposals.id"))  # 并案 into this one
    report_id: Mapped[Optional[int]] = mapped_column(ForeignKey("reports.id"))         # 不立案 → 社情民意
    source: Mapped[Optional[str]] = mapped_column(String(128), unique=True)            # inbound message key
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)           # submitted
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    author: Mapped[Optional[Member]] = relationship(foreign_keys=[author_id])
    report: Mapped[Optional[Report]] = relationship(foreign_keys=[report_id])
    cosigners: Mapped[list["ProposalCosigner"]] = relationship(order_by="ProposalCosigner.id",
                                                              back_populates="proposal")
    assignments: Mapped[list["ProposalAssignment"]] = relationship(order_by="ProposalAssignment.id",
                                                                  back_populates="proposal")
    replies: Mapped[list["ProposalReply"]] = relationship(order_by="ProposalReply.id", back_populates="proposal")
    verdicts: Mapped[list["ProposalVerdict"]] = relationship(order_by="ProposalVerdict.id",
                                                            back_populates="proposal")
    events: Mapped[list["ProposalEvent"]] = relationship(order_by="ProposalEvent.id", back_populates="proposal")

    @property
    def authors_text(self) -> str:
        """The author as listed: the collective's name, or the member (agreeing co-signers are listed apart)."""
        if self.collective_author:
            return self.collective_author
        return self.author.name if self.author is not None else ""

    @property
    def agreed_cosigners(self) -> list["ProposalCosigner"]:
        return [c for c in self.cosigners if c.status == CosignStatus.AGREED]


class ProposalCosigner(Base):
    """联名: one invited co-signer and their answer; only AGREED ones are listed."""

    __tablename__ = "proposal_cosigners"
    __table_args__ = (UniqueConstraint("proposal_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=CosignStatus.INVITED)
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[Optional[datetime]]

    proposal: Mapped[Proposal] = relationship(back_populates="cosigners")
    member: Mapped[Member] = relationship()


class ProposalAssignment(Base):
    """交办: one handling unit (承办单位) with its role and deadline, for one handling round."""

    __tablename__ = "proposal_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    unit: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))        # HandlingRole: lead 主办 | assist 协办 | joint 会办
    deadline: Mapped[date]                               # Shanghai day the reply is due
    round: Mapped[int] = mapped_column(default=1)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    replied_at: Mapped[Optional[datetime]]               # set when this unit's reply for this round is recorded

    proposal: Mapped[Proposal] = relationship(back_populates="assignments")


class ProposalReply(Base):
    """办复: a unit's reply, how it communicated with the member and the outcome class."""

    __tablename__ = "proposal_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    assignment_id: Mapped[Optional[int]] = mapped_column(ForeignKey("proposal_assignments.id"))
    unit: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text, default="")
    file_path: Mapped[str] = mapped_column(String(300), default="")   # the reply letter (答复函) as filed
    channel: Mapped[str] = mapped_column(String(16))                  # ReplyChannel: 面谈/座谈/电话/书面
    outcome: Mapped[str] = mapped_column(String(1))                   # ReplyOutcome: A | B | C
    round: Mapped[int] = mapped_column(default=1)
    actor: Mapped[str] = mapped_column(String(64), default="")        # staff who recorded it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="replies")


class ProposalVerdict(Base):
    """评价: the author's verdict on one handling round's reply."""

    __tablename__ = "proposal_verdicts"
    __table_args__ = (UniqueConstraint("proposal_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    member_id: Mapped[Optional[int]] = mapped_column(ForeignKey("members.id"))
    verdict: Mapped[str] = mapped_column(String(16))                  # Verdict
    reason: Mapped[str] = mapped_column(Text, default="")
    round: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="verdicts")


class ProposalEvent(Base):
    """One step in a proposal's history: who did what (details.action), the state after it, when, why."""

    __tablename__ = "proposal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    state: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[Optional[dict[str, Any]]]   # {"action": …, "from": state, units, deadline, verdict …}
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="events")
