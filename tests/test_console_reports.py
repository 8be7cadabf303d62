"""社情民意 in the console (both back ends): queue filters and paging, the report page, review actions through
the workflow table with the member told through the outbox, retitle/recategorise, photos, export."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from conftest import FIXED_NOW, add_member
from console_helpers import post, staff_client
from storage import reports
from storage.models import AuditEntry, OutboxMessage, Report, ReportAttachment

TEXT = "东胜区富兴街道的路灯坏了三个月，晚上出行很不安全，建议尽快安排维修并建立定期巡查机制。"


def file_report(rt, member, *, text=TEXT, title="富兴街道路灯不亮", category="城乡建设", district="东胜区",
                days_ago=0):
    with rt.db.session() as session:
        from storage.models import Member

        owner = session.get(Member, member.id)
        report = reports.create_report(session, owner, text=text, title=title, category=category, district=district,
                                       now=FIXED_NOW - timedelta(days=days_ago), prefix="SQ",
                                       suggestion="建议尽快维修")
        return report.receipt_no


def status_of(rt, receipt):
    with rt.db.session() as session:
        return reports.by_receipt(session, receipt).status


@pytest.fixture
def client(app, runtime):
    return staff_client(app, runtime)


def test_queue_filters_and_paging(client, runtime, member):
    other = add_member(runtime, "李四", "13912345679", district="康巴什区", openid="o_li")
    first = file_report(runtime, member)
    second = file_report(runtime, other, text="康巴什区的公交线路太少，学生上学不方便，建议增开早晚高峰班次。", title="增开公交",
                         category="交通出行", district="康巴什区", days_ago=10)
    page = client.get("/console/reports").get_data(as_text=True)
    assert first in page and second in page
    page = client.get("/console/reports?district=康巴什区").get_data(as_text=True)
    assert second in page and first not in page
    page = client.get("/console/reports?category=城乡建设").get_data(as_text=True)
    assert first in page and second not in page
    page = client.get("/console/reports?q=公交").get_data(as_text=True)
    assert second in page and first not in page
    page = client.get("/console/reports?q=李四").get_data(as_text=True)
    assert second in page and first not in page
    page = client.get(f"/console/reports?from={(FIXED_NOW - timedelta(days=1)).date()}").get_data(as_text=True)
    assert first in page and second not in page
    page = client.get("/console/reports?status=submitted&overdue=1").get_data(as_text=True)
    assert second in page and first not in page
    page = client.get("/console/reports?status=adopted").get_data(as_text=True)
    assert first not in page and second not in page and "没有符合条件" in page
    assert "日期格式应为" in client.get("/console/reports?from=2026-13-01").get_data(as_text=True)
    runtime.config = runtime.config.with_overrides({"console.page_size": 1})
    page = client.get("/console/reports?page=2").get_data(as_text=True)
    assert second in page and first not in page and "第 2 / 2 页" in page


def test_report_page_shows_text_history_seconders_similar_and_only_allowed_actions(client, runtime, member):
    other = add_member(runtime, "李四", "13912345679", openid="o_li")
    receipt = file_report(runtime, member)
    similar = file_report(runtime, other, title="路灯坏了", days_ago=3)
    with runtime.db.session() as session:
        reports.add_second(session, reports.by_receipt(session, receipt), session.merge(other), FIXED_NOW)
    page = client.get(f"/console/reports/{receipt}").get_data(as_text=True)
    assert TEXT in page and "建议尽快维修" in page and "李四" in page and similar in page
    assert "已提交" in page  # history
    for verb in ("采用", "退回", "不采用", "合并"):
        assert f'value="{ {"采用": "adopt", "退回": "return", "不采用": "reject", "合并": "merge"}[verb] }"' in page
    for hidden in ("forward", "instruct", "close"):
        assert f'name="action" value="{hidden}"' not in page
    assert client.get("/console/reports/SQ2026-9999").status_code == 404


def test_return_needs_a_reason_then_tells_the_member_and_is_audited(client, runtime, member):
    receipt = file_report(runtime, member)
    resp = post(client, f"/console/reports/{receipt}/review", {"action": "return", "note": ""}, follow_redirects=True)
    assert "退回须写明理由" in resp.get_data(as_text=True)
    assert status_of(runtime, receipt) == "已提交"
    resp = post(client, f"/console/reports/{receipt}/review", {"action": "return", "note": "请补充具体位置"},
                follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert status_of(runtime, receipt) == "已退回"
    assert "已通知张三" in page and "请补充具体位置" in page
    with runtime.db.session() as session:
        notices = session.scalars(select(OutboxMessage).where(OutboxMessage.openid == "o_zhang")).all()
        entry = session.scalar(select(AuditEntry).where(AuditEntry.item_id == receipt))
    assert len(notices) == 1 and receipt in notices[0].text
    assert entry.actor_name == "王秘书" and entry.action == "report.return"
    assert entry.before == {"status": "已提交"} and entry.after["status"] == "已退回"
    assert "操作记录" in page and "退回" in page
    assert 'name="action" value="adopt"' not in page  # 已退回 allows nothing more here


def test_adopt_forward_instruct_close(client, runtime, member):
    receipt = file_report(runtime, member)
    url = f"/console/reports/{receipt}/review"
    post(client, url, {"action": "adopt"})
    assert status_of(runtime, receipt) == "已采用"
    post(client, url, {"action": "instruct", "to": "市长", "note": "请办理"})  # not allowed from 已采用
    assert status_of(runtime, receipt) == "已采用"
    post(client, url, {"action": "forward", "to": "市委办公室"})
    post(client, url, {"action": "instruct", "to": "市长", "note": "请市住建局牵头解决"})
    assert status_of(runtime, receipt) == "已批示"
    post(client, url, {"action": "close", "note": "已修复"})
    assert status_of(runtime, receipt) == "已办结"
    with runtime.db.session() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.item_id == receipt)
                                  .order_by(AuditEntry.id)).all()
    assert actions == ["report.adopt", "report.forward", "report.instruct", "report.close"]


def test_merge_records_both_reports(client, runtime, member):
    keep = file_report(runtime, member)
    dup = file_report(runtime, member, title="路灯")
    post(client, f"/console/reports/{dup}/review", {"action": "merge", "into": keep})
    assert status_of(runtime, dup) == "已合并"
    assert dup in client.get(f"/console/reports/{keep}").get_data(as_text=True)


def test_retitle_and_recategorise_keep_the_original(client, runtime, member):
    receipt = file_report(runtime, member)
    post(client, f"/console/reports/{receipt}/edit", {"title": "富兴街道路灯维修", "category": "民生保障"})
    page = client.get(f"/console/reports/{receipt}").get_data(as_text=True)
    assert "富兴街道路灯维修" in page and "委员原标题" in page and "富兴街道路灯不亮" in page
    assert "委员原分类" in page and "城乡建设" in page
    with runtime.db.session() as session:
        report = reports.by_receipt(session, receipt)
        assert (report.title, report.category, report.text) == ("富兴街道路灯维修", "民生保障", TEXT)
        entries = session.scalars(select(AuditEntry).where(AuditEntry.item_id == receipt)).all()
    assert {e.action for e in entries} == {"report.edit_title", "report.edit_category"}
    post(client, f"/console/reports/{receipt}/edit", {"title": "x", "category": "不存在的分类"})
    assert status_of(runtime, receipt) == "已提交"
    with runtime.db.session() as session:
        assert reports.by_receipt(session, receipt).category == "民生保障"


def test_photos_are_served_only_to_staff(app, client, runtime, member, tmp_path):
    runtime.config = runtime.config.with_overrides({"media.dir": str(tmp_path)})
    (tmp_path / "p1.jpg").write_bytes(b"\xff\xd8\xff photo")
    receipt = file_report(runtime, member)
    with runtime.db.session() as session:
        report = reports.by_receipt(session, receipt)
        item = ReportAttachment(report_id=report.id, kind="image", media_id="m1", stored_path="p1.jpg")
        session.add(item)
        session.flush()
        item_id = item.id
    page = client.get(f"/console/reports/{receipt}").get_data(as_text=True)
    assert f'src="/console/media/{item_id}"' in page
    photo = client.get(f"/console/media/{item_id}")
    assert photo.data == b"\xff\xd8\xff photo"
    photo.close()
    assert app.test_client().get(f"/console/media/{item_id}").status_code == 302
    assert client.get("/console/media/99999").status_code == 404


def test_export_of_the_filtered_list(client, runtime, member):
    from docx import Document
    from openpyxl import load_workbook

    wanted = file_report(runtime, member)
    other = file_report(runtime, member, title="公交太少", category="交通出行")
    resp = client.get("/console/reports/export.xlsx?category=城乡建设")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(resp.data)).active
    receipts = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert receipts == [wanted]
    resp = client.get("/console/reports/export.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(resp.data)).paragraphs)
    assert "富兴街道路灯不亮" in text and "公交太少" in text and other
    assert client.get("/console/reports/export.pdf").status_code == 404


def test_review_without_session_or_token_changes_nothing(app, client, runtime, member):
    receipt = file_report(runtime, member)
    anonymous = app.test_client()
    resp = anonymous.post(f"/console/reports/{receipt}/review", data={"action": "adopt"})
    assert resp.status_code in (302, 400)
    resp = client.post(f"/console/reports/{receipt}/review", data={"action": "adopt"})
    assert resp.status_code == 400
    resp = client.post(f"/console/reports/{receipt}/review", data={"action": "adopt", "csrf_token": "x"})
    assert resp.status_code == 400
    assert status_of(runtime, receipt) == "已提交"
    with runtime.db.session() as session:
        assert session.scalar(select(Report.status)) == "已提交"
        assert not session.scalars(select(AuditEntry)).all()
