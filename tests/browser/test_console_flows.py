"""The staff console in headless Chromium, on the embedded back end: the issue's "done when" flows.

A staff member logs in; reviews the day's reports through 退回 and 采用 (the member's WeChat notices are in
the outbox); runs an activity from publishing through its QR code and 签到 code to attendance; uploads a roster
with one bad row; hands the year's records over (the xlsx opens with openpyxl). Screenshots of the main pages
go to docs/console/ (the README links them).
"""
from __future__ import annotations

import io
import time
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from storage import activities
from storage.models import Member, OutboxMessage
from storage.reports import create_report
from tests.browser.harness import PHONE, browser, live, page, shot  # noqa: F401 (fixtures)
from tests.console_helpers import PASSWORD, make_account

STAFF_PHONE = "13800000009"
PAGE_LOAD_SECONDS = 30  # generous: a loaded CI machine can be slow, and a wait ends as soon as the page is there


@pytest.fixture(scope="module")
def office(live):
    """An admin account, two bound members and their reports of today."""
    rt = live.rt
    make_account(rt, STAFF_PHONE, admin=True, name="李主任")
    with rt.db.session() as session:
        for name, phone, openid in (("张三", "13900000101", "o_zhang3"), ("李四", "13900000102", "o_li4")):
            session.add(Member(name=name, phone=phone, role="member", sector="经济界", district="东胜区",
                               openid=openid, bound_at=rt.now()))
    with rt.db.session() as session:
        zhang = session.scalar(select(Member).where(Member.phone == "13900000101"))
        receipts = [create_report(session, zhang, text=text, title=title, category="城乡建设", district="东胜区",
                                  now=rt.now(), prefix="SQ").receipt_no
                    for title, text in (("老旧小区加装电梯", "东胜区建设路的老旧小区没有电梯，老人上下楼很困难，建议加装电梯并给予补贴。"),
                                        ("路灯不亮", "康巴什区青春山路的路灯晚上经常不亮，行人不安全，建议尽快检修并定期巡查。"))]
    return {"receipts": receipts}


def log_in(page, live):
    page.get(live.at("/console/login"))
    page.find_element(By.NAME, "phone").send_keys(STAFF_PHONE)
    page.find_element(By.NAME, "password").send_keys(PASSWORD)
    navigate(page, page.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    assert "/console/login" not in page.current_url


def body(page) -> str:
    return page.find_element(By.TAG_NAME, "body").text


def navigate(page, element) -> None:
    """Click something that loads a new page, and wait until the new page has loaded completely (looking up
    elements while the old document is being replaced makes chromedriver fail with 'Node … does not belong to
    the document')."""
    old = page.find_element(By.TAG_NAME, "html")
    element.click()
    wait = WebDriverWait(page, PAGE_LOAD_SECONDS)
    wait.until(lambda driver: _gone(old))
    wait.until(lambda driver: driver.execute_script("return document.readyState") == "complete")


def _gone(element) -> bool:
    """The element's document was replaced. Chromedriver says so as a stale reference or, when the document is
    being swapped, as an inspector error ('Node … does not belong to the document'); both mean gone."""
    try:
        element.is_enabled()
    except WebDriverException:  # StaleElementReferenceException is one
        return True
    return False


def submit(page, css: str) -> None:
    navigate(page, page.find_element(By.CSS_SELECTOR, css))


def outbox_texts(live, openid: str) -> list[str]:
    with live.rt.db.session() as session:
        return list(session.scalars(select(OutboxMessage.text).where(OutboxMessage.openid == openid)
                                    .order_by(OutboxMessage.id)))


def test_login_and_dashboard(page, live, office, shot):
    page.get(live.at("/console/"))
    assert "/console/login" in page.current_url  # no page without a session
    shot("login")
    log_in(page, live)
    assert "工作台" in body(page)
    shot("dashboard")
    shot("dashboard-phone", width=PHONE)


def test_review_the_days_reports(page, live, office, shot):
    returned, adopted = office["receipts"]
    log_in(page, live)
    page.get(live.at("/console/reports"))
    assert returned in body(page) and adopted in body(page)
    shot("reports")
    page.get(live.at(f"/console/reports/{returned}"))
    form = page.find_element(By.CSS_SELECTOR, "form.review-return")
    form.find_element(By.NAME, "note").send_keys("请补充具体小区名称")
    navigate(page, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "已退回" in body(page)
    page.get(live.at(f"/console/reports/{adopted}"))
    shot("report")
    submit(page, "form.review-adopt button[type=submit]")
    assert "已采用" in body(page)
    shot("report-adopted-phone", width=PHONE)
    texts = outbox_texts(live, "o_zhang3")  # the member's WeChat notices, queued for the worker
    assert any(returned in t and "请补充具体小区名称" in t for t in texts), texts
    assert any(adopted in t and "采用" in t for t in texts), texts


def test_run_an_activity_to_attendance(page, live, office, shot):
    log_in(page, live)
    start = live.rt.now() + timedelta(days=7)
    page.get(live.at("/console/activities/new"))
    page.find_element(By.NAME, "title").send_keys("委员读书分享会")
    page.find_element(By.NAME, "place").send_keys("市政协三楼会议室")
    page.find_element(By.NAME, "capacity").clear()
    page.find_element(By.NAME, "capacity").send_keys("30")
    for name, value in (("start_at", start), ("deadline", start - timedelta(days=1))):
        page.execute_script("arguments[0].value = arguments[1]", page.find_element(By.NAME, name),
                            value.strftime("%Y-%m-%dT%H:%M"))
    shot("activity-new")
    submit(page, "#save")
    assert "已发布" in body(page)
    code = page.current_url.rstrip("/").rsplit("/", 1)[1]
    navigate(page, page.find_element(By.LINK_TEXT, "签到二维码"))
    qr = page.find_element(By.CSS_SELECTOR, "#qr svg")
    assert qr.size["width"] > 100
    shot("activity-qr")
    with live.rt.db.session() as session:  # members sign up by WeChat; then the day comes
        activity = activities.by_code(session, code)
        for phone in ("13900000101", "13900000102"):
            member = session.scalar(select(Member).where(Member.phone == phone))
            activities.sign_up(session, activity, member, live.rt.now())
        activity.start_at = live.rt.now() - timedelta(minutes=5)  # it has begun: 签到 is open
    page.get(live.at(f"/console/activities/{code}/checkin"))
    projected = page.find_element(By.ID, "checkin-code").text
    assert len(projected) == 4 and projected.isdigit()
    shot("activity-checkin")
    page.get(live.at(f"/console/activities/{code}"))
    assert "已报名 2" in body(page)
    navigate(page, page.find_element(By.CSS_SELECTOR, "button[name=mark][value='13900000101']"))
    assert "已签到 1" in body(page) and "已报名 1" in body(page)
    shot("activity")
    shot("activity-phone", width=PHONE)


def test_upload_a_roster_with_one_bad_row(page, live, office, shot, tmp_path):
    log_in(page, live)
    roster = tmp_path / "名册.csv"
    roster.write_text("姓名,手机号,界别,旗区,角色\n王五,13900000103,科技界,准旗,委员\n"
                      "赵六,13900000104,教育界,达旗,委员\n错行,12345,经济界,东胜区,委员\n", encoding="utf-8")
    page.get(live.at("/console/roster/upload"))
    page.find_element(By.NAME, "file").send_keys(str(roster))
    submit(page, "#preview")
    assert "新增 2 人，更新 0 人，未变 0 人，有误 1 行" in body(page) and "手机号格式不对" in body(page)
    shot("roster-upload")
    page.find_element(By.CSS_SELECTOR, "#skip-bad").click()  # a checkbox: no new page
    submit(page, "#import")
    assert "导入完成：新增 2，更新 0，未变 0，跳过 1" in body(page)
    with live.rt.db.session() as session:
        assert session.scalar(select(Member.district).where(Member.phone == "13900000103")) == "准格尔旗"
    shot("roster")


def test_hand_the_years_records_over(page, live, office, shot):
    log_in(page, live)
    page.get(live.at("/console/records"))
    assert "张三" in body(page) and "未达年度要求" in body(page)
    shot("records")
    page.find_element(By.ID, "export-xlsx").click()
    year = live.rt.now().year
    workbook = load_workbook(io.BytesIO(_downloaded(page.download_dir / f"records-{year}.xlsx")))
    names = [row[0].value for row in workbook.active.iter_rows(min_row=2)]
    assert "张三" in names and "李四" in names
    navigate(page, page.find_element(By.LINK_TEXT, "张三"))
    assert f"张三 · {year}年履职" in body(page)
    shot("records-member")


def _downloaded(path: Path, wait: float = PAGE_LOAD_SECONDS) -> bytes:
    """The downloaded file's bytes once Chromium has finished writing it."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if path.is_file() and path.stat().st_size and not path.with_name(path.name + ".crdownload").exists():
            return path.read_bytes()
        time.sleep(0.1)
    raise AssertionError(f"{path.name} was not downloaded")
