"""Console 活动 pages: publish, edit (a time change notifies), cancel (notifies), roster states, attendance by
hand, the projected 签到 code and the QR code; every change audited; the same operations as the CLI."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from conftest import FIXED_NOW, add_member
from console_helpers import csrf_token, staff_client
from bot.activity_qr import scene_content
from storage import activities
from storage.activities import NewActivity
from storage.models import Activity, AuditEntry, OutboxMessage

FORM = {"title": "读书分享会", "kind": "读书分享会", "start_at": "2026-12-10T09:00", "end_at": "",
        "place": "市政协三楼", "capacity": "2", "deadline": "2026-12-09T18:00", "audience": ""}


def post(client, url: str, data: dict | None = None, **kwargs):
    """POST with the session's CSRF token, read from a page of this area."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client, "/console/activities")}, **kwargs)


def _publish(rt, **fields) -> str:
    with rt.db.session() as session:
        spec = {"title": "协商会", "kind": "专题协商会", "start_at": FIXED_NOW + timedelta(days=3), "place": "一楼",
                "capacity": 1, **fields}
        return activities.create_activity(session, NewActivity(**spec)).code


def _sign_up(rt, code: str, *people) -> None:
    with rt.db.session() as session:
        activity = activities.by_code(session, code)
        for member in people:
            activities.sign_up(session, activity, session.merge(member), FIXED_NOW)


def _audit(rt, action: str) -> list[AuditEntry]:
    with rt.db.session() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_pages_need_a_session(app):
    client = app.test_client()
    for url in ("/console/activities", "/console/activities/new", "/console/activities/A1/qr"):
        assert client.get(url).status_code == 302


def test_publish_shows_the_activity_and_audits_it(app, runtime):
    client = staff_client(app, runtime)
    resp = post(client, "/console/activities/new", FORM)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/console/activities/A1")
    page = client.get("/console/activities/A1").get_data(as_text=True)
    assert "读书分享会" in page and "市政协三楼" in page and "发布活动" in page  # the audit entry is on the page
    with runtime.db.session() as session:
        activity = activities.by_code(session, "A1")
        assert runtime.local(activity.start_at).strftime("%m-%d %H:%M") == "12-10 09:00" and activity.capacity == 2
    assert _audit(runtime, "activity.create")[0].actor_name == "王秘书"
    assert "A1" in client.get("/console/activities").get_data(as_text=True)


def test_publish_in_the_past_needs_confirmation(app, runtime):
    client = staff_client(app, runtime)
    past = {**FORM, "start_at": "2026-11-20T09:00", "deadline": ""}
    page = post(client, "/console/activities/new", past, follow_redirects=True).get_data(as_text=True)
    assert "已经过去" in page and "确认" in page
    with runtime.db.session() as session:
        assert activities.all_activities(session) == []
    assert post(client, "/console/activities/new", {**past, "force": "1"}).status_code == 302


def test_time_change_notifies_those_signed_up(app, runtime, member):
    code = _publish(runtime)
    _sign_up(runtime, code, member)
    client = staff_client(app, runtime)
    form = post(client, f"/console/activities/{code}/edit", {**FORM, "title": "协商会", "kind": "专题协商会",
                                                            "place": "一楼", "capacity": "1", "deadline": "",
                                                            "start_at": "2026-12-01T15:00"}, follow_redirects=True)
    page = form.get_data(as_text=True)
    assert "已通知 1 位已报名委员活动变更" in page and "修改活动" in page
    with runtime.db.session() as session:
        texts = [m.text for m in session.scalars(select(OutboxMessage).where(OutboxMessage.openid == "o_zhang"))]
    assert any("12月1日" in t or "12-01" in t or "15:00" in t for t in texts), texts
    entry = _audit(runtime, "activity.edit")[0]
    assert "开始" in entry.before and entry.after["开始"] == "2026-12-01 15:00"


def test_cancel_with_reason_notifies_and_is_audited(app, runtime, member):
    code = _publish(runtime)
    _sign_up(runtime, code, member)
    client = staff_client(app, runtime)
    page = post(client, f"/console/activities/{code}/cancel", {"reason": "场地检修"},
                follow_redirects=True).get_data(as_text=True)
    assert "已通知 1 位" in page and "已取消" in page
    with runtime.db.session() as session:
        assert activities.by_code(session, code).status == "cancelled"
        texts = [m.text for m in session.scalars(select(OutboxMessage).where(OutboxMessage.openid == "o_zhang"))]
    assert any("场地检修" in t for t in texts)
    assert _audit(runtime, "activity.cancel")[0].after["取消原因（会告知委员）"] == "场地检修"


def test_roster_states_and_attendance_by_hand(app, runtime, member):
    other = add_member(runtime, "李四", "13912345679", openid="o_li")
    late = add_member(runtime, "赵六", "13912345670")
    code = _publish(runtime, start_at=FIXED_NOW - timedelta(minutes=10))  # running now: 签到 is open
    with runtime.db.session() as session:  # sign-ups made before the start
        activity = activities.by_code(session, code)
        earlier = FIXED_NOW - timedelta(days=1)
        activities.sign_up(session, activity, session.merge(member), earlier)
        activities.sign_up(session, activity, session.merge(other), earlier)  # full: waitlist
    client = staff_client(app, runtime)
    page = client.get(f"/console/activities/{code}").get_data(as_text=True)
    assert "已报名 1" in page and "候补 1" in page
    post(client, f"/console/activities/{code}/attendance", {"member_id": str(member.id), "present": "1"})
    post(client, f"/console/activities/{code}/attendance", {"phone": "139-1234-5670", "present": "1"})
    page = client.get(f"/console/activities/{code}").get_data(as_text=True)
    assert "已签到 2" in page and "候补 1" in page and "赵六" in page
    post(client, f"/console/activities/{code}/attendance", {"member_id": str(late.id), "present": "0"})
    page = client.get(f"/console/activities/{code}").get_data(as_text=True)
    assert "已签到 1" in page and "登记出席" in page
    assert len(_audit(runtime, "activity.attendance")) == 3


def test_absent_after_the_end(app, runtime, member):
    code = _publish(runtime, start_at=FIXED_NOW - timedelta(hours=5), capacity=0)
    with runtime.db.session() as session:
        activity = activities.by_code(session, code)
        activities.sign_up(session, activity, session.merge(member), FIXED_NOW - timedelta(days=2))
    page = staff_client(app, runtime).get(f"/console/activities/{code}").get_data(as_text=True)
    assert "缺席 1" in page


def test_checkin_code_projected_and_qr_code(app, runtime):
    code = _publish(runtime)
    client = staff_client(app, runtime)
    page = client.get(f"/console/activities/{code}/checkin").get_data(as_text=True)
    with runtime.db.session() as session:
        drawn = activities.by_code(session, code).checkin_code
    assert len(drawn) == 4 and f"签到 {drawn}" in page
    assert client.get(f"/console/activities/{code}/checkin").get_data(as_text=True).count(drawn) >= 2  # same code
    post(client, f"/console/activities/{code}/checkin")
    with runtime.db.session() as session:
        assert activities.by_code(session, code).checkin_code != drawn
    assert len(_audit(runtime, "activity.checkin_code")) == 2
    qr = client.get(f"/console/activities/{code}/qr").get_data(as_text=True)
    assert "<svg" in qr and code in qr
    png = client.get(f"/console/activities/{code}/qr.png")
    assert png.status_code == 200 and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    with runtime.db.session() as session:
        assert scene_content(activities.by_code(session, code)) == code


def test_unknown_activity_is_404(app, runtime):
    assert staff_client(app, runtime).get("/console/activities/A999").status_code == 404


def test_csrf_refused(app, runtime):
    code = _publish(runtime)
    client = staff_client(app, runtime)
    assert client.post(f"/console/activities/{code}/cancel", data={"reason": "x"}).status_code == 400
    with runtime.db.session() as session:
        assert session.scalar(select(Activity.status).where(Activity.code == code)) == "open"
