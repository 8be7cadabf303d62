"""Roster import (CSV/XLSX), `members list` and `members unbind`."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from bot.cli import main
from bot.config import load_config
from storage.db import Database
from storage.districts import STANDARD, normalize_district
from storage.models import Member
from storage.roster import RosterError, normalize_phone, normalize_role, read_roster
from conftest import add_member

ROOT = Path(__file__).resolve().parent.parent
HEADER_CN = "姓名,手机号,界别,旗区,角色"
HEADER_EN = "name,phone,sector,district,role"


def write_csv(path: Path, *lines: str, bom: bool = False, encoding: str = "utf-8") -> Path:
    data = "\r\n".join(lines).encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.create_sheet("备注").append(["这张表不会被读取"])
    book.save(path)
    return path


def members(rt) -> dict[str, Member]:
    with rt.db.session() as session:
        return {m.phone: m for m in session.scalars(select(Member))}




# --- value cleaning (no storage) --------------------------------------------

@pytest.mark.parametrize("raw", ["13912345678", " 139 1234 5678 ", "139-1234-5678", "+86 139 1234 5678",
                                 "+86-13912345678", "008613912345678", "8613912345678", "１３９１２３４５６７８",
                                 "\u3000(139)12345678\u3000", 13912345678, 13912345678.0, "13912345678.0"])
def test_phone_normalised_to_11_digits(raw):
    assert normalize_phone(raw) == "13912345678"


@pytest.mark.parametrize("raw", ["", "1391234567", "139123456789", "23912345678", "12012345678",
                                 "1391234567x", "+1 13912345678", "0471-1234567"])
def test_malformed_phone_rejected(raw):
    assert normalize_phone(raw) is None


@pytest.mark.parametrize("raw,role", [("委员", "member"), ("member", "member"), (" Staff ", "staff"),
                                      ("工作人员", "staff"), ("", "member"), (None, "member"), ("主席", None)])
def test_role_mapping(raw, role):
    assert normalize_role(raw) == role


@pytest.mark.parametrize("raw,official", [("准旗", "准格尔旗"), ("达旗", "达拉特旗"), ("伊旗", "伊金霍洛旗"),
                                          ("鄂前旗", "鄂托克前旗"), ("东胜", "东胜区"), ("康巴什新区", "康巴什区"),
                                          ("鄂托克旗", "鄂托克旗"), ("鄂尔多斯市 杭锦旗", "杭锦旗"),
                                          (" 乌审 ", "乌审旗"), ("呼和浩特", None), ("阿镇", None), ("", None)])
def test_district_short_forms(raw, official):
    assert normalize_district(raw) == official


def test_standard_districts_match_config():
    assert tuple(load_config(env={}).org.districts) == STANDARD


# --- reading files (no storage) ---------------------------------------------

def test_csv_with_bom_and_chinese_headers(tmp_path):
    path = write_csv(tmp_path / "名单.csv", HEADER_CN,
                     "\u3000张  三 ,139 1234 5678,经济界,准旗,委员",
                     "王秘书,+86-138-0000-0001,,, 工作人员 ",
                     "李四,13700000003,农业界,鄂托克前旗,", bom=True)
    parsed = read_roster(path)
    assert parsed.bad == []
    assert [(r.line, r.name, r.phone, r.sector, r.district, r.role) for r in parsed.rows] == [
        (2, "张三", "13912345678", "经济界", "准格尔旗", "member"),
        (3, "王秘书", "13800000001", "", "", "staff"),
        (4, "李四", "13700000003", "农业界", "鄂托克前旗", "member"),
    ]


def test_gbk_csv_from_chinese_excel_is_read(tmp_path):
    path = write_csv(tmp_path / "gbk.csv", HEADER_CN, "张三,13912345678,经济界,东胜,委员", encoding="gbk")
    assert read_roster(path).rows[0].district == "东胜区"


def test_xlsx_first_sheet_numbers_and_extra_columns(tmp_path):
    path = write_xlsx(tmp_path / "名单.xlsx", [
        ["序号", "姓名", "手机号", "界别", "旗区", "角色", "备注"],
        [1, "张三", 13912345678, "经济界", "达旗", "委员", None],
        [2, "王秘书", 13800000001.0, None, None, "工作人员", "办公室"],
        [None, None, None, None, None, None, None],
        [3, "赵六", "1380000", "文艺界", "伊旗", "委员", None],
    ])
    parsed = read_roster(path)
    assert [(r.line, r.phone, r.district, r.role) for r in parsed.rows] == [
        (2, "13912345678", "达拉特旗", "member"), (3, "13800000001", "", "staff")]
    assert [(b.line, "手机号格式不对" in b.reason) for b in parsed.bad] == [(5, True)]


def test_bad_rows_reported_with_line_numbers(tmp_path):
    path = write_csv(tmp_path / "bad.csv", HEADER_EN,
                     "张三,13912345678,经济界,东胜区,member",   # 2 ok
                     ",13900000002,经济界,东胜区,member",       # 3 no name
                     "",                                        # 4 blank: skipped, still counted
                     "李四,139-0000,经济界,东胜区,member",      # 5 malformed phone
                     "王五,13900000005,经济界,东胜区,主席",      # 6 unknown role
                     "赵六,13900000006,经济界,呼市,member",      # 7 unknown district
                     "张三丰,139 1234 5678,经济界,东胜区,member")  # 8 same phone as line 2
    parsed = read_roster(path)
    assert [r.line for r in parsed.rows] == [2]
    reasons = {b.line: b.reason for b in parsed.bad}
    assert sorted(reasons) == [3, 5, 6, 7, 8]
    assert "缺少姓名" in reasons[3]
    assert "139-0000" in reasons[5]
    assert "主席" in reasons[6]
    assert "呼市" in reasons[7]
    assert "第 2 行重复" in reasons[8]


def test_missing_header_or_wrong_type_is_a_file_error(tmp_path):
    with pytest.raises(RosterError, match="手机号|phone"):
        read_roster(write_csv(tmp_path / "a.csv", "姓名,界别", "张三,经济界"))
    with pytest.raises(RosterError, match=".xls"):
        read_roster(write_csv(tmp_path / "a.xls", HEADER_EN))
    with pytest.raises(RosterError, match="找不到"):
        read_roster(tmp_path / "missing.csv")


# --- the CLI against both backends ------------------------------------------

def test_import_then_reimport_updates_by_phone(runtime, cli, tmp_path):
    bound = add_member(runtime, "张三", "13912345678", sector="旧界别", openid="o_zhang")
    first = write_csv(tmp_path / "r1.csv", HEADER_CN,
                      "张三,13912345678,经济界,准旗,委员",
                      "李四,13700000003,农业界,达旗,委员", bom=True)
    code, out, _ = cli("members", "import", str(first))
    assert code == 0
    assert "新增 1，更新 1，未变 0，跳过 0" in out

    second = write_xlsx(tmp_path / "r2.xlsx", [
        ["name", "phone", "sector", "district", "role"],
        ["张三", 13912345678, "经济界", "准格尔旗", "member"],
        ["李四", "137 0000 0003", "农业界", "达拉特旗", "staff"],
        ["王五", "+8613600000004", "", "乌审", ""]])
    code, out, _ = cli("members", "import", str(second))
    assert code == 0
    assert "新增 1，更新 1，未变 1，跳过 0" in out

    rows = members(runtime)
    assert len(rows) == 3
    assert rows["13912345678"].id == bound.id
    assert rows["13912345678"].openid == "o_zhang" and rows["13912345678"].bound_at is not None
    assert (rows["13912345678"].sector, rows["13912345678"].district) == ("经济界", "准格尔旗")
    assert rows["13700000003"].role == "staff"
    assert (rows["13600000004"].district, rows["13600000004"].role) == ("乌审旗", "member")


def test_bad_rows_abort_the_whole_import(runtime, cli, tmp_path):
    path = write_csv(tmp_path / "bad.csv", HEADER_CN,
                     "张三,13912345678,经济界,东胜区,委员",
                     "李四,1391234,经济界,东胜区,委员",
                     "王五,13900000005,经济界,东胜区,主席")
    code, out, err = cli("members", "import", str(path))
    assert code == 2
    assert "第 3 行：手机号格式不对" in out and "第 4 行：角色无法识别" in out
    assert "未导入任何数据" in err
    assert members(runtime) == {}


def test_skip_bad_imports_the_good_rows(runtime, cli, tmp_path):
    path = write_csv(tmp_path / "bad.csv", HEADER_CN,
                     "张三,13912345678,经济界,东胜区,委员",
                     "李四,1391234,经济界,东胜区,委员",
                     "王五,13912345678,经济界,东胜区,委员")
    code, out, _ = cli("members", "import", "--skip-bad", str(path))
    assert code == 0
    assert "第 3 行" in out and "第 4 行" in out
    assert "新增 1，更新 0，未变 0，跳过 2" in out
    assert [m.name for m in members(runtime).values()] == ["张三"]


def test_dry_run_writes_nothing(runtime, cli, tmp_path):
    path = write_csv(tmp_path / "r.csv", HEADER_EN, "张三,13912345678,经济界,东胜区,member")
    code, out, _ = cli("members", "import", "--dry-run", str(path))
    assert code == 0 and "试运行" in out and "新增 1" in out
    assert members(runtime) == {}


def test_file_errors_exit_2(runtime, cli, tmp_path):
    code, _, err = cli("members", "import", str(write_csv(tmp_path / "h.csv", "姓名", "张三")))
    assert code == 2 and "表头缺少必填列" in err
    code, _, err = cli("members", "import", str(tmp_path / "none.csv"))
    assert code == 2 and "找不到文件" in err


def test_list_with_filters(runtime, cli):
    add_member(runtime, "张三", "13912345678", district="准格尔旗", openid="o_zhang")
    add_member(runtime, "李四", "13700000003", district="东胜区")
    add_member(runtime, "王秘书", "13800000001", role="staff", sector="", district="")

    code, out, _ = cli("members", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["姓名", "手机号", "界别", "旗区", "角色", "绑定"]
    assert [line.split()[0] for line in lines[1:4]] == ["李四", "张三", "王秘书"]  # members by district, then staff
    assert "13912345678" in out and "共 3 人，已绑定 1，未绑定 2" in out

    _, out, _ = cli("members", "list", "--district", "准旗")
    assert "张三" in out and "李四" not in out
    _, out, _ = cli("members", "list", "--role", "工作人员")
    assert "王秘书" in out and "张三" not in out
    _, out, _ = cli("members", "list", "--unbound", "--role", "member")
    assert "李四" in out and "张三" not in out and "王秘书" not in out
    assert cli("members", "list", "--role", "主席")[0] == 2
    assert cli("members", "list", "--district", "呼市")[0] == 2


def test_unbind_releases_the_wechat_binding(runtime, cli):
    add_member(runtime, "张三", "13912345678", openid="o_zhang")
    code, out, _ = cli("members", "unbind", "139-1234-5678")
    assert code == 0 and "已解除 张三" in out
    zhang = members(runtime)["13912345678"]
    assert zhang.openid is None and zhang.bound_at is None

    code, out, _ = cli("members", "unbind", "13912345678")
    assert code == 0 and "尚未绑定" in out
    assert cli("members", "unbind", "13700000000")[0] == 2
    assert cli("members", "unbind", "12345")[0] == 2


# --- a real process ----------------------------------------------------------

def test_subprocess_import_into_sqlite_file(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'roster.db'}"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "BOT_CONFIG")}
    env["DATABASE_URL"] = db_url
    good = write_xlsx(tmp_path / "名单.xlsx", [["姓名", "手机号", "界别", "旗区", "角色"],
                                              ["张三", 13912345678, "经济界", "准旗", "委员"],
                                              ["王秘书", "13800000001", "", "", "工作人员"]])
    bad = write_csv(tmp_path / "bad.csv", HEADER_CN, "李四,1391234,经济界,东胜区,委员")

    def run(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "bot", "members", *argv], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    done = run("import", str(good))
    assert done.returncode == 0, done.stderr
    assert "新增 2，更新 0，未变 0，跳过 0" in done.stdout
    failed = run("import", str(bad))
    assert failed.returncode == 2 and "第 2 行" in failed.stdout and "错误：" in failed.stderr
    assert "新增 0，更新 0，未变 2" in run("import", str(good)).stdout

    db = Database(db_url)
    try:
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(Member)) == 2
    finally:
        db.engine.dispose()
