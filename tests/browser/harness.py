"""Browser test harness: the real app served on a loopback port, driven by headless Chromium.

Test modules import the fixtures they use (`from tests.browser.harness import browser, live, page, shot`): a
conftest.py here would be imported under the same module name as tests/conftest.py, which tests import from.

The app runs on the embedded back end (a SQLite file + the in-process store, a temporary media folder) in a
thread of this process, so tests can seed data through `live.rt` and read what the app wrote. The browser is
Debian's `chromium` with its `chromium-driver` (`.ci/run` installs both with fonts-noto-cjk); Selenium is given
both paths, so Selenium Manager never runs and nothing is downloaded.

`shot(name)` saves a PNG of the whole current page into docs/console/<name>.png (stable names, 1280 px wide;
`shot(name, width=390)` for the phone width); the README links them.
"""
from __future__ import annotations

import os
import tempfile
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from bot.runtime import Runtime
from storage.db import Database
from storage.kv import MemoryStore
from tests.conftest import REQUIRE_SERVICES, make_config

os.environ.setdefault("SE_OFFLINE", "true")  # belt and braces: Selenium Manager must never reach the network

CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")
# The screenshots in docs/console/ are refreshed only on request (UPDATE_SCREENSHOTS=1 make test), so a test
# run never dirties the work tree; otherwise they are taken into a temporary folder all the same.
DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "console"
SHOTS = DOCS_SHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else Path(tempfile.gettempdir()) / "console-shots"
DESKTOP, PHONE = 1280, 390
MAX_SHOT_HEIGHT = 6000  # a page longer than this is cut in its screenshot


@dataclass
class Live:
    """The served app: its base URL and the runtime it runs on."""
    url: str
    rt: Runtime
    app: object

    def at(self, path: str) -> str:
        return self.url + path


def _missing(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"browser tests need {reason} (.ci/run installs it with apt)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live(tmp_path_factory) -> Live:
    """The real app (webhook.create_app) on a free loopback port, for the whole browser session."""
    from webhook import create_app

    folder = tmp_path_factory.mktemp("live")
    config = make_config(**{"media.dir": str(folder / "media"), "spool.dir": str(folder / "spool")})
    db = Database(f"sqlite:///{folder / 'console.db'}")
    db.migrate()
    rt = Runtime(config=config, db=db, kv=MemoryStore())
    app = create_app(rt)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-app", daemon=True)
    thread.start()
    yield Live(url=f"http://127.0.0.1:{server.server_port}", rt=rt, app=app)
    server.shutdown()
    thread.join(timeout=5)
    db.engine.dispose()


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """One headless Chromium for the session; downloads go to `browser.download_dir`."""
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        _missing(f"{CHROMIUM} and {CHROMEDRIVER} (Debian packages chromium, chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--hide-scrollbars", "--lang=zh-CN", "--force-device-scale-factor=1",
                f"--window-size={DESKTOP},900"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads), "download.prompt_for_download": False,
        "intl.accept_languages": "zh-CN,zh",
    })
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.implicitly_wait(0)
    driver.download_dir = downloads
    yield driver
    driver.quit()


@pytest.fixture
def page(browser, live):
    """The browser at desktop width with no session cookie (each test logs in itself)."""
    browser.set_window_size(DESKTOP, 900)
    browser.get(live.at("/console/login"))  # the session cookie's path is /console
    browser.delete_all_cookies()
    return browser


@pytest.fixture(scope="session")
def shot(browser):
    """shot(name, width=1280): a PNG of the whole current page into SHOTS/<name>.png (docs/console/ on request)."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str, width: int = DESKTOP) -> Path:
        browser.set_window_size(width, 900)
        height = browser.execute_script(
            "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
        browser.set_window_size(width, min(max(int(height), 600), MAX_SHOT_HEIGHT))
        browser.execute_script("window.scrollTo(0, 0)")
        path = SHOTS / f"{name}.png"
        browser.save_screenshot(str(path))
        browser.set_window_size(DESKTOP, 900)
        return path

    return take
