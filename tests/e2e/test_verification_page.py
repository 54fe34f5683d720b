"""The verification page in a real browser (headless Chromium driven by Selenium against `live_server`).

The QR code is read back from the certificate's PDF and opened as a phone would open it; the inline script
checks the signed token in the URL fragment (which never reaches the server) against the published keys.
Screenshots go to var/screenshots/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from credentials.management.commands.verify_certificate import qr_texts_from_pdf
from credentials.models import VerificationEvent
from credentials.pdf.documents import certificate_pdf
from credentials.services.lifecycle import certificate_revoke
from credentials.tokens import jws_token
from tests import factories
from tests.e2e.conftest import start_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture
def browser(tmp_path):
    # A phone in Kosovo.
    driver = start_chromium(tmp_path / "chromium-profile", window="412,915", accept_languages="sq,en")
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


PHONE = (390, 844)
DESKTOP = (1280, 900)


def _screenshot(driver, name: str, size: tuple[int, int] = (412, 915)) -> Path:
    """The whole page at this window width (the window grows to the page's height)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    width, height = size
    driver.set_window_size(width, height)
    full, chrome = driver.execute_script(
        "return [document.documentElement.scrollHeight, window.outerHeight - window.innerHeight]"
    )
    driver.set_window_size(width, max(height, full + chrome))
    driver.save_screenshot(str(path))
    return path


def _banner(driver) -> tuple[str, str, str]:
    banner = driver.find_element("id", "status-banner")
    return banner.get_attribute("data-state"), banner.text, banner.value_of_css_property("background-color")


RED = "rgba(179, 38, 30, 1)"


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


def test_a_token_that_does_not_match_turns_the_whole_banner_red(browser, live_server):
    certificate = factories.CertificateFactory()
    (url,) = qr_texts_from_pdf(certificate_pdf(certificate))
    other = factories.CertificateFactory()
    (other_url,) = qr_texts_from_pdf(certificate_pdf(other))
    browser.get(f"{url.split('#')[0]}?lang=en#{other_url.split('#')[1]}")  # another certificate's token
    _wait_for(browser, "return document.getElementById('status-banner').getAttribute('data-state')", "token_mismatch")
    state, text, colour = _banner(browser)
    assert "QR CODE DOES NOT MATCH" in text and "VALID" not in text.replace("QR CODE", "") and colour == RED
    assert "belongs to another certificate" in text
    assert browser.find_element("id", "status-banner").get_attribute("data-token") == "mismatch"
    assert _token_state(browser) == "mismatch"
    # An altered signature (claims intact): the same banner, the note says the code is damaged or forged.
    token = url.split("#")[1]  # compact (ADR 0017): the signature is its last 64 bytes
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    browser.get(f"{url.split('#')[0]}?lang=sr#{flipped}")
    _wait_for(browser, "return document.getElementById('status-banner').getAttribute('data-token')", "invalid")
    state, text, colour = _banner(browser)
    assert state == "token_mismatch" and "QR KOD SE NE POKLAPA" in text and "falsifikovan" in text and colour == RED
    assert "VAŽEĆI" not in text


def test_a_jws_token_printed_before_adr_0017_still_matches_and_an_altered_one_does_not(browser, live_server):
    certificate = factories.CertificateFactory()
    page = f"{live_server.url}/v/{certificate.verification_id}?lang=en"
    old = jws_token(certificate)
    browser.get(f"{page}#{old}")
    _wait_for(browser, "return document.getElementById('token-result').getAttribute('data-state')", "match")
    assert _banner(browser)[0] == "valid"
    header, payload, signature = old.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    browser.get(f"{live_server.url}/v/{certificate.verification_id}?lang=sr#{header}.{payload}.{flipped}")
    _wait_for(browser, "return document.getElementById('status-banner').getAttribute('data-token')", "invalid")


def test_screenshots_at_desktop_and_phone_widths(browser, live_server):
    """Valid, revoked, token mismatch, equivalency and the /v/ form (with its answers) at 1280 and 390 px, for
    review by eye (var/screenshots/); each page must fit its width (no horizontal scrolling)."""
    certificate = factories.CertificateFactory()
    (url,) = qr_texts_from_pdf(certificate_pdf(certificate))
    revoked = factories.CertificateFactory()
    certificate_revoke(actor=None, certificate=revoked, reason_code="fraud", reference="MESTI-1")
    other = factories.CertificateFactory()
    (other_url,) = qr_texts_from_pdf(certificate_pdf(other))
    equivalency = factories.EquivalencyFactory(equivalent_to__code="NQA-L5-SEN")
    foreign = factories.CertificateFactory(
        enrolment=factories.issuable_enrolment(
            curriculum=factories.CurriculumFactory(qualification=equivalency.qualification)
        ),
        equivalency=equivalency,
    )
    pages = {
        "valid": (url, "match"),
        "revoked": (f"{live_server.url}/v/{revoked.verification_id}", None),
        "token-mismatch": (f"{url.split('#')[0]}#{other_url.split('#')[1]}", "mismatch"),
        "equivalency": (f"{live_server.url}/v/{foreign.verification_id}?lang=en", None),
        "form": (f"{live_server.url}/v/", None),
    }
    for name, (address, token_state) in pages.items():
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            browser.set_window_size(*size)
            browser.get(address)
            if token_state:
                _wait_for(
                    browser, "return document.getElementById('token-result').getAttribute('data-state')", token_state
                )
            overflow = browser.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, (name, label, overflow)
            assert _screenshot(browser, f"verification-{name}-{label}.png", size).stat().st_size > 5000
    # The form's two answers, typed as a person would.
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        for dob, name in (("1995-04-13", "form-mismatch"), ("1995-04-12", "form-match")):
            browser.set_window_size(*size)
            browser.get(f"{live_server.url}/v/?lang=en")
            browser.find_element("id", "serial_number").send_keys(certificate.serial_number)
            browser.execute_script(f"document.getElementById('date_of_birth').value = '{dob}'")
            browser.find_element("css selector", "#by-serial button").click()
            _wait_for(browser, "return !!document.getElementById('status-banner')", True)
            _screenshot(browser, f"verification-{name}-{label}.png", size)


def test_the_form_takes_a_typed_id_and_a_serial_with_a_date_of_birth(browser, live_server):
    certificate = factories.CertificateFactory()
    browser.get(f"{live_server.url}/v/?lang=en")
    vid = certificate.verification_id
    browser.find_element("id", "id").send_keys(" ".join(vid[i : i + 4] for i in range(0, 26, 4)).lower())
    browser.find_element("css selector", "#by-id button").click()
    _wait_for(browser, "return location.pathname", f"/v/{vid}")
    assert _banner(browser)[0] == "valid" and "Ardita Krasniqi" in browser.page_source

    browser.get(f"{live_server.url}/v/?lang=en")
    browser.find_element("id", "serial_number").send_keys(certificate.serial_number)
    browser.execute_script("document.getElementById('date_of_birth').value = '1995-04-13'")
    browser.find_element("css selector", "#by-serial button").click()  # a real POST with the CSRF cookie
    _wait_for(
        browser,
        "var b = document.getElementById('status-banner'); return b ? b.getAttribute('data-state') : null",
        "date_of_birth_mismatch",
    )
    state, text, colour = _banner(browser)
    assert "DOES NOT MATCH" in text and colour == RED
    assert "Ardita" not in browser.page_source and vid not in browser.page_source


def test_an_unknown_id_says_not_found(browser, live_server):
    browser.get(f"{live_server.url}/v/0BV7Q3M9XKZ1P4R8T2W6Y5C0DE?lang=en")
    assert "NOT FOUND" in browser.find_element("id", "status-banner").text
    _screenshot(browser, "verification-not-found.png")
