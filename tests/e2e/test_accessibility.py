"""The public pages and the admin login in a real browser, checked by axe-core (tests/e2e/axe.py): no serious or
critical violation in Albanian, nor on a page in Serbian Cyrillic. Screenshots at desktop and phone width, in
Albanian and Serbian Cyrillic, go to var/screenshots/ (a person looks at them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from credentials.services.lifecycle import certificate_revoke
from tests import factories
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import start_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"
DESKTOP, PHONE = (1280, 900), (390, 844)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = start_chromium(tmp_path_factory.mktemp("a11y-browser") / "chromium-profile", window="1280,900")
    yield driver
    driver.quit()


@pytest.fixture(autouse=True)
def _fresh(settings, live_server, browser):
    """One browser per module: each test starts at desktop width, with no language cookie."""
    settings.PUBLIC_BASE_URL = live_server.url
    cache.clear()
    browser.get(f"{live_server.url}/")
    browser.delete_all_cookies()
    browser.set_window_size(*DESKTOP)
    yield
    cache.clear()


def _screenshot(driver, name: str, size: tuple[int, int]) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width, height = size
    driver.set_window_size(width, height)
    full, chrome = driver.execute_script(
        "return [document.documentElement.scrollHeight, window.outerHeight - window.innerHeight]"
    )
    driver.set_window_size(width, min(max(height, full + chrome), 6000))
    driver.save_screenshot(str(SCREENSHOTS / name))
    driver.set_window_size(*DESKTOP)


def _pages(certificate) -> dict[str, str]:
    return {
        "home": "/",
        "verify-form": "/v/",
        "verification-revoked": f"/v/{certificate.verification_id}",
        "impact": "/impact/",
        "admin-login": "/admin/login/",
    }


@pytest.fixture
def revoked():
    certificate = factories.CertificateFactory()
    certificate_revoke(actor=None, certificate=certificate, reason_code="issued_in_error", reference="R-1")
    return certificate


def test_the_public_pages_and_the_admin_login_have_no_serious_accessibility_violation_in_albanian(
    browser, live_server, revoked
):
    for name, path in _pages(revoked).items():
        browser.get(f"{live_server.url}{path}?lang=sq")
        assert browser.find_element("tag name", "html").get_attribute("lang") == "sq", name
        assert browser.find_elements("css selector", "nav.lang a[hreflang='sr-Cyrl']"), f"{name}: no language switch"
        assert_accessible(browser, f"{name} (sq)")
        _screenshot(browser, f"i18n-{name}-sq-desktop.png", DESKTOP)
        _screenshot(browser, f"i18n-{name}-sq-phone.png", PHONE)


def test_a_page_in_serbian_cyrillic_reads_in_cyrillic_and_passes_axe(browser, live_server, revoked):
    for name, path in _pages(revoked).items():
        browser.get(f"{live_server.url}{path}?lang=sr-Cyrl")
        assert browser.find_element("tag name", "html").get_attribute("lang") in ("sr-Cyrl", "sr"), name  # admin: "sr"
        _screenshot(browser, f"i18n-{name}-sr-Cyrl-desktop.png", DESKTOP)
        _screenshot(browser, f"i18n-{name}-sr-Cyrl-phone.png", PHONE)
    browser.get(f"{live_server.url}/v/{revoked.verification_id}?lang=sr-Cyrl")
    banner = browser.find_element("id", "status-banner")
    assert "ОПОЗВАН" in banner.text
    assert_accessible(browser, "verification page (sr-Cyrl)")
    # The choice sticks: the next page, asked without ?lang=, is Cyrillic too (the language cookie).
    browser.get(f"{live_server.url}/")
    assert browser.find_element("tag name", "html").get_attribute("lang") == "sr-Cyrl"
    assert "Регистар" in browser.find_element("tag name", "h1").text


def test_the_revocation_date_stays_on_one_line_on_a_phone(browser, live_server, revoked):
    for tag in ("sq", "sr-Latn", "sr-Cyrl", "en"):
        browser.set_window_size(320, 700)  # the narrowest phone
        browser.get(f"{live_server.url}/v/{revoked.verification_id}?lang={tag}")
        dates = browser.find_elements("css selector", "#status-banner .date")
        assert dates, tag
        lines = browser.execute_script("return arguments[0].getClientRects().length", dates[0])
        assert lines == 1, f"the revocation date wraps in {tag}"


PHONE_360 = (360, 780)
# Every visible text of the page with the size it is drawn at (its element's computed font size).
TEXT_SIZES = """
const out = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const el = node.parentElement;
  if (!el || !node.nodeValue.trim() || el.closest('script, style') || !el.checkVisibility()) continue;
  const rect = el.getBoundingClientRect();
  if (rect.width <= 1 && rect.height <= 1) continue;  // visually hidden, for screen readers
  out.push({text: node.nodeValue.trim().slice(0, 40), px: parseFloat(getComputedStyle(el).fontSize)});
}
return out;
"""


@pytest.mark.parametrize("lang", ["sq", "sr-Cyrl"])
def test_the_verification_pages_are_readable_at_360_px(browser, live_server, revoked, lang):
    """/v/ and a revoked certificate's /v/{id} on a 360 px phone: no text under 12 px, nothing scrolls sideways,
    the revocation date on one line; screenshots to var/screenshots/ to look at."""
    for name, path in (("verify-form", "/v/"), ("verification-revoked", f"/v/{revoked.verification_id}")):
        browser.set_window_size(*PHONE_360)
        browser.get(f"{live_server.url}{path}?lang={lang}")
        assert browser.execute_script("return window.innerWidth") <= PHONE_360[0]
        small = [f"{t['text']!r}: {t['px']} px" for t in browser.execute_script(TEXT_SIZES) if t["px"] < 12]
        assert not small, f"{name} ({lang}): text under 12 px on a phone:\n" + "\n".join(small)
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"), name
        if name == "verification-revoked":
            date = browser.find_element("css selector", "#status-banner .date")
            assert browser.execute_script("return arguments[0].getClientRects().length", date) == 1, lang
        _screenshot(browser, f"{name}-{lang}-phone-360.png", PHONE_360)
