"""`python -m bot reports export`: the 社情民意信息汇编 as xlsx and docx, opened and checked."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from docx import Document
from openpyxl import load_workbook

from bot.report_export import body_text, chinese_number, title_for
from conftest import FIXED_NOW, add_member
from storage import reports
from storage.models import Member

HEATING = "富兴街道好几个老旧小区冬季供暖温度不达标，室温只有十四五度，老人孩子受不了，建议住建部门加强监管，督促热力公司整改"
HEATING_ADVICE = "建议住建部门加强监管，督促热力公司整改"
ROAD = "嘎鲁图镇的牧区道路坑洼不平，冬季积雪后牧民出行困难"
ROAD_ADVICE = "建议交通部门列入明年修缮计划"
SCHOOL = "康巴什区部分学校周边上下学时段交通拥堵严重"
SCHOOL_ADVICE = "建议交警部门增派警力疏导"


def put(rt, member_id, text, suggestion, category, district, status, days_ago=0) -> str:
    with rt.db.session() as session:
        report = reports.create_report(session, session.get(Member, member_id), text=text, title=text[:16],
                                       category=category, district=district, suggestion=suggestion,
                                       now=FIXED_NOW - timedelta(days=days_ago), prefix="SQ")
        report.status = status
        return report.receipt_no


@pytest.fixture
def seeded(runtime):
    zhang = add_member(runtime, "张三", "13912345678", sector="经济界", district="东胜区")
    wu = add_member(runtime, "乌云其木格", "13900000002", sector="农业界", district="乌审旗")
    put(runtime, zhang.id, HEATING, HEATING_ADVICE, "民生保障", "东胜区", "已采用", days_ago=20)       # 11-06
    put(runtime, wu.id, ROAD + "\n" + ROAD_ADVICE, ROAD_ADVICE, "交通出行", "乌审旗", "已批示", days_ago=3)
    put(runtime, zhang.id, SCHOOL + "，" + SCHOOL_ADVICE, SCHOOL_ADVICE, "交通出行", "康巴什区", "已办结", days_ago=1)
    put(runtime, zhang.id, "待审核的一条：" + HEATING, HEATING_ADVICE, "民生保障", "东胜区", "已提交")
    put(runtime, zhang.id, "被退回的一条：" + HEATING, HEATING_ADVICE, "民生保障", "东胜区", "已退回")
    put(runtime, zhang.id, "上个月的一条：" + HEATING, HEATING_ADVICE, "民生保障", "东胜区", "已采用", days_ago=40)
    return runtime


def test_title_and_helpers():
    assert title_for(date(2026, 11, 1), date(2026, 11, 30)) == "社情民意信息汇编（2026年11月1日—11月30日）"
    assert title_for(date(2026, 12, 1), date(2027, 1, 31)) == "社情民意信息汇编（2026年12月1日—2027年1月31日）"
    assert title_for(date(2026, 11, 26), date(2026, 11, 26)) == "社情民意信息汇编（2026年11月26日）"
    assert [chinese_number(n) for n in (1, 9, 10, 11, 20, 23)] == ["一", "九", "十", "十一", "二十", "二十三"]
    assert body_text(HEATING, HEATING_ADVICE) == "富兴街道好几个老旧小区冬季供暖温度不达标，室温只有十四五度，老人孩子受不了。"
    assert body_text("路灯坏了", "") == "路灯坏了"


def test_export_xlsx(seeded, cli, tmp_path):
    out = tmp_path / "汇编.xlsx"
    code, stdout, _ = cli("reports", "export", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "xlsx",
                          "--out", str(out))
    assert code == 0 and "共 3 条" in stdout and "社情民意信息汇编（2026年11月1日—11月30日）" in stdout
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert list(rows[0]) == ["序号", "分类", "编号", "标题", "旗区", "反映人", "界别", "提交日期", "状态", "内容", "建议"]
    body = rows[1:]
    # grouped by category in the configured order (民生保障 before 交通出行), then by date
    assert [(r[1], r[4], r[5], r[8]) for r in body] == [
        ("民生保障", "东胜区", "张三", "已采用"), ("交通出行", "乌审旗", "乌云其木格", "已批示"),
        ("交通出行", "康巴什区", "张三", "已办结")]
    assert [r[0] for r in body] == [1, 2, 3] and body[0][6] == "经济界" and body[1][6] == "农业界"
    assert body[0][9] == "富兴街道好几个老旧小区冬季供暖温度不达标，室温只有十四五度，老人孩子受不了。"
    assert body[0][10] == HEATING_ADVICE and body[1][9] == ROAD + "。" and body[2][10] == SCHOOL_ADVICE
    assert body[0][7] == "2026-11-06"


def test_export_docx(seeded, cli, tmp_path):
    out = tmp_path / "汇编.docx"
    code, _, _ = cli("reports", "export", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "docx",
                     "--out", str(out))
    assert code == 0
    doc = Document(str(out))
    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs]
    assert paragraphs[0] == ("Title", "社情民意信息汇编（2026年11月1日—11月30日）")
    assert "鄂尔多斯市政协" in paragraphs[1][1] and "共3条" in paragraphs[1][1]
    headings = [text for style, text in paragraphs if style == "Heading 1"]
    assert headings == ["一、民生保障（1条）", "二、交通出行（2条）"]
    entries = [text for style, text in paragraphs if style == "Heading 2"]
    assert entries == [f"1. {HEATING[:16]}", f"2. {ROAD[:16]}", f"3. {SCHOOL[:16]}"]
    texts = [text for _, text in paragraphs]
    first = texts.index(f"1. {HEATING[:16]}")
    meta, situation, advice = texts[first + 1:first + 4]
    assert "编号：SQ2026-0001" in meta and "旗区：东胜区" in meta and "反映人：张三（经济界）" in meta
    assert "提交日期：2026年11月6日" in meta and "状态：已采用" in meta
    assert situation == "富兴街道好几个老旧小区冬季供暖温度不达标，室温只有十四五度，老人孩子受不了。"
    assert advice == "建议：住建部门加强监管，督促热力公司整改"  # not 建议：建议…
    assert not any("待审核的一条" in t or "被退回的一条" in t or "上个月的一条" in t for t in texts)


def test_export_scopes_and_ranges(seeded, cli, tmp_path):
    out = tmp_path / "all.xlsx"
    cli("reports", "export", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "xlsx", "--out", str(out),
        "--status", "all")
    assert len(list(load_workbook(out).active.iter_rows(values_only=True))) == 1 + 5
    cli("reports", "export", "--from", "2026-11-26", "--to", "2026-11-26", "--format", "xlsx", "--out", str(out),
        "--status", "pending")
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][8] == "已提交"
    code, stdout, _ = cli("reports", "export", "--from", "2026-10-01", "--to", "2026-10-31", "--format", "docx",
                          "--out", str(tmp_path / "oct.docx"))
    assert "共 1 条" in stdout


def test_export_empty_period_still_makes_a_document(seeded, cli, tmp_path):
    out = tmp_path / "empty.docx"
    code, stdout, _ = cli("reports", "export", "--from", "2025-01-01", "--to", "2025-01-31", "--format", "docx",
                          "--out", str(out))
    assert code == 0 and "共 0 条" in stdout
    assert any("本期无" in p.text for p in Document(str(out)).paragraphs)


def test_export_default_file_name(seeded, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, _ = cli("reports", "export", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "docx")
    assert code == 0 and (tmp_path / "社情民意汇编-2026-11-01-2026-11-30.docx").exists()


def test_export_rejects_bad_dates(runtime, cli):
    code, _, err = cli("reports", "export", "--from", "2026-11-30", "--to", "2026-11-01", "--format", "xlsx")
    assert code == 2 and "结束日期不能早于开始日期" in err
    with pytest.raises(SystemExit):
        cli("reports", "export", "--from", "11月1日", "--to", "2026-11-30", "--format", "xlsx")
