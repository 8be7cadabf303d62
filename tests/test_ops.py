"""Ops behaviour (issue 11): demo data marked, never counted and removable; export headers and xlsx layout."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from openpyxl import load_workbook

from bot.digest import build_digest
from conftest import FIXED_NOW, add_member
from storage import reports
from storage.models import Activity, Checkin, Member, OutboxMessage, Report, ReportEvent, Signup

EN_HEADER = ["name", "phone", "sector", "district", "reports", "reports_adopted", "checkins", "study_minutes",
             "signups", "attended", "points"]
ZH_HEADER = ["姓名", "手机号", "界别", "旗区", "社情民意"]


def _activity_of_demo(runtime) -> Activity:
    with runtime.db.session() as session:
        return session.query(Activity).filter_by(is_demo=True).order_by(Activity.id).first()


def _demo_with_facts(runtime, cli) -> tuple[Member, Member]:
    """The demo roster, plus a real member; the demo member 张三 has a check-in, a report and a sign-up."""
    assert cli("demo")[0] == 0
    real = add_member(runtime, "真实委员", "13712345678", district="达拉特旗")
    yesterday = FIXED_NOW.date() - timedelta(days=1)
    with runtime.db.session() as session:
        demo = session.query(Member).filter_by(phone="13900000001").one()
        demo.openid = "o_demo"
        session.add(Checkin(member_id=demo.id, day=yesterday, minutes=30, material="政协章程"))
        report = reports.create_report(session, demo, text="演示反映", title="演示反映", category="其他",
                                       district="东胜区", now=FIXED_NOW - timedelta(days=1), prefix="SQ")
        report.status = "已采用"
        session.add(Signup(activity_id=_activity_of_demo(runtime).id, member_id=demo.id, status="signed"))
        session.add(OutboxMessage(member_id=demo.id, openid="o_demo", kind="notice", text="演示通知"))
    return demo, real


def test_members_list_marks_demo_members(runtime, cli):
    assert cli("demo")[0] == 0
    add_member(runtime, "真实委员", "13712345678")
    code, out, _ = cli("members", "list")
    assert code == 0
    lines = out.splitlines()
    assert "真实委员" in lines[1] and "（演示）" not in lines[1]  # real members first
    assert any("张三（演示）" in line for line in lines)
    assert "其中演示人员 6 人" in lines[-1]


def test_demo_members_are_left_out_of_exports(runtime, cli, tmp_path):
    _demo_with_facts(runtime, cli)
    out = tmp_path / "r.csv"
    assert cli("export", "records", "--year", "2026", "--out", str(out))[0] == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["真实委员"]
    archive = tmp_path / "all.zip"
    code, text, _ = cli("export", "archive", "--all", "--year", "2026", "--out", str(archive))
    assert code == 0 and "已导出 1 位委员" in text
    compiled = tmp_path / "c.xlsx"
    code, text, _ = cli("reports", "export", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "xlsx",
                        "--out", str(compiled))
    assert code == 0 and "共 0 条" in text


def test_demo_members_are_left_out_of_the_digest(runtime, cli):
    _demo_with_facts(runtime, cli)
    digest = build_digest(runtime, FIXED_NOW.date() - timedelta(days=1))
    assert digest.member_total == 1  # the real member only; no demo member, no staff
    assert digest.checkin_members == 0 and digest.new_reports == [] and digest.new_signups == 0
    assert all(not line.title.startswith("【演示】") for line in digest.activities)
    assert sum(point.reports for point in digest.series) == 0


def test_demo_remove_deletes_demo_data_and_keeps_real_data(runtime, cli):
    demo, real = _demo_with_facts(runtime, cli)
    with runtime.db.session() as session:  # a real member signed up for a demo activity too
        session.add(Signup(activity_id=_activity_of_demo(runtime).id, member_id=real.id, status="signed"))
        session.add(Checkin(member_id=real.id, day=date(2026, 11, 20), minutes=20, material="读书"))
    code, out, _ = cli("demo", "--remove")
    assert code == 0 and "人员 6 位，活动 3 个" in out
    with runtime.db.session() as session:
        assert [m.name for m in session.query(Member)] == ["真实委员"]
        assert session.query(Activity).count() == 0 and session.query(Signup).count() == 0
        assert session.query(Report).count() == 0 and session.query(ReportEvent).count() == 0
        assert session.query(OutboxMessage).count() == 0
        assert [c.member_id for c in session.query(Checkin)] == [real.id]
    code, out, _ = cli("demo", "--remove")
    assert code == 0 and "没有演示数据" in out


def test_demo_remove_and_force_are_exclusive(runtime, cli):
    import pytest

    with pytest.raises(SystemExit):
        cli("demo", "--remove", "--force")


def _one_member_with_a_checkin(runtime):
    member = add_member(runtime, "乌云其木格", "13912345678", sector="少数民族界", district="鄂托克前旗")
    with runtime.db.session() as session:
        session.add(Checkin(member_id=member.id, day=date(2026, 11, 20), minutes=45, material="政协章程"))


def test_export_headers_are_chinese_by_default_and_machine_keys_with_headers_en(runtime, cli):
    _one_member_with_a_checkin(runtime)
    code, out, _ = cli("export", "records", "--year", "2026")
    assert code == 0
    header = out.splitlines()[0].lstrip("\ufeff").split(",")
    assert header[:5] == ZH_HEADER and "学习打卡" in header and "履职积分" in header
    code, out, _ = cli("export", "records", "--year", "2026", "--headers", "en")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:11] == EN_HEADER and rows[0][16] == "requirements_missing"
    assert rows[0][17:] == ["proposals", "proposals_cosigned", "proposals_registered", "proposals_key",
                            "proposals_excellent"]  # 提案 (issue 14): after the existing columns
    assert rows[1][:4] == ["乌云其木格", "13912345678", "少数民族界", "鄂托克前旗"] and rows[1][6:8] == ["1", "45"]


def test_xlsx_export_has_a_frozen_bold_header_and_fitting_widths(runtime, cli, tmp_path):
    _one_member_with_a_checkin(runtime)
    out = tmp_path / "r.xlsx"
    assert cli("export", "records", "--year", "2026", "--format", "xlsx", "--out", str(out))[0] == 0
    sheet = load_workbook(out).active
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    assert [c.value for c in sheet[1]][:5] == ZH_HEADER
    widths = {cell.column_letter: sheet.column_dimensions[cell.column_letter].width for cell in sheet[1]}
    assert widths["B"] >= 13                      # an 11-digit phone fits
    assert widths["C"] >= 12                      # 少数民族界: five CJK characters
    assert all(6 <= width <= 40 for width in widths.values())


def test_the_suite_writes_redis_keys_under_its_own_prefix(runtime):
    from conftest import TEST_KEY_PREFIX

    assert runtime.config.redis.prefix.startswith(TEST_KEY_PREFIX)  # worker processes a test starts use it too
    if runtime.kv.backend == "redis":
        assert runtime.kv.prefix == runtime.config.redis.prefix
        runtime.kv.set("probe", "1")
        assert runtime.kv.client.get(runtime.kv.prefix + "probe") == "1"  # the fixture deletes it afterwards


def test_the_digest_page_reads_on_a_phone(runtime, member):
    """At 390 px: chart labels are drawn at 12 px on a chart about as wide as the screen, and every
    table cell carries its column name so a row can stand as a card (checked with headless Chromium)."""
    import re

    from bot.signed_links import digest_path
    from storage.activities import NewActivity, create_activity
    from webhook import create_app

    runtime.config = runtime.config.with_overrides({"digest.secret": "s3cret"})
    day = FIXED_NOW.date() - timedelta(days=1)
    with runtime.db.session() as session:
        reports.create_report(session, session.get(Member, member.id), text="供暖不达标", title="供暖不达标",
                              category="城建", district="东胜区", now=FIXED_NOW - timedelta(days=1), prefix="SQ")
        create_activity(session, NewActivity(title="读书分享会", kind="读书分享会", start_at=FIXED_NOW + timedelta(days=3),
                                             capacity=30))
    page = create_app(runtime).test_client().get(digest_path(runtime, day)).get_data(as_text=True)
    cells = re.findall(r"<td[^>]*>", page)
    assert len(cells) >= 11 and all("data-label=" in cell for cell in cells)
    assert page.count('<table class="cards">') == 2  # new reports, activities
    assert re.search(r'viewBox="0 0 (\d+) ', page).group(1) == "360"
    assert ".chart .axis { font-size: 12px" in page and "table.cards td::before" in page
