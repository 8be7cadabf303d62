"""提案 workflow: the one transition table (storage/proposal_flow.py) tested like the report flow, the CLI that
reads it, collective proposals, 督办 in the digest, and the duty record's counts."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from bot import proposal_review
from bot.cli import build_parser
from conftest import FIXED_NOW, add_member
from storage import proposals
from storage.models import Member, OutboxMessage
from storage.proposal_flow import ACTIONS, STATES, VERBS, FlowError, action_for, allowed, apply
from storage.proposal_models import Proposal
from storage.statuses import HandlingRole, ProposalState

NOW = FIXED_NOW.astimezone(timezone.utc)
ARGS = {"reject": {"note": "属于部门日常工作"}, "return": {"note": "请补充数据"}, "urge": {"note": "请尽快答复"}}


def new_proposal(session, author: Member, state: str = ProposalState.SUBMITTED, title: str = "关于加强社区养老服务的建议"):
    proposal = proposals.create(session, author=author, title=title, analysis="情况分析" * 5, suggestions="1. 建议",
                                category="社会民生", now=NOW, year=2026, receipt_format="{prefix}{year}-{number:04d}",
                                prefix="TA")
    proposal.state = state
    session.flush()
    return proposal


def test_the_table_is_one_consistent_place():
    assert {a.target for a in ACTIONS.values() if a.target} | {ProposalState.SUBMITTED} <= set(STATES)
    assert set(STATES) - {a.target for a in ACTIONS.values()} == set()  # every state is reachable
    assert {a.verb for a in ACTIONS.values() if a.verb} <= set(VERBS)
    assert action_for("立案") is ACTIONS["register"] and action_for("退回修改") is ACTIONS["return"]
    assert all(a.by_member for a in ACTIONS.values() if not a.verb)
    parser = build_parser()
    group = parser._subparsers._group_actions[0].choices["proposals"]._subparsers._group_actions[0]
    action_arg = next(a for a in group.choices["review"]._actions if a.dest == "action")
    assert set(action_arg.choices) | {"assign", "reply", "urge"} == {a.name for a in ACTIONS.values() if a.verb}


def test_every_action_from_every_state(runtime):
    """Allowed exactly from the table's source states; a refusal changes nothing and records nothing."""
    author = add_member(runtime, "张三", "13912345678")
    with runtime.db.session() as session:
        author = session.get(Member, author.id)
        target = new_proposal(session, author, ProposalState.REGISTERED)
        for action in ACTIONS.values():
            if action.name in ("assign", "reply"):
                continue  # they carry units and replies: storage/proposals.py, tested below
            for state in STATES:
                proposal = new_proposal(session, author, state)
                events = len(proposal.events)
                kwargs = dict(ARGS.get(action.name, {}))
                if action.needs_into:
                    kwargs["into"] = target
                if state in action.sources:
                    event = apply(session, proposal, action, actor="工作人员", now=NOW, **kwargs)
                    assert proposal.state == (action.target or state)
                    assert event.details["action"] == action.name and event.details["from"] == state
                else:
                    with pytest.raises(FlowError) as refused:
                        apply(session, proposal, action, actor="工作人员", now=NOW, **kwargs)
                    assert refused.value.code == "not_allowed"
                    assert proposal.state == state and len(proposal.events) == events


@pytest.mark.parametrize("name", ["reject", "return", "urge"])
def test_reasons_are_required(runtime, name):
    author = add_member(runtime, "张三", "13912345678")
    with runtime.db.session() as session:
        state = ACTIONS[name].sources[0]
        proposal = new_proposal(session, session.get(Member, author.id), state)
        with pytest.raises(FlowError, match=f"need_note_{name}"):
            apply(session, proposal, ACTIONS[name], actor="x", now=NOW, note="  ")
        assert proposal.state == state


def test_flags_and_merge_rules(runtime):
    author = add_member(runtime, "张三", "13912345678")
    with runtime.db.session() as session:
        author = session.get(Member, author.id)
        proposal = new_proposal(session, author)
        apply(session, proposal, ACTIONS["mark_key"], actor="x", now=NOW)
        assert proposal.is_key and proposal.state == ProposalState.SUBMITTED
        with pytest.raises(FlowError, match="already_mark_key"):
            apply(session, proposal, ACTIONS["mark_key"], actor="x", now=NOW)
        assert "mark_key" not in [a.name for a in allowed(proposal)]
        with pytest.raises(FlowError, match="merge_self"):
            apply(session, proposal, ACTIONS["merge"], actor="x", now=NOW, into=proposal)
        closed = new_proposal(session, author, ProposalState.CLOSED)
        with pytest.raises(FlowError, match="merge_target"):
            apply(session, proposal, ACTIONS["merge"], actor="x", now=NOW, into=closed)
        other = new_proposal(session, author)
        apply(session, proposal, ACTIONS["merge"], actor="x", now=NOW, into=other)
        assert proposal.merged_into_id == other.id and other.events[-1].details["action"] == "merged_in"


def test_assign_reply_and_verdict_rules(runtime):
    author = add_member(runtime, "张三", "13912345678")
    stranger = add_member(runtime, "李四", "13912345679")
    with runtime.db.session() as session:
        author, stranger = session.get(Member, author.id), session.get(Member, stranger.id)
        proposal = new_proposal(session, author, ProposalState.REGISTERED)
        with pytest.raises(FlowError, match="need_one_lead"):
            proposals.assign(session, proposal, [proposals.UnitRole("市财政局", HandlingRole.ASSIST)],
                             deadline=date(2027, 1, 1), actor="x", now=NOW)
        with pytest.raises(FlowError, match="two_leads"):
            proposals.assign(session, proposal, [proposals.UnitRole("市民政局"), proposals.UnitRole("市财政局")],
                             deadline=date(2027, 1, 1), actor="x", now=NOW)
        assert proposal.state == ProposalState.REGISTERED and not proposal.assignments
        proposals.assign(session, proposal, [proposals.UnitRole("市民政局")], deadline=date(2027, 1, 1), actor="x",
                         now=NOW)
        with pytest.raises(FlowError, match="unit_not_assigned"):
            proposals.add_reply(session, proposal, unit="市财政局", text="答复", channel="phone", outcome="A",
                                actor="x", now=NOW)
        with pytest.raises(FlowError, match="bad_outcome"):
            proposals.add_reply(session, proposal, unit="市民政局", text="答复", channel="phone", outcome="D",
                                actor="x", now=NOW)
        proposals.add_reply(session, proposal, unit="市民政局", text="答复", channel="phone", outcome="A", actor="x",
                            now=NOW)
        with pytest.raises(FlowError, match="not_author"):
            proposals.add_verdict(session, proposal, stranger, verdict="satisfied", reason="", now=NOW)
        with pytest.raises(FlowError, match="need_reason_unsatisfied"):
            proposals.add_verdict(session, proposal, author, verdict="unsatisfied", reason="", now=NOW)
        proposals.add_verdict(session, proposal, author, verdict="basic", reason="", now=NOW)
        assert proposal.state == ProposalState.CLOSED


def test_cli_chain_and_collective(runtime, cli, tmp_path):
    add_member(runtime, "张三", "13912345678", openid="o_zhang")
    code, out, err = cli("proposals", "collective", "--author", "民盟鄂尔多斯市委员会", "--kind", "党派",
                         "--title", "关于加快发展职业教育的建议", "--analysis", "职业院校专业设置与产业需求脱节。" * 3,
                         "--suggestions", "1. 调整专业设置 2. 校企合作", "--category", "科教文卫")
    assert code == 0 and "TA2026-0001" in out, err
    assert cli("proposals", "review", "TA2026-0001", "--action", "register")[0] == 0
    code, out, err = cli("proposals", "assign", "TA2026-0001", "--lead", "市教育局", "--assist", "市人力资源和社会保障局",
                         "--deadline", "2027-02-01")
    assert code == 0 and "办理中" in out, err
    code, _, err = cli("proposals", "assign", "TA2026-0001", "--lead", "市不存在局")
    assert code == 2 and "不在名单中" in err
    code, out, err = cli("proposals", "reply", "TA2026-0001", "--unit", "市教育局", "--outcome", "A",
                         "--channel", "座谈", "--text", "已调整专业设置")
    assert code == 0 and "已办复" in out, err
    code, out, _ = cli("proposals", "show", "TA2026-0001")
    assert "民盟鄂尔多斯市委员会" in out and "座谈" in out and "市教育局（主办" in out
    code, out, _ = cli("proposals", "list", "--state", "已办复")
    assert "TA2026-0001" in out
    assert cli("proposals", "review", "TA2026-0001", "--action", "close")[0] == 0
    code, out, _ = cli("proposals", "export", "--year", "2026", "--format", "xlsx", "--kind", "statistics",
                       "--out", str(tmp_path / "s.xlsx"))
    assert code == 0 and (tmp_path / "s.xlsx").stat().st_size > 0


def test_overdue_in_the_digest_and_urge_from_the_cli(runtime, cli):
    author = add_member(runtime, "张三", "13912345678", openid="o_zhang")
    with runtime.db.session() as session:
        proposal = new_proposal(session, session.get(Member, author.id), ProposalState.REGISTERED)
        proposals.assign(session, proposal, [proposals.UnitRole("市民政局")], deadline=date(2026, 11, 20),
                         actor="x", now=NOW)
    from bot.digest.build import build_digest
    from bot.digest.render import render_text
    text = render_text(build_digest(runtime, date(2026, 11, 25)))
    assert "提案督办：1 件" in text and "TA2026-0001" in text and "市民政局（11月20日到期，逾期5天）" in text
    code, out, _ = cli("proposals", "urge")
    assert "TA2026-0001" in out and "市民政局（2026-11-20）" in out
    code, out, _ = cli("proposals", "urge", "TA2026-0001", "--note", "请于月底前答复")
    assert code == 0 and "【提案督办】" in out and "已逾期" in out
    with runtime.db.session() as session:
        assert proposals.by_receipt(session, "TA2026-0001").events[-1].details["action"] == "urge"


def test_duty_record_counts_proposals(runtime, wechat):
    import intents
    intents.warm_up()
    author = add_member(runtime, "张三", "13912345678", openid="o_zhang")
    friend = add_member(runtime, "王建国", "13912345601", openid="o_wang")
    with runtime.db.session() as session:
        proposal = new_proposal(session, session.get(Member, author.id), ProposalState.REGISTERED)
        proposal.is_key = True
        proposals.invite(session, proposal, [session.get(Member, friend.id)], actor="张三", now=NOW)
        proposal.cosigners[0].status = "agreed"
    record = wechat.say("o_zhang", "我的履职")
    assert "提案" in record
    from storage.records import year_counts
    with runtime.db.session() as session:
        counts = year_counts(session, 2026, runtime.tz)
    assert (counts[author.id].proposals, counts[author.id].proposals_registered, counts[author.id].proposals_key) == (1, 1, 1)
    assert counts[friend.id].proposals_cosigned == 1
    import io

    from docx import Document

    from bot.archive import build_archive
    with runtime.db.session() as session:
        text = "\n".join(p.text for p in Document(io.BytesIO(build_archive(
            runtime, session, session.get(Member, author.id), 2026))).paragraphs)
    assert "五、提案" in text
    with runtime.db.session() as session:
        doc = Document(io.BytesIO(build_archive(runtime, session, session.get(Member, friend.id), 2026)))
        cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "联名" in cells and "TA2026-0001" in cells


def test_receipts_never_repeat_when_the_session_changes_within_a_year(runtime):
    """With the default format (no {session}), a new 届次会议 keeps counting instead of making TA2026-0001 again."""
    with runtime.db.session() as session:
        made = [proposals.next_receipt_no(session, receipt_format="{prefix}{year}-{number:04d}", prefix="TA",
                                          year=2026, session_label=label) for label in ("八届一次", "八届二次")]
        per_session = [proposals.next_receipt_no(session, receipt_format="{prefix}{session}-{number:04d}",
                                                 prefix="TA", year=2026, session_label=label)
                       for label in ("0801", "0802")]
    assert made == ["TA2026-0001", "TA2026-0002"]
    assert per_session == ["TA0801-0001", "TA0802-0001"]
