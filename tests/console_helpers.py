"""Console test helpers: a logged-in test client for a staff (or admin) account, and CSRF-carrying posts."""
from __future__ import annotations

import re

from conftest import add_member
from storage.console_accounts import set_password

PASSWORD = "correct horse battery"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_account(rt, phone: str = "13800000001", *, admin: bool = False, name: str = "王秘书",
                 password: str = PASSWORD):
    """A staff roster entry (created if missing) with a console password."""
    from storage.models import Member
    from sqlalchemy import select

    with rt.db.session() as session:
        if session.scalar(select(Member).where(Member.phone == phone)) is None:
            add_member(rt, name, phone, role="staff", sector="")
    with rt.db.session() as session:
        set_password(session, phone, password, admin=admin, now=rt.now(), min_length=10)


def csrf_token(client, url: str = "/console/login") -> str:
    """The session's CSRF token, read from a page's form."""
    match = _TOKEN.search(client.get(url).get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def log_in(client, phone: str = "13800000001", password: str = PASSWORD):
    return client.post("/console/login", data={"phone": phone, "password": password,
                                               "csrf_token": csrf_token(client)})


def staff_client(app, rt, *, admin: bool = False, phone: str = "13800000001"):
    """A test client logged in as a staff (or admin) account."""
    make_account(rt, phone, admin=admin, name="管理员" if admin else "王秘书")
    client = app.test_client()
    resp = log_in(client, phone)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return client


def post(client, url: str, data: dict | None = None, **kwargs):
    """POST with the session's CSRF token (taken from the console's home page form)."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client, "/console/")}, **kwargs)
