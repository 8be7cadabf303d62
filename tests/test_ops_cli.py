"""Ops CLI behaviour (issue 11): one phone format, one status vocabulary, errors in CLI terms,
activity timing guarded by --force, cancelled activities frozen, roster totals, chat's start hint."""
from __future__ import annotations

from datetime import timedelta

import pytest

import bot.cli
from bot import outbox
from storage.statuses import OutboxStatus
from conftest import FIXED_NOW, add_member
from storage import activities, reports
from storage.activities import NewActivity
from storage.models import Activity, Member, Signup

PHONE_FORMS = ["139-1234-5678", "139 1234 5678", "+86 139 1234 5678", "+86-13912345678", "13912345678"]


@pytest.fixture
def pinned(monkeypatch):
    """The commands' clock at FIXED_NOW (2026-11-26 10:00, Asia/Shanghai)."""
    monkeypatch.setattr(bot.cli, "clock", lambda: FIXED_NOW)


# -- phones ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("phone", PHONE_FORMS)
def test_every_phone_form_is_accepted_by_unbind(runtime, cli, phone):
    add_member(runtime, "张三", "13912345678", openid="o_zhang")
    code, out, _ = cli("members", "unbind", phone)
    assert code == 0 and "已解除 张三（13912345678）" in out


@pytest.mark.parametrize("phone", ["139-1234-5678", "+86 139 1234 5678"])
def test_export_archive_accepts_formatted_phones(runtime, cli, tmp_path, phone):
    add_member(runtime, "张三", "13912345678")
    out = tmp_path / "a.docx"
    code, text, _ = cli("export", "archive", "--member", phone, "--year", "2026", "--out", str(out))
    assert code == 0 and out.exists() and "张三" in text


def test_chat_accepts_formatted_phones_and_says_how_to_start_the_server(runtime, cli):
    add_member(runtime, "巴特尔", "13900000005")
    code, _, err = cli("chat", "--as", "+86 139-0000-0005", "--url", "http://127.0.0.1:9/wechat")
    assert code == 2 and "make run" in err and "连不上" in err  # got past the roster: the phone was read
    code, _, err = cli("chat", "--as", "139-0000", "--url", "http://127.0.0.1:9/wechat")
    assert code == 2 and "手机号格式不对" in err


# -- one status vocabulary ------------------------------------------------------------------------
def _rows(runtime):
    with runtime.db.session() as session:
        ok = outbox.enqueue(session, openid="o_a", text="通知", kind="notice")
        bad = outbox.enqueue(session, openid="o_b", text="通知", kind="notice")
        bad.status = OutboxStatus.FAILED
        return ok.id, bad.id


@pytest.mark.parametrize("status", ["failed", "FAILED", "失败"])
def test_outbox_status_takes_codes_and_chinese_labels(runtime, cli, status):
    _rows(runtime)
    code, out, _ = cli("outbox", "list", "--status", status)
    assert code == 0 and "o_b" in out and "o_a" not in out and "失败" in out


def test_an_unknown_status_lists_the_vocabulary(runtime, cli, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli("outbox", "list", "--status", "lost")
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "pending 待发" in err and "failed 失败" in err


def _report(runtime, member_id: int, status: str = "已提交"):
    with runtime.db.session() as session:
        report = reports.create_report(session, session.get(Member, member_id), text="供暖不达标", title="供暖不达标",
                                       category="城建", district="东胜区", now=FIXED_NOW - timedelta(days=1),
                                       prefix="SQ")
        report.status = status
        return report.receipt_no


@pytest.mark.parametrize("status", ["submitted", "已提交"])
def test_reports_list_status_takes_codes_and_labels(runtime, cli, member, status):
    receipt = _report(runtime, member.id)
    code, out, _ = cli("reports", "list", "--status", status)
    assert code == 0 and receipt in out
    code, out, _ = cli("reports", "list", "--status", "adopted")
    assert code == 0 and receipt not in out


@pytest.mark.parametrize("status", ["all", "全部", "pending", "已提交"])
def test_reports_export_scope_takes_codes_and_labels(runtime, cli, member, tmp_path, status):
    _report(runtime, member.id)
    code, out, _ = cli("reports", "export", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "xlsx",
                       "--out", str(tmp_path / "c.xlsx"), "--status", status)
    assert code == 0 and "共 1 条" in out


def test_review_errors_speak_command_line(runtime, cli, member):
    receipt = _report(runtime, member.id)
    code, _, err = cli("reports", "review", receipt, "--action", "return")
    assert code == 2 and "--note" in err and f"reports review {receipt}" in err
    code, _, err = cli("reports", "review", receipt, "--action", "merge")
    assert code == 2 and "--into" in err


# -- activities -----------------------------------------------------------------------------------
def _add(cli, *extra: str):
    return cli("activities", "add", "--title", "协商会", "--kind", "专题协商会", "--start", "2026-12-03 14:30", *extra)


@pytest.mark.parametrize("extra,message", [
    (["--start", "2026-11-20 09:00"], "开始（2026-11-20 09:00）已经过去"),
    (["--deadline", "2026-11-25 18:00"], "报名截止（2026-11-25 18:00）已经过去"),
    (["--deadline", "2026-12-05 10:00"], "晚于活动开始时间"),
])
def test_activities_add_refuses_odd_timing_unless_forced(runtime, cli, pinned, extra, message):
    code, _, err = _add(cli, *extra)
    assert code == 2 and message in err and "--force" in err
    code, out, _ = _add(cli, *extra, "--force")
    assert code == 0 and out.strip() == "A1"


def test_activities_edit_checks_the_changed_times_only(runtime, cli, pinned):
    assert _add(cli, "--deadline", "2026-12-02 18:00")[0] == 0
    code, _, err = cli("activities", "edit", "A1", "--deadline", "2026-11-01 18:00")
    assert code == 2 and "已经过去" in err
    code, _, err = cli("activities", "edit", "A1", "--start", "2026-12-01 09:00")
    assert code == 2 and "晚于活动开始时间" in err
    assert cli("activities", "edit", "A1", "--start", "2026-12-01 09:00", "--force")[0] == 0
    assert cli("activities", "edit", "A1", "--capacity", "30")[0] == 0  # nothing about timing changed


def test_a_cancelled_activity_cannot_be_edited(runtime, cli, pinned):
    assert _add(cli)[0] == 0
    assert cli("activities", "cancel", "A1")[0] == 0
    code, _, err = cli("activities", "edit", "A1", "--place", "市政协一楼", "--force")
    assert code == 2 and "A1 已取消，不能修改" in err
    with runtime.db.session() as session:
        assert session.query(Activity).one().place == ""


def test_activities_show_totals_by_state(runtime, cli, pinned):
    names = ["甲", "乙", "丙", "丁"]
    people = [add_member(runtime, name, f"1391234567{i}") for i, name in enumerate(names)]
    with runtime.db.session() as session:
        activity = activities.create_activity(session, NewActivity(
            title="视察", kind="视察", start_at=FIXED_NOW - timedelta(hours=3), end_at=FIXED_NOW - timedelta(hours=1)))
        code = activity.code
        for person, minutes in zip(people[:2], (5, 9)):
            session.add(Signup(activity_id=activity.id, member_id=person.id, status="signed",
                               attended_at=activity.start_at + timedelta(minutes=minutes)))
        session.add(Signup(activity_id=activity.id, member_id=people[2].id, status="signed"))
        session.add(Signup(activity_id=activity.id, member_id=people[3].id, status="leave", reason="出差"))
    code_, out, _ = cli("activities", "show", code)
    assert code_ == 0
    assert out.splitlines()[-1] == "合计：请假 1，已签到 2，缺席 1"  # not one count per sign-in time
