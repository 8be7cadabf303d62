"""The harness itself: the served app answers and the browser renders a Chinese page with CJK fonts."""
from __future__ import annotations

from datetime import date

from bot.signed_links import digest_path
from tests.browser.harness import browser, live, page  # noqa: F401 (fixtures)


def test_browser_renders_a_chinese_page(page, live):
    day = live.rt.now().date()
    page.get(live.at(digest_path(live.rt, day)))
    assert "日报" in page.title or "日报" in page.find_element("tag name", "body").text
    # a CJK glyph is as wide as its font size: tofu boxes or a missing font would not be
    width = page.execute_script(
        "const s = document.createElement('span'); s.style.fontSize = '20px'; s.textContent = '政协委员';"
        "document.body.appendChild(s); const w = s.getBoundingClientRect().width; s.remove(); return w;")
    assert 76 <= width <= 84
