"""提案 in the console (both back ends): the list and its filters, the proposal page with only the steps the
state allows, 审查 / 交办 / 办复 (with a reply letter served only to staff) / 督办 through bot/proposal_review
with the members told through the outbox, collective proposals, the handling units, the exports; every change
audited."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from conftest import FIXED_NOW, add_member
from console_helpers import post, staff_client
from proposal_helpers import assign, file_proposal, register, reply
from storage import proposals as store
from storage.models import AuditEntry, Member, OutboxMessage, Report
from storage.proposal_models import ProposalReply
from storage.statuses import HandlingRole

TODAY = FIXED_NOW.date()
HOUSING, FINANCE = "市住房和城乡建设局", "市财政局"


@pytest.fixture
def client(app, runtime):
    return staff_client(app, runtime)


@pytest.fixture
def people(runtime):
    zhang = add_member(runtime, "张三", "13912345678", openid="o_zhang")
    li = add_member(runtime, "李四", "13912345679", openid="o_li")
    return zhang, li


def filed(runtime, people, **kwargs) -> str:
    zhang, li = people
    with runtime.db.session() as s:
        kwargs.setdefault("cosigners", [s.get(Member, li.id)])
        return file_proposal(s, s.get(Member, zhang.id), now=FIXED_NOW, **kwargs).receipt_no


def proposal(runtime, receipt):
    with runtime.db.session() as s:
        p = store.by_receipt(s, receipt)
        s.expunge_all()
        return p


def outbox(runtime, openid):
    with runtime.db.session() as s:
        return list(s.scalars(select(OutboxMessage.text).where(OutboxMessage.openid == openid)
                              .order_by(OutboxMessage.id)))


def audit_actions(runtime, receipt):
    with runtime.db.session() as s:
        return list(s.scalars(select(AuditEntry.action).where(AuditEntry.item_kind == "proposal",
                                                              AuditEntry.item_id == receipt).order_by(AuditEntry.id)))


def test_list_filters(client, runtime, people):
    first = filed(runtime, people)
    second = filed(runtime, people, title="关于增加社区养老服务站的提案", category="社会民生", cosigners=(),
                   analysis="社区养老服务站数量不足，独居老人得不到照料。", suggestions="1. 每个社区建一个养老服务站")
    with runtime.db.session() as s:
        p = store.by_receipt(s, second)
        register(s, p, FIXED_NOW)
        assign(s, p, FIXED_NOW, ((FINANCE, HandlingRole.LEAD),), deadline=TODAY - timedelta(days=3))
        p.is_key = True
    page = client.get("/console/proposals").get_data(as_text=True)
    assert first in page and second in page and "有 1 件提案的承办单位超过期限未办复" in page
    assert 'href="/console/proposals"' in client.get("/console/").get_data(as_text=True)  # navigation
    for query, shown, hidden in (("state=submitted", first, second), ("category=社会民生", second, first),
                                 (f"unit={FINANCE}", second, first), ("overdue=1", second, first),
                                 ("key=1", second, first), ("q=加装电梯", first, second), ("q=李四", None, None)):
        page = client.get(f"/console/proposals?{query}").get_data(as_text=True)
        if shown:
            assert shown in page and hidden not in page, query
    page = client.get("/console/proposals?year=2025").get_data(as_text=True)
    assert first not in page and "没有符合条件的提案" in page
    assert first in client.get("/console/proposals?year=2026").get_data(as_text=True)


def test_page_shows_text_cosigners_and_only_the_allowed_steps(client, runtime, people):
    receipt = filed(runtime, people)
    page = client.get(f"/console/proposals/{receipt}").get_data(as_text=True)
    assert "关于老旧小区加装电梯的提案" in page and "我市老旧小区普遍没有电梯" in page
    assert "2. 市财政对每部电梯给予补贴" in page
    assert "李四" in page and "同意" in page and "待审查" in page
    for shown in ("register", "reject", "return", "merge", "mark_key"):
        assert f'name="action" value="{shown}"' in page
    for hidden in ("close", "mark_excellent"):
        assert f'name="action" value="{hidden}"' not in page
    assert "review-assign" not in page and "review-reply" not in page and "review-urge" not in page
    assert client.get("/console/proposals/TA2026-9999").status_code == 404


def test_reject_needs_a_reason_and_may_become_a_report(client, runtime, people):
    receipt = filed(runtime, people)
    url = f"/console/proposals/{receipt}/review"
    page = post(client, url, {"action": "reject", "note": " "}, follow_redirects=True).get_data(as_text=True)
    assert "不立案须写明理由" in page and proposal(runtime, receipt).state == "submitted"
    page = post(client, url, {"action": "reject", "note": "属于具体事项，建议以社情民意反映", "to_report": "1"},
                follow_redirects=True).get_data(as_text=True)
    p = proposal(runtime, receipt)
    assert p.state == "rejected" and p.report_id is not None
    with runtime.db.session() as s:
        report = s.get(Report, p.report_id)
        assert report.title == p.title and report.member_id == people[0].id
        report_receipt = report.receipt_no
    assert f"已转为社情民意 {report_receipt}" in page and "不立案" in page
    assert any(receipt in text for text in outbox(runtime, "o_zhang"))
    assert audit_actions(runtime, receipt) == ["proposal.reject"]
    assert 'name="action" value=' not in page  # 不立案 ends it


def test_register_assign_reply_with_a_file_then_the_author_is_asked(client, runtime, people, app, tmp_path):
    runtime.config = runtime.config.with_overrides({"media.dir": str(tmp_path)})
    receipt = filed(runtime, people)
    base = f"/console/proposals/{receipt}"
    post(client, f"{base}/review", {"action": "register"})
    post(client, f"{base}/review", {"action": "mark_key"})
    p = proposal(runtime, receipt)
    assert p.state == "registered" and p.is_key
    page = post(client, f"{base}/assign", {"unit": ["", ""], "role": ["lead", "assist"]},
                follow_redirects=True).get_data(as_text=True)
    assert "请至少选择一个承办单位" in page and proposal(runtime, receipt).state == "registered"
    deadline = (TODAY + timedelta(days=30)).isoformat()
    page = post(client, f"{base}/assign", {"unit": [HOUSING, FINANCE, ""], "role": ["lead", "assist", "assist"],
                                           "deadline": deadline}, follow_redirects=True).get_data(as_text=True)
    p = proposal(runtime, receipt)
    assert p.state == "assigned" and [(a.unit, a.role, a.deadline.isoformat()) for a in p.assignments] == [
        (HOUSING, "lead", deadline), (FINANCE, "assist", deadline)]
    assert "review-reply" in page and "review-urge" in page and 'value="register"' not in page
    bad = post(client, f"{base}/reply", {"unit": HOUSING, "text": "答复", "channel": "meeting", "outcome": "A",
                                         "file": (io.BytesIO(b"MZ"), "virus.exe")}, follow_redirects=True)
    assert "答复函只能是这些格式" in bad.get_data(as_text=True) and proposal(runtime, receipt).state == "assigned"
    letter = b"%PDF-1.4 reply letter"
    page = post(client, f"{base}/reply", {"unit": HOUSING, "text": "已将加装电梯纳入明年城市更新计划。",
                                          "channel": "meeting", "outcome": "A",
                                          "file": (io.BytesIO(letter), "答复函.pdf")},
                content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    p = proposal(runtime, receipt)
    assert p.state == "replied" and p.replies[0].file_path.startswith("proposal-replies/")
    assert "已将加装电梯纳入明年城市更新计划。" in page and "面谈" in page and "A 已解决或采纳" in page
    file_url = f"/console/proposals/replies/{p.replies[0].id}/file"
    assert file_url in page
    with client.get(file_url) as download:
        assert download.status_code == 200 and download.data == letter
    assert (tmp_path / p.replies[0].file_path).read_bytes() == letter
    assert app.test_client().get(file_url).status_code == 302  # no session, no file
    with runtime.db.session() as s:  # a stored name pointing outside media.dir is never served
        s.get(ProposalReply, p.replies[0].id).file_path = "../../etc/passwd"
    assert client.get(file_url).status_code == 404
    notices = outbox(runtime, "o_zhang")
    assert any(receipt in text and "满意" in text for text in notices[-1:]), notices  # asked for a verdict
    assert any(receipt in text for text in outbox(runtime, "o_li"))  # the co-signer hears of state changes
    assert audit_actions(runtime, receipt) == ["proposal.register", "proposal.mark_key", "proposal.assign",
                                               "proposal.reply"]
    assert 'name="action" value="close"' in page  # staff may close without a verdict


def test_urge_an_overdue_proposal(client, runtime, people):
    receipt = filed(runtime, people)
    with runtime.db.session() as s:
        p = store.by_receipt(s, receipt)
        register(s, p, FIXED_NOW)
        assign(s, p, FIXED_NOW, ((HOUSING, HandlingRole.LEAD),), deadline=TODAY - timedelta(days=4))
    page = client.get(f"/console/proposals/{receipt}").get_data(as_text=True)
    assert "超期" in page
    page = post(client, f"/console/proposals/{receipt}/urge", {"note": ""}, follow_redirects=True).get_data(as_text=True)
    assert "请填写督办意见" in page
    page = post(client, f"/console/proposals/{receipt}/urge", {"note": "请于本周内答复"},
                follow_redirects=True).get_data(as_text=True)
    assert "已记录督办" in page and "请于本周内答复" in page and HOUSING in page
    assert any("督办" in line for line in _history(runtime, receipt))
    assert audit_actions(runtime, receipt) == ["proposal.urge"]


def _history(runtime, receipt):
    from bot.proposal_review import history_lines

    with runtime.db.session() as s:
        return history_lines(store.by_receipt(s, receipt), runtime.tz, staff=True)


def test_merge_into_another(client, runtime, people):
    first = filed(runtime, people)
    second = filed(runtime, people, title="关于老旧小区电梯的提案", cosigners=())
    page = post(client, f"/console/proposals/{second}/review", {"action": "merge", "into": first},
                follow_redirects=True).get_data(as_text=True)
    assert proposal(runtime, second).state == "merged" and first in page
    assert audit_actions(runtime, first) == ["proposal.merged_in"]


def test_collective_proposal(client, runtime):
    page = client.get("/console/proposals/new").get_data(as_text=True)
    assert "党派" in page and "界别" in page
    resp = post(client, "/console/proposals/new", {"collective_author": "", "title": "x"})
    assert resp.status_code == 400 and "请填写" in resp.get_data(as_text=True)
    resp = post(client, "/console/proposals/new", {
        "collective_author": "民盟鄂尔多斯市委员会", "collective_kind": "党派", "title": "关于发展草原生态旅游的提案",
        "category": "经济建设", "analysis": "我市草原旅游资源丰富，但配套设施不足，游客停留时间短。",
        "suggestions": "1. 规划旅游线路\n2. 完善配套设施"}, follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert "已录入集体提案 TA2026-0001" in page and "民盟鄂尔多斯市委员会" in page and "集体提案" in page
    p = proposal(runtime, "TA2026-0001")
    assert p.author_id is None and p.collective_kind == "党派" and p.state == "submitted"
    assert audit_actions(runtime, "TA2026-0001") == ["proposal.create_collective"]


def test_units_page_and_exports(client, runtime, people):
    receipt = filed(runtime, people)
    with runtime.db.session() as s:
        p = store.by_receipt(s, receipt)
        register(s, p, FIXED_NOW)
        assign(s, p, FIXED_NOW, ((HOUSING, HandlingRole.LEAD), (FINANCE, HandlingRole.JOINT)))
        reply(s, p, FIXED_NOW, unit=HOUSING)
    page = client.get("/console/proposals/units").get_data(as_text=True)
    assert "proposals.units" in page and "市教育局" in page and HOUSING in page
    resp = client.get("/console/proposals/export?what=statistics.xlsx&year=2026")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(resp.data))
    units = {row[0]: row for row in book["按承办单位"].iter_rows(min_row=2, values_only=True)}
    assert units[HOUSING][1] == 1 and units[FINANCE][4] == 1  # 会办
    resp = client.get("/console/proposals/export?what=compilation.docx&year=2026")
    text = "\n".join(p.text for p in Document(io.BytesIO(resp.data)).paragraphs)
    assert receipt in text and "联名：李四" in text
    assert client.get("/console/proposals/export?what=nothing.pdf&year=2026").status_code == 404
    resp = client.get("/console/proposals/export?what=compilation.docx", follow_redirects=True)
    assert "请选择年度或届次" in resp.get_data(as_text=True)


def test_a_letter_recorded_by_the_cli_is_served_in_the_console(client, runtime, people, cli, monkeypatch, tmp_path):
    monkeypatch.setenv("BOT__MEDIA__DIR", str(tmp_path / "media"))
    runtime.config = runtime.config.with_overrides({"media.dir": str(tmp_path / "media")})
    receipt = filed(runtime, people)
    with runtime.db.session() as s:
        p = store.by_receipt(s, receipt)
        register(s, p, FIXED_NOW)
        assign(s, p, FIXED_NOW)
    letter = tmp_path / "答复函.pdf"
    letter.write_bytes(b"%PDF-1.4 cli letter")
    code, _, err = cli("proposals", "reply", receipt, "--unit", HOUSING, "--outcome", "B", "--channel", "电话",
                       "--file", str(tmp_path / "x.exe"))
    assert code == 2
    (tmp_path / "x.exe").write_bytes(b"MZ")
    code, _, err = cli("proposals", "reply", receipt, "--unit", HOUSING, "--outcome", "B", "--channel", "电话",
                       "--file", str(tmp_path / "x.exe"))
    assert code == 2 and "答复函只能是这些格式" in err
    code, out, err = cli("proposals", "reply", receipt, "--unit", HOUSING, "--outcome", "B", "--channel", "电话",
                         "--file", str(letter))
    assert code == 0, err
    reply_id = proposal(runtime, receipt).replies[0].id
    with client.get(f"/console/proposals/replies/{reply_id}/file") as download:
        assert download.status_code == 200 and download.data == letter.read_bytes()
