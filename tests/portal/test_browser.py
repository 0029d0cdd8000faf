"""The portal in a real browser: Debian's chromium, driven by Selenium, over file:// and http.

Each test reads the built demo portal as a person would: types a search, follows the
banner of a superseded revision, clicks from the home page, reads on a phone, prints.
After each one, the browser's own logs prove that no request left the machine and that
the console showed no error. Skipped only where chromium or chromedriver is not installed;
Selenium is pointed at /usr/bin/chromedriver, so it never downloads a browser or driver.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from qmsdocs import Repository
from qmsdocs.i18n import translate
from qmsdocs.portal import build_portal

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
AS_OF = dt.date(2026, 12, 4)

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file()),
    reason="no chromium and chromedriver installed (apt-get install chromium chromium-driver)",
)

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
]


@pytest.fixture(scope="module")
def site(demo_master: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("portal") / "site"
    build_portal(Repository.open(demo_master), out, as_of=AS_OF)
    return out


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(params=["file", "http"])
def base(request: pytest.FixtureRequest, site: Path, browser: Any) -> Iterator[str]:
    """The site's address over file:// or a local server; the browser's logs checked after."""
    url = site.as_uri() + "/" if request.param == "file" else request.getfixturevalue("server")
    browser.get_log("browser")  # forget what earlier tests left
    browser.get_log("performance")
    yield url
    left = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] != "Network.requestWillBeSent":
            continue
        target = urlsplit(message["params"]["request"]["url"])
        if target.scheme in ("file", "data", "about", "chrome", "blob"):
            continue
        if target.scheme == "http" and target.hostname == "127.0.0.1":
            continue
        left.append(target.geturl())
    assert left == [], "requests that left the machine"
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], "console errors"


def by_css(browser: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(browser.find_elements(By.CSS_SELECTOR, selector))


def shown(browser: Any, selector: str) -> list[Any]:
    """Return the elements of *selector* once the page shows any (at most 10 s)."""
    from selenium.webdriver.support.ui import WebDriverWait

    return list(WebDriverWait(browser, 10).until(lambda b: by_css(b, selector)))


def test_search_folds_diacritics_and_d(browser: Any, base: str) -> None:
    browser.get(base + "search.html")
    box = by_css(browser, "#q")[0]
    box.send_keys("dang ky khai sinh")
    results = [e.text for e in shown(browser, "#results li a")]
    assert any("Quy trình đăng ký khai sinh" in text for text in results), results
    assert all("khai sinh" in text.lower() for text in results), results
    # the query from the home page's form arrives in the address
    browser.get(base + "index.html")
    home_box = by_css(browser, "form.search input")[0]
    home_box.send_keys("DANG KY KHAI SINH")
    home_box.submit()
    titles = [e.text for e in shown(browser, "#results li a")]
    assert any("Quy trình đăng ký khai sinh" in text for text in titles), titles
    # a link of the results opens the document
    by_css(browser, "#results li a")[0].click()
    assert "/doc/" in browser.current_url


def test_a_superseded_revision_shows_its_banner_and_the_one_in_force(
    browser: Any, base: str
) -> None:
    browser.get(base + "doc/QT-TP-01/r1.html")
    banner = by_css(browser, "#banner")
    assert banner and banner[0].is_displayed()
    assert translate("vi", "Superseded", "document") in banner[0].text
    by_css(browser, "#in-force")[0].click()
    assert browser.current_url.endswith("doc/QT-TP-01/r3.html")
    assert by_css(browser, "#banner") == []
    facts = by_css(browser, "table.docheader .facts")[0].text
    assert "03" in facts


def test_every_document_in_force_is_two_clicks_from_home(
    browser: Any, base: str, demo_master: Path
) -> None:
    in_force = {
        s.code for s in Repository.open(demo_master).summaries(on=AS_OF) if s.status == "effective"
    }
    assert len(in_force) > 30

    def links() -> set[str]:
        return {
            a.get_attribute("href").split("#")[0]
            for a in by_css(browser, "a[href]")
            if a.get_attribute("href").startswith(base)
        }

    browser.get(base + "index.html")
    first = links()
    reached = set(first)
    for page in sorted(p for p in first if p.endswith(".html") and "/doc/" not in p):
        browser.get(page)
        reached |= links()
    for code in sorted(in_force):
        assert f"{base}doc/{code}/index.html" in reached, code


def test_a_phone_reads_without_scrolling_sideways(browser: Any, base: str) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True},
    )
    try:
        for page in (
            "index.html",
            "internal.html",
            "external.html",
            "search.html",
            "doc/QT-TP-01/index.html",
            "doc/QT-TP-01/history.html",
            "doc/MTCL-2025/index.html",
        ):
            browser.get(base + page)
            width = browser.execute_script("return document.documentElement.scrollWidth")
            inner = browser.execute_script("return window.innerWidth")
            assert inner == 390 and width <= inner, (page, width)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_print_shows_the_uncontrolled_mark(browser: Any, base: str) -> None:
    browser.get(base + "doc/QT-TP-01/index.html")
    mark = by_css(browser, "#uncontrolled")[0]
    assert not mark.is_displayed()
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert mark.is_displayed()
        assert translate("vi", "UNCONTROLLED COPY", "document") in mark.text
        assert AS_OF.strftime("%d/%m/%Y") in mark.text
        assert not by_css(browser, "header.site nav")[0].is_displayed()
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_pages_read_without_javascript_and_the_dashboard_sorts(
    browser: Any, base: str, site: Path
) -> None:
    browser.get(base + "doc/QT-TP-01/history.html")
    assert by_css(browser, "svg.timeline rect")
    assert by_css(browser, "section.redline table")
    browser.get(base + "external.html")
    assert len(by_css(browser, "table.legal tbody tr")) > 10
