"""Proposals for console and export tests, made through storage (the same steps the workflow uses)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from storage import proposal_flow as flow, proposals
from storage.models import Member
from storage.proposals import UnitRole
from storage.statuses import CosignStatus, HandlingRole

ANALYSIS = "我市老旧小区普遍没有电梯，六层住宅里住着大量老人，上下楼十分困难，部分老人常年不能下楼。"
SUGGESTIONS = "1. 将老旧小区加装电梯纳入城市更新计划\n2. 市财政对每部电梯给予补贴\n3. 简化审批流程"


def file_proposal(session, author: Member | None, *, title="关于老旧小区加装电梯的提案", category="城乡建设",
                  now: datetime, analysis=ANALYSIS, suggestions=SUGGESTIONS, session_label="",
                  collective_author="", collective_kind="", cosigners=(), receipt_format="{prefix}{year}-{number:04d}"):
    """A 待审查 proposal; `cosigners` are members who agreed to co-sign."""
    proposal = proposals.create(session, author=author, title=title, analysis=analysis, suggestions=suggestions,
                                category=category, now=now, year=now.year, receipt_format=receipt_format,
                                prefix="TA", session_label=session_label, collective_author=collective_author,
                                collective_kind=collective_kind, actor="测试")
    if cosigners:
        for row in proposals.invite(session, proposal, cosigners, actor=author.name if author else "测试", now=now):
            row.status, row.answered_at = CosignStatus.AGREED, now
        session.flush()
    return proposal


def register(session, proposal, now: datetime) -> None:
    flow.apply(session, proposal, flow.ACTIONS["register"], actor="王秘书", now=now)


def assign(session, proposal, now: datetime, units=(("市住房和城乡建设局", HandlingRole.LEAD),), *,
           deadline: date | None = None) -> None:
    proposals.assign(session, proposal, [UnitRole(u, r) for u, r in units],
                     deadline=deadline or (now.date() + timedelta(days=90)), actor="王秘书", now=now)


def reply(session, proposal, now: datetime, unit="市住房和城乡建设局", outcome="A", channel="meeting",
          text="已将加装电梯纳入明年计划。") -> None:
    proposals.add_reply(session, proposal, unit=unit, text=text, channel=channel, outcome=outcome, actor="王秘书",
                        now=now)


def judge(session, proposal, now: datetime, verdict="satisfied", reason="") -> None:
    proposals.add_verdict(session, proposal, proposal.author, verdict=verdict, reason=reason, now=now)
