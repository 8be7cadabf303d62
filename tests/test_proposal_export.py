"""提案 exports (both back ends): the 提案汇编 (docx grouped by category, xlsx) and the 办理情况统计 (xlsx sheets
by unit, outcome, satisfaction, overdue; docx tables), by year or session, opened with python-docx/openpyxl."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from docx import Document
from openpyxl import load_workbook

from conftest import FIXED_NOW, add_member
from bot.proposal_export import Period, export_bytes, file_name
from proposal_helpers import assign, file_proposal, judge, register, reply
from storage import proposal_flow as flow
from storage.models import Member
from storage.statuses import HandlingRole

TODAY = FIXED_NOW.date()
CATEGORIES = ("经济建设", "社会民生", "城乡建设", "其他")


@pytest.fixture
def filed(runtime):
    """P1 张三 (联名 李四, 重点): 城乡建设, C → 不满意 → 再办理 → A → 满意; P2 李四: 社会民生, overdue at 市民政局;
    P3 民盟 collective, only submitted; P4 last year; P5 a demo member's; P6 of session 八届三次."""
    zhang = add_member(runtime, "张三", "13912345678", openid="o_zhang")
    li = add_member(runtime, "李四", "13912345679", openid="o_li")
    demo = add_member(runtime, "演示委员", "13900000001")
    now = FIXED_NOW - timedelta(days=60)
    with runtime.db.session() as s:
        zhang, li, demo = s.get(Member, zhang.id), s.get(Member, li.id), s.get(Member, demo.id)
        demo.is_demo = True
        p1 = file_proposal(s, zhang, now=now, cosigners=[li])
        register(s, p1, now)
        flow.apply(s, p1, flow.ACTIONS["mark_key"], actor="王秘书", now=now)
        assign(s, p1, now, (("市住房和城乡建设局", HandlingRole.LEAD), ("市财政局", HandlingRole.ASSIST)))
        reply(s, p1, now, outcome="C", channel="written", text="受财力所限，暂留作参考。")
        judge(s, p1, now, verdict="unsatisfied", reason="没有具体措施")
        assign(s, p1, now)
        reply(s, p1, now, outcome="A")
        judge(s, p1, now, verdict="satisfied")
        p2 = file_proposal(s, li, title="关于增加社区养老服务站的提案", category="社会民生", now=now,
                           analysis="社区养老服务站数量不足，许多独居老人得不到照料，助餐助浴服务覆盖面很小。",
                           suggestions="1. 每个社区建一个养老服务站\n2. 引入社会力量运营")
        register(s, p2, now)
        assign(s, p2, now, (("市民政局", HandlingRole.LEAD),), deadline=TODAY - timedelta(days=5))
        file_proposal(s, None, title="关于发展草原生态旅游的提案", category="经济建设", now=now,
                      collective_author="民盟鄂尔多斯市委员会", collective_kind="党派")
        p4 = file_proposal(s, zhang, title="关于去年的提案", now=FIXED_NOW - timedelta(days=400))
        register(s, p4, FIXED_NOW - timedelta(days=400))
        p5 = file_proposal(s, demo, title="演示提案", now=now)
        register(s, p5, now)
        p6 = file_proposal(s, li, title="关于会议期间的提案", category="其他", now=now, session_label="八届三次",
                            receipt_format="{prefix}{session}-{number:03d}")
        register(s, p6, now)
        return {"p1": p1.receipt_no, "p2": p2.receipt_no, "p4": p4.receipt_no, "p6": p6.receipt_no}


def export(runtime, kind, fmt, period, scope="registered"):
    with runtime.db.session() as session:
        data, title, n = export_bytes(session, kind, fmt, period, tz=runtime.tz, today=TODAY, org="鄂尔多斯市政协",
                                      categories=CATEGORIES, scope=scope)
    return data, title, n


def docx_text(data: bytes) -> list[str]:
    document = Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += ["|".join(cell.text for cell in row.cells) for row in table.rows]
    return lines


def sheet_rows(workbook, name) -> list[tuple]:
    return [row for row in workbook[name].iter_rows(values_only=True)]


def test_compilation_docx_groups_by_category_with_authors_and_the_three_parts(runtime, filed):
    data, title, n = export(runtime, "compilation", "docx", Period(year=2026))
    lines = docx_text(data)
    text = "\n".join(lines)
    assert title == "鄂尔多斯市政协提案汇编（2026年）" and lines[0] == title
    assert n == 3  # P1, P2, P6: registered; not the collective one (submitted), last year's or the demo member's
    headings = [line for line in lines if line.endswith("件）") and "、" in line[:3]]
    assert headings == ["一、社会民生（1件）", "二、城乡建设（1件）", "三、其他（1件）"]  # configured order
    assert "1. 关于增加社区养老服务站的提案" in lines and "2. 关于老旧小区加装电梯的提案" in lines
    assert f"编号：{filed['p1']}" in text and "重点提案" in text
    assert "提案者：张三" in lines and "联名：李四" in lines
    assert "案由：关于老旧小区加装电梯的提案" in lines
    assert "情况分析：" + "我市老旧小区普遍没有电梯" in text
    assert "具体建议：" in lines and "1. 将老旧小区加装电梯纳入城市更新计划" in lines
    assert "民盟" not in text and "演示提案" not in text and "去年" not in text


def test_compilation_of_every_proposal_names_the_collective_author(runtime, filed):
    data, _, n = export(runtime, "compilation", "docx", Period(year=2026), scope="all")
    text = "\n".join(docx_text(data))
    assert n == 4 and "提案者：民盟鄂尔多斯市委员会（党派集体提案）" in text and "演示提案" not in text


def test_compilation_xlsx_and_selection_by_session(runtime, filed):
    data, title, n = export(runtime, "compilation", "xlsx", Period(session="八届三次"))
    rows = sheet_rows(load_workbook(io.BytesIO(data)), "提案汇编")
    assert title.endswith("（八届三次）") and n == 1
    assert rows[0][:5] == ("序号", "分类", "编号", "案由", "提案者")
    assert rows[1][2] == filed["p6"] and rows[1][6] == "八届三次" and rows[1][8] == "已立案"
    data, _, n = export(runtime, "compilation", "xlsx", Period(year=2025))
    rows = sheet_rows(load_workbook(io.BytesIO(data)), "提案汇编")
    assert n == 1 and rows[1][2] == filed["p4"]
    assert file_name("compilation", "xlsx", Period(2026, "八届三次")) == "提案汇编-2026-八届三次.xlsx"


def test_statistics_xlsx_by_unit_outcome_satisfaction_and_overdue(runtime, filed):
    data, title, n = export(runtime, "statistics", "xlsx", Period(year=2026))
    book = load_workbook(io.BytesIO(data))
    assert title == "鄂尔多斯市政协提案办理情况统计（2026年）" and n == 4
    assert book.sheetnames == ["总体情况", "按承办单位", "按办理结果", "满意度", "超期", "明细"]
    summary = dict(row for row in sheet_rows(book, "总体情况")[1:] if row[0] and row[1] is not None)
    assert summary["提案总数"] == 4 and summary["立案"] == 3 and summary["待审查"] == 1
    assert summary["已办结"] == 1 and summary["重点提案"] == 1 and summary["超期未办复"] == 1
    units = {row[0]: row for row in sheet_rows(book, "按承办单位")[1:]}
    housing = dict(zip(sheet_rows(book, "按承办单位")[0], units["市住房和城乡建设局"]))
    assert housing["交办件数"] == 1 and housing["主办"] == 2 and housing["已答复"] == 2
    assert housing["A 已解决或采纳"] == 1 and housing["C 因条件限制留作参考"] == 1
    assert housing["满意"] == 1 and housing["不满意"] == 1 and housing["满意率"] == "50.0%"
    finance = dict(zip(sheet_rows(book, "按承办单位")[0], units["市财政局"]))
    assert finance["协办"] == 1 and finance["未答复"] == 0  # round 1 is over: not waited for any more
    civil = dict(zip(sheet_rows(book, "按承办单位")[0], units["市民政局"]))
    assert civil["未答复"] == 1 and civil["超期"] == 1
    outcomes = {row[0]: row[1] for row in sheet_rows(book, "按办理结果")[1:]}
    assert outcomes["A 已解决或采纳"] == 1 and outcomes["C 因条件限制留作参考"] == 0  # the latest 主办 reply
    satisfaction = {row[0]: row[1:] for row in sheet_rows(book, "满意度")[1:] if row[0]}
    assert satisfaction["满意"] == (1, "100.0%") and satisfaction["不满意"] == (0, "0.0%")
    overdue = sheet_rows(book, "超期")
    assert overdue[1][:6] == (filed["p2"], "关于增加社区养老服务站的提案", "李四", "市民政局", "主办",
                              (TODAY - timedelta(days=5)).isoformat()) and overdue[1][6] == 5
    detail = {row[0]: dict(zip(sheet_rows(book, "明细")[0], row)) for row in sheet_rows(book, "明细")[1:]}
    assert detail[filed["p1"]]["评价"] == "满意" and detail[filed["p1"]]["办理轮次"] == 2
    assert detail[filed["p1"]]["联名"] == "李四" and detail[filed["p1"]]["状态"] == "已办结"


def test_statistics_docx_has_the_same_tables(runtime, filed):
    data, _, _ = export(runtime, "statistics", "docx", Period(year=2026))
    document = Document(io.BytesIO(data))
    assert len(document.tables) == 6
    text = "\n".join(docx_text(data))
    assert "按承办单位" in text and "市民政局" in text and filed["p2"] in text


def test_empty_period_still_opens(runtime, filed):
    data, _, n = export(runtime, "compilation", "docx", Period(year=2030))
    assert n == 0 and "本期无符合条件的提案。" in docx_text(data)
    data, _, n = export(runtime, "statistics", "xlsx", Period(year=2030))
    assert n == 0 and load_workbook(io.BytesIO(data))["按承办单位"].max_row == 1


def test_cli_export(cli, runtime, filed, tmp_path):
    out = tmp_path / "汇编.docx"
    code, stdout, _ = cli("proposals", "export", "--year", "2026", "--kind", "compilation", "--format", "docx",
                          "--out", str(out))
    assert code == 0 and "3 件" in stdout
    assert "一、社会民生（1件）" in docx_text(out.read_bytes())
    out = tmp_path / "统计.xlsx"
    code, stdout, _ = cli("proposals", "export", "--session", "八届三次", "--kind", "statistics", "--format", "xlsx",
                          "--out", str(out))
    assert code == 0 and load_workbook(out)["明细"].cell(2, 1).value == filed["p6"]
    code, _, err = cli("proposals", "export", "--kind", "statistics", "--format", "xlsx")
    assert code == 2 and "--year" in err
