"""Console security (both back ends): sessions, CSRF, roles, login throttling, idle logout, members never."""
from __future__ import annotations

import pytest

from conftest import add_member, advance_clock
from console_helpers import PASSWORD, csrf_token, log_in, make_account, post, staff_client
from storage.console_accounts import AccountError, set_password


def test_login_page_opens_and_home_needs_a_session(app):
    client = app.test_client()
    assert client.get("/console/login").status_code == 200
    resp = client.get("/console/")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/console/login")


def test_login_sets_a_hardened_cookie_and_opens_the_home_page(app, runtime):
    make_account(runtime)
    client = app.test_client()
    resp = log_in(client)
    assert resp.status_code == 302
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # plain HTTP in tests; HTTPS requests get Secure (below)
    assert client.get("/console/").status_code == 200


def test_cookie_is_secure_over_https(app, runtime):
    make_account(runtime)
    client = app.test_client()
    token = csrf_token(client)
    resp = client.post("/console/login", base_url="https://localhost",
                       headers={"Referer": "https://localhost/console/login"},
                       data={"phone": "13800000001", "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302
    assert "Secure" in resp.headers["Set-Cookie"]


def test_wrong_password_and_unknown_phone_get_the_same_answer(app, runtime):
    make_account(runtime)
    client = app.test_client()
    wrong = log_in(client, password="wrong password!")
    unknown = log_in(client, phone="13999999999")
    assert wrong.status_code == unknown.status_code == 401
    assert "手机号或密码不正确" in wrong.get_data(as_text=True)
    assert "手机号或密码不正确" in unknown.get_data(as_text=True)
    assert client.get("/console/").status_code == 302


def test_csrf_refused_on_login_and_on_actions(app, runtime):
    make_account(runtime)
    client = app.test_client()
    client.get("/console/login")
    resp = client.post("/console/login", data={"phone": "13800000001", "password": PASSWORD})
    assert resp.status_code == 400 and "操作未执行" in resp.get_data(as_text=True)
    client = staff_client(app, runtime)
    resp = client.post("/console/logout", data={"csrf_token": "forged"})
    assert resp.status_code == 400
    assert client.get("/console/").status_code == 200  # still logged in: the forged logout did nothing


def test_login_throttling_holds_even_for_the_right_password(app, runtime):
    make_account(runtime)
    client = app.test_client()
    attempts = int(runtime.config.console.login_attempts)
    for _ in range(attempts):
        assert log_in(client, password="not the password").status_code == 401
    resp = log_in(client)
    assert resp.status_code == 429 and "尝试次数过多" in resp.get_data(as_text=True)
    assert client.get("/console/").status_code == 302
    advance_clock(runtime, float(runtime.config.console.login_window_minutes) * 60 + 1)
    assert log_in(client).status_code == 302


def test_throttling_per_address_covers_many_phones(app, runtime):
    make_account(runtime)
    client = app.test_client()
    for n in range(int(runtime.config.console.login_attempts_per_address)):
        log_in(client, phone=f"1390000{n:04d}", password="guess")
    assert log_in(client).status_code == 429


def test_idle_logout(app, runtime):
    client = staff_client(app, runtime)
    advance_clock(runtime, float(runtime.config.console.idle_minutes) * 60 - 5)
    assert client.get("/console/").status_code == 200  # used in time: the idle clock starts again
    advance_clock(runtime, float(runtime.config.console.idle_minutes) * 60 + 1)
    resp = client.get("/console/")
    assert resp.status_code == 302 and "/console/login" in resp.headers["Location"]
    assert "长时间未操作" in client.get("/console/login").get_data(as_text=True)
    assert client.get("/console/").status_code == 302


def test_new_password_voids_older_sessions(app, runtime):
    client = staff_client(app, runtime)
    advance_clock(runtime, 60)
    make_account(runtime, password="another long password")
    assert client.get("/console/").status_code == 302


def test_logout_ends_the_session(app, runtime):
    client = staff_client(app, runtime)
    assert post(client, "/console/logout").status_code == 302
    assert client.get("/console/").status_code == 302


def test_a_member_never_gets_a_password_or_a_session(app, runtime):
    add_member(runtime, "张三", "13912345678")
    with runtime.db.session() as session, pytest.raises(AccountError) as refused:
        set_password(session, "13912345678", PASSWORD, admin=True, now=runtime.now(), min_length=10)
    assert refused.value.code == "not_staff"
    assert log_in(app.test_client(), phone="13912345678").status_code == 401


def test_staff_demoted_to_member_is_logged_out(app, runtime):
    from sqlalchemy import update
    from storage.models import Member

    client = staff_client(app, runtime)
    with runtime.db.session() as session:
        session.execute(update(Member).where(Member.phone == "13800000001").values(role="member"))
    assert client.get("/console/").status_code == 302
    assert log_in(app.test_client()).status_code == 401


def test_next_never_leaves_the_console(app, runtime):
    make_account(runtime)
    client = app.test_client()
    token = csrf_token(client)
    resp = client.post("/console/login", data={"phone": "13800000001", "password": PASSWORD, "csrf_token": token,
                                               "next": "https://evil.example/console"})
    assert resp.headers["Location"] == "/console/"


def test_cli_passwd_reads_stdin_and_refuses_members(cli, runtime, monkeypatch):
    import io

    add_member(runtime, "王秘书", "13800000001", role="staff", sector="")
    add_member(runtime, "张三", "13912345678")
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, out, _ = cli("console", "passwd", "138-0000-0001", "--admin")
    assert code == 0 and "管理员" in out
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, _, err = cli("console", "passwd", "13912345678")
    assert code == 2 and "委员不能登录" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code, _, err = cli("console", "passwd", "13800000001")
    assert code == 2 and "至少" in err


def _console_urls(app):
    """Every console URL (with placeholder arguments) and its methods, except the login page."""
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("console.") or rule.endpoint == "console.login_page":
            continue
        values = {arg: 1 for arg in rule.arguments}  # "1" fits every converter (int, string, path)
        yield rule.build(values, append_unknown=False)[1], rule.methods - {"HEAD", "OPTIONS"}


def test_no_console_page_or_action_without_a_session(app, runtime):
    client = app.test_client()
    urls = list(_console_urls(app))
    assert len(urls) >= 8
    for url, methods in urls:
        for method in methods:  # a valid CSRF token each time: only the missing session refuses
            data = {"csrf_token": csrf_token(client)} if method != "GET" else None
            resp = client.open(url, method=method, data=data)
            if url == "/console/logout":
                continue  # logging out without a session is harmless
            assert resp.status_code == 302 and "/console/login" in resp.headers["Location"], (method, url)
    with runtime.db.session() as session:
        from storage.models import AuditEntry
        from sqlalchemy import select

        assert session.scalars(select(AuditEntry)).all() == []


def test_staff_cannot_reach_admin_pages(app, runtime):
    client = staff_client(app, runtime)
    admin_only = [url for url, _ in _console_urls(app) if url.startswith("/console/accounts")]
    assert admin_only
    for url in admin_only:
        assert client.get(url).status_code == 403
        assert post(client, url, {"phone": "13800000001", "password": "x" * 20, "is_admin": "1"}).status_code == 403
    with runtime.db.session() as session:
        from storage.console_accounts import staff_by_phone, account_of

        assert account_of(session, staff_by_phone(session, "13800000001").id).is_admin is False
