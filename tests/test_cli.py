"""Ops CLI: activities, export, demo, chat."""
from __future__ import annotations

import csv
import io
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import build_parser
from conftest import TOKEN, add_member
from storage.models import Activity, Checkin, Member

ROOT = Path(__file__).resolve().parent.parent
RECORD_HEADER = ["name", "phone", "sector", "district", "reports", "reports_adopted", "checkins",
                 "study_minutes", "signups", "attended", "points"]


def test_every_command_has_help():
    parser = build_parser()
    groups = parser._subparsers._group_actions[0].choices
    for name, sub in groups.items():
        assert sub.format_help()
    for name in ("members", "activities", "export", "chat", "demo"):
        assert name in groups


def test_help_runs_as_a_module():
    out = subprocess.run([sys.executable, "-m", "bot", "activities", "add", "--help"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "--capacity" in out.stdout


def test_activities_add_and_list(runtime, cli):
    code, out, _ = cli("activities", "add", "--title", "读书分享会", "--kind", "读书分享会", "--start", "2026-12-03 14:30",
                       "--place", "市政协三楼", "--capacity", "20", "--deadline", "2026-12-02 18:00")
    assert code == 0 and out.strip() == "A1"
    with runtime.db.session() as session:
        a = session.query(Activity).one()
        assert runtime.local(a.start_at).strftime("%Y-%m-%d %H:%M") == "2026-12-03 14:30" and a.capacity == 20
    code, out, _ = cli("activities", "list", "--all")
    assert "A1" in out and "读书分享会" in out and "0/20" in out


@pytest.mark.parametrize("args,message", [
    (["--kind", "聚餐"], "未知类别"),
    (["--capacity", "-1"], "不能为负数"),
    (["--deadline", "2026-12-05 10:00"], "截止时间"),
])
def test_activities_add_rejects_bad_input(runtime, cli, args, message):
    code, _, err = cli("activities", "add", "--title", "T", "--start", "2026-12-03 14:30", *args)
    assert code == 2 and message in err
    with runtime.db.session() as session:
        assert session.query(Activity).count() == 0


def test_activities_add_bad_time_format(runtime, cli):
    with pytest.raises(SystemExit):
        cli("activities", "add", "--title", "T", "--start", "明天下午")


def _seed_record(runtime, wechat):
    add_member(runtime, "张三", "13912345678", openid="o_zhang", district="东胜区", sector="经济界")
    add_member(runtime, "王秘书", "13800000001", role="staff", openid="o_staff")
    wechat.say("o_zhang", "学习打卡 今天学习了《政协章程》30分钟")
    wechat.say("o_zhang", "富兴街道老旧小区冬季供暖温度不达标，建议住建部门加强监管，督促热力公司整改")
    wechat.say("o_zhang", "提交")  # 社情民意 are saved once the member confirms the summary


def test_export_records_csv(runtime, cli, wechat, tmp_path):
    _seed_record(runtime, wechat)
    add_member(runtime, "李四", "13800001111", district="达拉特旗")
    out_file = tmp_path / "r.csv"
    code, out, _ = cli("export", "records", "--year", "2026", "--format", "csv", "--out", str(out_file),
                       "--headers", "en")
    assert code == 0 and "2 位委员" in out
    rows = list(csv.reader(io.StringIO(out_file.read_text(encoding="utf-8-sig"))))
    assert rows[0][:11] == RECORD_HEADER
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"张三", "李四"}  # staff are not in the duty record
    assert by_name["张三"][4:10] == ["1", "0", "1", "30", "0", "0"]
    assert by_name["李四"][4:10] == ["0"] * 6
    code, out, _ = cli("export", "records", "--year", "2025", "--headers", "en")
    assert out.splitlines()[1].split(",")[4:11] == ["0"] * 7  # fixed columns; extra columns follow


def test_export_records_xlsx(runtime, cli, wechat, tmp_path):
    _seed_record(runtime, wechat)
    out_file = tmp_path / "r.xlsx"
    code, _, _ = cli("export", "records", "--year", "2026", "--format", "xlsx", "--out", str(out_file),
                     "--headers", "en")
    assert code == 0
    sheet = load_workbook(out_file).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][:11]) == RECORD_HEADER and rows[1][0] == "张三" and rows[1][6] == 1


def test_demo_refuses_real_roster(runtime, cli):
    add_member(runtime, "真实委员", "13712345678")
    code, _, err = cli("demo")
    assert code == 2 and "--force" in err
    code, _, _ = cli("demo", "--force")
    assert code == 0


def test_demo_loads_marked_data_once(runtime, cli):
    assert cli("demo")[0] == 0
    assert cli("demo")[0] == 0
    with runtime.db.session() as session:
        assert session.query(Member).filter_by(is_demo=False).count() == 0
        assert session.query(Member).count() == 6
        assert session.query(Activity).filter_by(is_demo=True).count() == 3


def test_chat_talks_to_a_running_webhook(runtime, app, cli, monkeypatch):
    """`python -m bot chat --as PHONE` against a real HTTP server running the app."""
    from waitress.server import create_server

    add_member(runtime, "巴特尔", "13900000005", district="伊金霍洛旗")
    server = create_server(app, host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.effective_port}/wechat"
        monkeypatch.setenv("WECHAT_TOKEN", TOKEN)
        monkeypatch.setattr("sys.stdin", io.StringIO("学习打卡 今天学习了《政协章程》30分钟\n我的履职\n"))
        code, out, _ = cli("chat", "--as", "13900000005", "--url", url)
    finally:
        server.close()
    assert code == 0
    assert "绑定成功" in out and "打卡成功" in out and "巴特尔委员" in out
    with runtime.db.session() as session:
        assert session.query(Checkin).count() == 1


def test_chat_unknown_phone(runtime, cli):
    code, _, err = cli("chat", "--as", "13000000000", "--url", "http://127.0.0.1:9/wechat")
    assert code == 2 and "名册中没有" in err
