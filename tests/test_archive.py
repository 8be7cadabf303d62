"""`export archive`: the member's annual 履职档案 as docx, and one per member in a zip."""
from __future__ import annotations

import io
import zipfile

from docx import Document
from docx.text.paragraph import Paragraph

from conftest import add_member
from test_record import EXPECTED, seed_year


def tables(doc) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in doc.tables]


def table_after(doc, heading: str) -> list[list[str]]:
    """The table that follows a heading (python-docx keeps body order in element order)."""
    body = list(doc.element.body.iterchildren())
    texts = [el for el in body if el.tag.endswith("}p") and Paragraph(el, doc._body).text == heading]
    assert texts, heading
    following = body[body.index(texts[0]) + 1]
    index = [t._tbl for t in doc.tables].index(following)
    return tables(doc)[index]


def test_archive_of_one_member(runtime, cli, tmp_path):
    seed_year(runtime)
    out = tmp_path / "zhang.docx"
    code, stdout, _ = cli("export", "archive", "--member", "13912345678", "--year", "2026", "--format", "docx",
                          "--out", str(out))
    assert code == 0 and "张三" in stdout
    doc = Document(str(out))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == "委员履职档案（2026年度）" and "鄂尔多斯市政协" in paragraphs
    assert table_after(doc, "委员信息")[0] == ["姓名", "张三"]

    summary = {row[0]: row[1:] for row in table_after(doc, "履职情况汇总")}
    assert summary["社情民意（提交）"] == [str(EXPECTED["reports"]), "19"]
    assert summary["　其中获领导批示"] == ["1", ""]
    assert summary["附议"] == ["2", "2"] and summary["学习打卡（次）"] == ["3", "3"]
    assert summary["活动报名（确认名额）"] == ["3", ""] and summary["活动出席"] == ["2", "7"]
    assert summary["缺席（未请假）"] == ["2", ""] and summary["候补未获名额"] == ["1", ""]
    assert summary["扣分（缺席、请假）"] == ["", "-4"] and summary["履职积分合计"] == ["", str(EXPECTED["points"])]
    assert "学习打卡：3/12次，还差9次" in paragraphs and "社情民意：4/1条，已完成" in paragraphs

    reports = table_after(doc, "一、社情民意")
    assert reports[0] == ["日期", "编号", "标题", "状态"]
    assert reports[1] == ["2026-01-01", "SQ2026-0005", "标题0005", "已提交"]           # dated by local time
    assert reports[3] == ["2026-03-04", "SQ2026-0002", "标题0002", "已办结（获领导批示）"]
    assert [r[1] for r in table_after(doc, "二、附议")[1:]] == ["SQ2026-0006", "SQ2026-0007"]
    assert table_after(doc, "三、学习打卡")[1:] == [["2026-01-05", "政协章程", "30"], ["2026-06-01", "政协章程", "60"],
                                                ["2026-11-25", "政协章程", "45"]]
    outcomes = [(r[0], r[1], r[4]) for r in table_after(doc, "四、参加活动")[1:]]
    assert outcomes == [("2026-03-01", "A1", "出席"), ("2026-06-01", "A2", "缺席"), ("2026-07-01", "A3", "请假：出差"),
                        ("2026-09-01", "A4", "出席（现场签到）"), ("2026-10-01", "A5", "候补（未获名额）"),
                        ("2026-11-20", "A6", "缺席")]


def test_archive_of_a_quiet_year(runtime, cli, tmp_path):
    add_member(runtime, "王五", "13800002222")
    out = tmp_path / "w.docx"
    assert cli("export", "archive", "--member", "13800002222", "--year", "2025", "--out", str(out))[0] == 0
    doc = Document(str(out))
    assert doc.paragraphs[0].text == "委员履职档案（2025年度）"
    assert [p.text for p in doc.paragraphs].count("（无）") == 4
    assert {row[0]: row[2] for row in table_after(doc, "履职情况汇总")}["履职积分合计"] == "0"


def test_archive_default_name(runtime, cli, tmp_path, monkeypatch):
    add_member(runtime, "王五", "13800002222")
    monkeypatch.chdir(tmp_path)
    assert cli("export", "archive", "--member", "13800002222", "--year", "2026")[0] == 0
    assert (tmp_path / "王五-13800002222-2026.docx").exists()


def test_archive_all_members_zip(runtime, cli, tmp_path):
    seed_year(runtime)
    add_member(runtime, "王秘书", "13800000001", role="staff")
    out = tmp_path / "all.zip"
    code, stdout, _ = cli("export", "archive", "--all", "--year", "2026", "--out", str(out))
    assert code == 0 and "2 位委员" in stdout
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["张三-13912345678.docx", "李四-13800001111.docx"]
        li = Document(io.BytesIO(archive.read("李四-13800001111.docx")))
    assert table_after(li, "委员信息")[0] == ["姓名", "李四"]
    assert [r[1] for r in table_after(li, "一、社情民意")[1:]] == ["SQ2026-0006", "SQ2026-0007"]


def test_archive_refusals(runtime, cli):
    add_member(runtime, "王秘书", "13800000001", role="staff")
    code, _, err = cli("export", "archive", "--member", "13000000000", "--year", "2026")
    assert code == 2 and "名册中没有" in err
    assert cli("export", "archive", "--member", "13800000001", "--year", "2026")[0] == 2   # staff have no record
    assert cli("export", "archive", "--member", "13800000001", "--year", "1999")[0] == 2
