"""提案 end to end over signed webhook posts, on both back ends: draft → 联名 → 立案 → 交办 → 办复 → 不满意 →
再办理 → 满意; with the notices each step queues in the outbox."""
from __future__ import annotations

import pytest

import intents
from conftest import add_member
from storage import proposals
from storage.models import OutboxMessage
from storage.statuses import CosignStatus, ProposalState

TITLE = "关于加强社区居家养老服务的建议"
ANALYSIS = ("我市60岁以上老年人口已超过28万，其中独居和空巢老人约占四成。社区养老服务站覆盖率不足一半，"
            "助餐、助浴、上门护理等服务供给不足，专业护理人员缺口大。")
SUGGESTIONS = "1. 将社区养老服务站纳入城市更新规划；2. 设立助餐补贴；3. 加强护理人员培训"


@pytest.fixture(autouse=True, scope="module")
def warm_intents():
    intents.warm_up()


@pytest.fixture
def people(runtime):
    return {
        "author": add_member(runtime, "张三", "13912345678", openid="o_zhang"),
        "wang": add_member(runtime, "王建国", "13912345601", openid="o_wang", sector="农业界"),
        "li": add_member(runtime, "李秀兰", "13912345602", openid="o_li", sector="教育界"),
        "staff": add_member(runtime, "王秘书", "13800000001", role="staff", sector="", openid="o_staff"),
    }


def outbox(rt, openid: str) -> list[str]:
    with rt.db.session() as session:
        return [m.text for m in session.query(OutboxMessage).filter_by(openid=openid).order_by(OutboxMessage.id)]


def load(rt, receipt: str = "TA2026-0001"):
    with rt.db.session() as session:
        proposal = proposals.by_receipt(session, receipt)
        session.expunge_all()
        return proposal


def draft(wechat, openid: str = "o_zhang") -> str:
    assert "案由" in wechat.say(openid, "我要写提案")
    assert "情况分析" in wechat.say(openid, TITLE)
    assert "具体建议" in wechat.say(openid, ANALYSIS)
    summary = wechat.say(openid, SUGGESTIONS)
    assert TITLE in summary and "1. 将社区养老服务站纳入城市更新规划" in summary and "3. 加强护理人员培训" in summary
    return summary


def test_the_whole_chain(runtime, wechat, people):
    draft(wechat)
    edited = wechat.say("o_zhang", "补充建议：4. 探索时间银行互助养老")
    assert "已修改具体建议" in edited and "4. 探索时间银行互助养老" in edited
    saved = wechat.say("o_zhang", "提交")
    assert "TA2026-0001" in saved and "联名" in saved

    # 联名: each invited member is asked through the outbox; only those who agree are listed
    invited = wechat.say("o_zhang", "联名 王建国 李秀兰")
    assert "王建国" in invited and "李秀兰" in invited
    assert "同意联名 TA2026-0001" in outbox(runtime, "o_wang")[-1]
    assert "已同意联名" in wechat.say("o_wang", "同意联名 TA2026-0001")
    assert "不同意" in wechat.say("o_li", "不同意联名 TA2026-0001")
    proposal = load(runtime)
    assert [c.member.name for c in proposal.agreed_cosigners] == ["王建国"]
    assert {c.member.name: c.status for c in proposal.cosigners} == {"王建国": CosignStatus.AGREED,
                                                                    "李秀兰": CosignStatus.DECLINED}
    assert any("王建国已同意联名" in t for t in outbox(runtime, "o_zhang"))

    # staff: 立案 → 交办 → 办复 (the 协办 reply keeps the state; the 主办 reply asks for a verdict)
    assert "已立案" in wechat.say("o_staff", "立案 TA2026-0001")
    assert "已立案" in outbox(runtime, "o_zhang")[-1] and "您联名的提案" in outbox(runtime, "o_wang")[-1]
    assigned = wechat.say("o_staff", "交办 TA2026-0001 主办 民政局 协办 市财政局 期限 2027-02-28")
    assert "办理中" in assigned, assigned
    assert "市民政局（主办）" in outbox(runtime, "o_zhang")[-1] and "2027-02-28" in outbox(runtime, "o_zhang")[-1]
    assert "办理中" in wechat.say("o_staff", "办复 TA2026-0001 市财政局 B 书面 资金已列入明年预算")
    assert "已办复" not in outbox(runtime, "o_zhang")[-1]
    replied = wechat.say("o_staff", "办复 TA2026-0001 市民政局 B 面谈 已将社区养老服务站建设列入明年计划")
    assert "已办复" in replied
    ask = outbox(runtime, "o_zhang")[-1]
    assert "面谈" in ask and "B 正在解决或列入计划" in ask and "不满意 TA2026-0001" in ask
    assert "评价" not in outbox(runtime, "o_wang")[-1] and "已办复" in outbox(runtime, "o_wang")[-1]

    # 不满意 without a reason is asked for it; then 再办理 and staff are told
    assert "理由" in wechat.say("o_zhang", "不满意")
    assert "再办理" in wechat.say("o_zhang", "助餐补贴没有落实")
    proposal = load(runtime)
    assert (proposal.state, proposal.round) == (ProposalState.REHANDLING, 2)
    assert "助餐补贴没有落实" in outbox(runtime, "o_staff")[-1] and "交办 TA2026-0001" in outbox(runtime, "o_staff")[-1]

    # second round
    assert "办理中" in wechat.say("o_staff", "交办 TA2026-0001 主办 市民政局")
    assert "已办复" in wechat.say("o_staff", "办复 TA2026-0001 A 电话 助餐补贴已于本月发放")
    assert "已办结" in wechat.say("o_zhang", "满意 TA2026-0001")
    proposal = load(runtime)
    assert proposal.state == ProposalState.CLOSED
    assert [(v.round, v.verdict) for v in proposal.verdicts] == [(1, "unsatisfied"), (2, "satisfied")]
    assert [r.outcome for r in proposal.replies] == ["B", "B", "A"]
    actions = [e.details["action"] for e in proposal.events]
    assert actions == ["submit", "cosign_invite", "cosign_agree", "cosign_decline", "register", "assign", "reply",
                       "reply", "reopen", "assign", "reply", "accept"]
    assert "已办结" in outbox(runtime, "o_wang")[-1]

    mine = wechat.say("o_zhang", "我的提案")
    assert "TA2026-0001" in mine and "已办结" in mine
    assert "（联名）" in wechat.say("o_wang", "我的提案")
    progress = wechat.say("o_wang", "TA2026-0001")
    assert "交办" in progress and "联名人：王建国" in progress
    assert "没有找到" in wechat.say("o_li", "TA2026-0001")  # declined: not a follower


def test_the_draft_asks_one_short_question_at_a_time(runtime, wechat, people):
    assert "案由" in wechat.say("o_zhang", "我想写个提案")
    assert "以内" in wechat.say("o_zhang", "关于" + "加强" * 30 + "的建议")    # too long a title: asked again
    assert "情况分析" in wechat.say("o_zhang", TITLE)
    assert "具体一些" in wechat.say("o_zhang", "养老服务不够")                  # short: asked once for more
    assert "具体建议" in wechat.say("o_zhang", "没有了")
    assert "至少写一条" in wechat.say("o_zhang", "没有")
    summary = wechat.say("o_zhang", "建立社区助餐点")
    assert "1. 建立社区助餐点" in summary
    assert "补充" in wechat.say("o_zhang", "这个能管用吗")                      # chatter is asked about, never added
    retitled = wechat.say("o_zhang", "标题改成关于发展社区助餐服务的建议")
    assert "案由：关于发展社区助餐服务的建议" in retitled
    assert "分类：社会民生" in wechat.say("o_zhang", "分类改成社会民生")
    assert "TA2026-0001" in wechat.say("o_zhang", "好的")
    assert load(runtime).title == "关于发展社区助餐服务的建议"


def test_similar_proposals_are_shown_in_the_summary(runtime, wechat, people):
    draft(wechat)
    wechat.say("o_zhang", "提交")
    summary = draft(wechat, "o_wang")
    assert "相似的提案" in summary and "TA2026-0001" in summary and "待审查" in summary


def test_cosign_names_resolved_against_the_roster(runtime, wechat, people):
    add_member(runtime, "王建国", "13912345699", openid="o_wang2", sector="工商联", district="乌审旗")
    draft(wechat)
    wechat.say("o_zhang", "提交")
    asked = wechat.say("o_zhang", "联名 王建国 赵六 张三")
    assert "2 位「王建国」" in asked and "乌审旗" in asked
    done = wechat.say("o_zhang", "2")
    assert "已邀请 王建国" in done and "没有找到：赵六" in done and "不用联名" in done
    assert outbox(runtime, "o_wang2") and not outbox(runtime, "o_wang")
    wechat.say("o_zhang", "联名 王建国")
    again = wechat.say("o_zhang", "第二个")
    assert "已邀请过：王建国" in again and "没有邀请到新的联名人" in again


def test_staff_review_refusals_and_return_revise(runtime, wechat, people):
    draft(wechat)
    wechat.say("o_zhang", "提交")
    assert "工作人员" in wechat.say("o_zhang", "立案 TA2026-0001")          # members cannot review
    assert "修改意见" in wechat.say("o_staff", "退回 TA2026-0001")            # a missing reason is asked for
    assert "已退回 TA2026-0001" in wechat.say("o_staff", "请补充近三年的服务数据")
    assert load(runtime).state == ProposalState.RETURNED
    assert "修改 TA2026-0001" in outbox(runtime, "o_zhang")[-1]
    assert "不能" in wechat.say("o_staff", "交办 TA2026-0001 主办 市民政局")
    revising = wechat.say("o_zhang", "修改 TA2026-0001")
    assert "请补充近三年的服务数据" in revising
    wechat.say("o_zhang", "补充：近三年服务人次年均增长一成")
    assert "重新提交" in wechat.say("o_zhang", "提交")
    proposal = load(runtime)
    assert proposal.state == ProposalState.SUBMITTED and "年均增长一成" in proposal.analysis
    assert "一成" not in proposal.events[-1].details["before"]["analysis"]


def test_reject_into_a_report_keeps_the_link(runtime, wechat, people):
    draft(wechat)
    wechat.say("o_zhang", "提交")
    done = wechat.say("o_staff", "不立案 TA2026-0001 属于部门日常工作 转社情民意")
    assert "SQ2026-0001" in done
    proposal = load(runtime)
    assert proposal.state == ProposalState.REJECTED and proposal.report.receipt_no == "SQ2026-0001"
    assert "SQ2026-0001" in outbox(runtime, "o_zhang")[-1] and "属于部门日常工作" in outbox(runtime, "o_zhang")[-1]


def test_urge_overdue_keeps_a_note_and_gives_text_to_forward(runtime, wechat, people):
    draft(wechat)
    wechat.say("o_zhang", "提交")
    wechat.say("o_staff", "立案 TA2026-0001")
    wechat.say("o_staff", "交办 TA2026-0001 主办 市民政局 期限 2026-11-30")
    from conftest import advance_clock
    advance_clock(runtime, 10 * 86400)
    urged = wechat.say("o_staff", "督办 TA2026-0001 请于12月15日前答复")
    assert "【提案督办】" in urged and "市民政局" in urged and "已逾期6天" in urged
    assert load(runtime).events[-1].details["action"] == "urge"


def test_free_wording_starts_a_draft_and_finds_my_proposals(runtime, wechat, people):
    assert "案由" in wechat.say("o_zhang", "我想就养老问题写个提案")   # the `proposal` intent
    assert "情况分析" in wechat.say("o_zhang", TITLE)
    assert "取消" in wechat.say("o_zhang", "算了")
    assert "还没有提案" in wechat.say("o_zhang", "我的提案怎么样了")
    draft(wechat)
    assert "TA2026-0001" in wechat.say("o_zhang", "可以")
    assert "待审查" in wechat.say("o_zhang", "我提的提案办得怎么样")
    assert "不在待评价状态" in wechat.say("o_zhang", "满意 TA2026-0001")
