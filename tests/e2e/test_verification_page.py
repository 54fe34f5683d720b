"""The verification page in a real browser (headless Chromium driven by Selenium against `live_server`).

The QR code is read back from the certificate's PDF and opened as a phone would open it; the inline script
checks the signed token in the URL fragment (which never reaches the server) against the published keys.
Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from credentials.management.commands.verify_certificate import qr_texts_from_pdf
from credentials.models import VerificationEvent
from credentials.pdf.documents import certificate_pdf
from credentials.services.lifecycle import certificate_revoke
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture
def browser(tmp_path):
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("needs Debian's chromium and chromium-driver (.ci/install-browser installs them)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (the dev extra)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    options.add_experimental_option("prefs", {"intl.accept_languages": "sq,en"})  # a phone in Kosovo
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=412,915",  # a phone
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(autouse=True)
def _public_base_url(settings, live_server):
    settings.PUBLIC_BASE_URL = live_server.url
    cache.clear()
    yield
    cache.clear()


def _wait_for(driver, script: str, expected):
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 15).until(lambda d: d.execute_script(script) == expected)


def _token_state(driver) -> str:
    return driver.execute_script("return document.getElementById('token-result').getAttribute('data-state')")


def _screenshot(driver, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(412, max(915, height))
    driver.save_screenshot(str(path))
    return path


def test_the_qr_code_on_the_pdf_opens_a_valid_page_whose_token_matches(browser, live_server):
    certificate = factories.CertificateFactory()
    (url,) = qr_texts_from_pdf(certificate_pdf(certificate))
    assert url.startswith(f"{live_server.url}/v/{certificate.verification_id}#")
    browser.get(url)
    _wait_for(browser, "return document.getElementById('token-result').getAttribute('data-state')", "match")
    banner = browser.find_element("id", "status-banner")
    assert banner.get_attribute("data-state") == "valid"
    assert "E VLEFSHME" in banner.text
    assert "Ardita Krasniqi" in browser.find_element("id", "holder-name").text
    assert certificate.serial_number in browser.page_source
    # The fragment (the token) never reached the server: only the page was logged.
    event = VerificationEvent.objects.get()
    assert (event.channel, event.outcome) == ("page", "valid")
    assert _screenshot(browser, "verification-valid.png").stat().st_size > 5000


def test_a_revoked_certificate_shows_revoked_in_english(browser, live_server):
    certificate = factories.CertificateFactory()
    certificate_revoke(actor=None, certificate=certificate, reason_code="annulment_decision", reference="MESTI-1")
    browser.get(f"{live_server.url}/v/{certificate.verification_id}?lang=en")
    banner = browser.find_element("id", "status-banner")
    assert banner.get_attribute("data-state") == "revoked"
    assert "REVOKED" in banner.text
    assert banner.value_of_css_property("background-color") == "rgba(179, 38, 30, 1)"
    assert _screenshot(browser, "verification-revoked.png").stat().st_size > 5000


def test_an_altered_token_in_the_fragment_is_flagged(browser, live_server):
    certificate = factories.CertificateFactory()
    (url,) = qr_texts_from_pdf(certificate_pdf(certificate))
    other = factories.CertificateFactory()
    (other_url,) = qr_texts_from_pdf(certificate_pdf(other))
    browser.get(f"{url.split('#')[0]}#{other_url.split('#')[1]}")  # another certificate's token
    _wait_for(browser, "return document.getElementById('token-result').getAttribute('data-state')", "mismatch")
    header, payload, signature = url.split("#")[1].split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    browser.get(f"{url.split('#')[0]}?lang=sr#{header}.{payload}.{flipped}")
    _wait_for(browser, "return document.getElementById('token-result').getAttribute('data-state')", "invalid")
    assert "PAŽNJA" in browser.find_element("id", "token-result").text


def test_an_unknown_id_says_not_found(browser, live_server):
    browser.get(f"{live_server.url}/v/0BV7Q3M9XKZ1P4R8T2W6Y5C0DE?lang=en")
    assert "NOT FOUND" in browser.find_element("id", "status-banner").text
    _screenshot(browser, "verification-not-found.png")
