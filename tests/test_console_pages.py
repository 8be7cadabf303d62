"""工作台, 日报, 发送队列 and 账号 in the console (both back ends)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from conftest import FIXED_NOW, add_member
from console_helpers import log_in, make_account, post, staff_client
from storage import reports
from storage.models import AuditEntry, Checkin, OutboxMessage


def test_dashboard_figures_charts_and_links(app, runtime, member):
    with runtime.db.session() as session:
        owner = session.merge(member)
        reports.create_report(session, owner, text="路灯坏了很久，建议维修。" * 3, title="路灯", category="城乡建设",
                              district="东胜区", now=FIXED_NOW - timedelta(days=10), prefix="SQ")
        reports.create_report(session, owner, text="公交太少，建议增开。" * 3, title="公交", category="交通出行",
                              district="东胜区", now=FIXED_NOW, prefix="SQ")
        session.add(Checkin(member_id=member.id, day=FIXED_NOW.date(), minutes=30, material="政协章程"))
    client = staff_client(app, runtime)
    page = client.get("/console/").get_data(as_text=True)
    assert "待审核社情民意" in page and "超过 7 天未审核" in page
    figures = page.split("今日")[1]
    assert '<div class="n">1</div><div class="l">新增社情民意' in figures  # today: one report
    assert '<div class="n">2</div><div class="l">待审核社情民意' in page
    assert '<div class="n">1</div><div class="l">超过 7 天未审核' in page
    assert "学习打卡（1 人）" in page and "<svg" in page
    for link in ("/console/reports?status=submitted", "/console/activities", "/console/outbox", "/console/digest"):
        assert link in page


def test_digest_pages_by_date(app, runtime):
    client = staff_client(app, runtime)
    page = client.get("/console/digest").get_data(as_text=True)
    yesterday = (FIXED_NOW.date() - timedelta(days=1)).isoformat()
    assert f"/console/digest/{yesterday}" in page
    resp = client.get(f"/console/digest?day={yesterday}")
    assert resp.headers["Location"].endswith(f"/console/digest/{yesterday}")
    day = client.get(f"/console/digest/{yesterday}").get_data(as_text=True)
    assert "<svg" in day and "返回工作台日报列表" in day
    assert client.get("/console/digest/2099-01-01").status_code == 404
    assert client.get("/console/digest/yesterday").status_code == 404
    assert app.test_client().get(f"/console/digest/{yesterday}").status_code == 302


def test_outbox_lists_failed_and_unknown_and_retries(app, runtime, member):
    with runtime.db.session() as session:
        rows = [OutboxMessage(openid="o_zhang", member_id=member.id, kind="notice", text=f"消息{n}", status=status,
                              last_error="timeout")
                for n, status in enumerate(("failed", "unknown", "sent", "pending"))]
        session.add_all(rows)
        session.flush()
        failed, unknown, sent, _pending = (row.id for row in rows)
    client = staff_client(app, runtime)
    page = client.get("/console/outbox").get_data(as_text=True)
    assert "消息0" in page and "消息1" in page and "消息2" not in page and "消息3" not in page
    page = client.get("/console/outbox?status=unknown").get_data(as_text=True)
    assert "消息1" in page and "消息0" not in page
    resp = post(client, f"/console/outbox/{failed}/retry", follow_redirects=True)
    assert f"消息 {failed} 已重新放入待发队列" in resp.get_data(as_text=True)
    resp = post(client, f"/console/outbox/{sent}/retry", follow_redirects=True)
    assert "只有失败或状态不明的消息可以重发" in resp.get_data(as_text=True)
    with runtime.db.session() as session:
        assert session.get(OutboxMessage, failed).status == "pending"
        assert session.get(OutboxMessage, sent).status == "sent"
        entry = session.scalar(select(AuditEntry).where(AuditEntry.item_kind == "outbox"))
    assert entry.item_id == str(failed) and entry.before == {"status": "失败"} and entry.after == {"status": "待发"}
    assert unknown


def test_accounts_page_is_for_admins_only(app, runtime):
    add_member(runtime, "张三", "13912345678")
    add_member(runtime, "赵干事", "13800000003", role="staff", sector="")
    staff = staff_client(app, runtime)
    assert staff.get("/console/accounts").status_code == 403
    assert post(staff, "/console/accounts", {"phone": "13800000003", "password": "x" * 12}).status_code == 403
    admin = staff_client(app, runtime, admin=True, phone="13800000002")
    page = admin.get("/console/accounts").get_data(as_text=True)
    assert "13800000001" in page and "管理员" in page
    resp = post(admin, "/console/accounts", {"phone": "13912345678", "password": "x" * 12}, follow_redirects=True)
    assert "委员不能登录工作台" in resp.get_data(as_text=True)
    resp = post(admin, "/console/accounts", {"phone": "13800000003", "password": "short"}, follow_redirects=True)
    assert "密码至少" in resp.get_data(as_text=True)
    post(admin, "/console/accounts", {"phone": "13800000003", "password": "a long new password"})
    assert log_in(app.test_client(), "13800000003", "a long new password").status_code == 302
    with runtime.db.session() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.item_id == "13800000003"))
    assert entry.actor_name == "管理员" and entry.action == "account.password"
    make_account(runtime)  # the staff account itself is untouched by the refused attempts
