"""The Content-Security-Policy of each kind of HTML page, in a real browser (headless Chromium against
`live_server`): the page still renders (Swagger UI, ReDoc with its search, the admin, the browsable API, the
impact page) and the browser reports no violation, except a blocked asset of another host, which is the policy's
purpose (ReDoc's footer links Redocly's logo from their CDN). Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from registry.models import User
from tests.e2e.conftest import start_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"
PASSWORD = "csp-walk-password-5521"  # noqa: S105 - a throwaway test user's


@pytest.fixture
def browser(tmp_path):
    driver = start_chromium(tmp_path / "chromium-profile", window="1280,1000", console_log=True)
    yield driver
    driver.quit()


def _violations(driver, own_origin: str) -> list[str]:
    """Content-Security-Policy reports in the console, but for assets of another host (blocked on purpose)."""
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if "Content Security Policy" in entry["message"]
        and not ("'https://" in entry["message"] and own_origin not in entry["message"].split("'https://")[1])
    ]


def _wait_for(driver, css: str, *, at_least: int = 1, seconds: float = 20) -> list:
    deadline = time.monotonic() + seconds
    while True:
        found = driver.find_elements("css selector", css)
        if len(found) >= at_least or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def _screenshot(driver, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / name))


def test_the_api_docs_render_under_their_policies(browser, live_server):
    browser.get(f"{live_server.url}/api/docs/")
    operations = _wait_for(browser, ".opblock", at_least=20)
    assert len(operations) >= 20, "Swagger UI did not draw the operations"
    operations[0].find_element("css selector", ".opblock-summary").click()
    assert _wait_for(browser, ".try-out__btn"), "an operation did not open"
    _screenshot(browser, "docs-swagger.png")
    assert _violations(browser, live_server.url) == []

    browser.get(f"{live_server.url}/api/redoc/")
    assert len(_wait_for(browser, "li[data-item-id]", at_least=10)) >= 10, "ReDoc did not draw its menu"
    browser.find_element("css selector", "input[placeholder='Search...']").send_keys("certificate")
    assert _wait_for(browser, "[data-role='search:results'] li"), "ReDoc's search (a blob: worker) found nothing"
    _screenshot(browser, "docs-redoc.png")
    assert _violations(browser, live_server.url) == []


def test_the_admin_and_the_browsable_api_work_under_their_policies(browser, live_server):
    User.objects.create_superuser("csp-walk", "csp-walk@example.invalid", PASSWORD)
    browser.get(f"{live_server.url}/admin/login/")
    browser.find_element("name", "username").send_keys("csp-walk")
    browser.find_element("name", "password").send_keys(PASSWORD)
    browser.find_element("css selector", "input[type=submit]").click()
    assert _wait_for(browser, "#content-main"), "the admin did not log in"
    browser.get(f"{live_server.url}/admin/registry/user/add/")
    assert _wait_for(browser, "form#user_form")
    _screenshot(browser, "admin-user-add.png")
    assert _violations(browser, live_server.url) == []

    browser.get(f"{live_server.url}/api/v1/qualifications/")
    assert _wait_for(browser, ".response-info"), "the browsable API did not render"
    # The "Log out" link's inline handler runs by its hash: it signs out.
    browser.find_element("css selector", ".dropdown-toggle").click()
    browser.find_element("link text", "Log out").click()
    _wait_for(browser, "body")
    browser.get(f"{live_server.url}/admin/")
    assert "/admin/login/" in browser.current_url, "the browsable API's Log out did nothing"
    assert _violations(browser, live_server.url) == []


def test_the_public_pages_render_under_the_default_policy(browser, live_server):
    browser.get(f"{live_server.url}/impact/")
    header = browser.find_element("tag name", "header")
    # The page's own <style> (by nonce) applied: the header is painted in the brand colour, not left white.
    assert header.value_of_css_property("background-color") == "rgba(15, 61, 115, 1)"
    _screenshot(browser, "impact-csp.png")
    browser.get(f"{live_server.url}/no-such-page/")
    assert "Not Found" in browser.page_source
    assert _violations(browser, live_server.url) == []
