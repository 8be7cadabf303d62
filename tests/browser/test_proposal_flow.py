"""提案 in headless Chromium (embedded back end): a staff member reviews a member's proposal, 立案, 交办 to a
主办 unit, records the unit's 办复 with the reply letter, and sees each step on the proposal's page; the author's
notices are in the outbox. Screenshots: docs/console/proposals.png, proposal.png, proposal-phone.png."""
from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from storage.models import Member, OutboxMessage
from tests.browser.harness import PHONE, browser, live, page, shot  # noqa: F401 (fixtures)
from tests.browser.test_console_flows import body, navigate, submit
from tests.console_helpers import PASSWORD, make_account
from tests.proposal_helpers import file_proposal

STAFF_PHONE = "13800000019"
UNIT = "市住房和城乡建设局"


def test_review_register_assign_and_reply(page, live, shot, tmp_path):
    rt = live.rt
    make_account(rt, STAFF_PHONE, name="赵秘书")
    with rt.db.session() as session:
        author = Member(name="王建国", phone="13900000201", role="member", sector="经济界", district="东胜区",
                        openid="o_wangjg", bound_at=rt.now())
        session.add(author)
        session.flush()
        receipt = file_proposal(session, author, now=rt.now()).receipt_no

    page.get(live.at("/console/login"))
    page.find_element(By.NAME, "phone").send_keys(STAFF_PHONE)
    page.find_element(By.NAME, "password").send_keys(PASSWORD)
    submit(page, "form button[type=submit]")
    page.get(live.at("/console/proposals"))
    assert receipt in body(page) and "待审查" in body(page)
    shot("proposals")
    navigate(page, page.find_element(By.LINK_TEXT, receipt))

    submit(page, "form.review-register button[type=submit]")            # 立案
    assert "已立案" in page.find_element(By.ID, "proposal-state").text

    form = page.find_element(By.CSS_SELECTOR, "form.review-assign")     # 交办
    Select(form.find_elements(By.NAME, "unit")[0]).select_by_visible_text(UNIT)
    navigate(page, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "办理中" in page.find_element(By.ID, "proposal-state").text
    assert UNIT in page.find_element(By.ID, "assignments").text

    letter = tmp_path / "答复函.pdf"
    letter.write_bytes(b"%PDF-1.4 reply")
    form = page.find_element(By.CSS_SELECTOR, "form.review-reply")      # 办复
    form.find_element(By.NAME, "text").send_keys("已将加装电梯纳入明年城市更新计划，并与提案者面谈。")
    Select(form.find_element(By.NAME, "outcome")).select_by_value("A")
    form.find_element(By.NAME, "file").send_keys(str(letter))
    navigate(page, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "已办复" in page.find_element(By.ID, "proposal-state").text
    replies = page.find_element(By.ID, "replies").text
    assert "已将加装电梯纳入明年城市更新计划" in replies and "A 已解决或采纳" in replies and "下载答复函" in replies
    shot("proposal")
    shot("proposal-phone", width=PHONE)

    with rt.db.session() as session:
        texts = list(session.scalars(select(OutboxMessage.text).where(OutboxMessage.openid == "o_wangjg")))
    assert sum(receipt in text for text in texts) == 3, texts  # 立案, 交办, 办复 (with the verdict question)
