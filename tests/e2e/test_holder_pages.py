"""The holder's private page in a real browser: it passes axe (no serious or critical violation), a share link made
with its own form opens the certificate's facts, withdrawing it closes them. Screenshots at desktop and phone width go
to var/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from credentials import services as svc
from credentials.holders.services import holder_access_current, holder_url
from tests import factories
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import start_chromium
from tests.e2e.waits import replaced

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture
def browser(tmp_path):
    driver = start_chromium(tmp_path / "chromium-profile", window="1280,900")
    yield driver
    driver.quit()


@pytest.fixture(autouse=True)
def _fresh(settings, live_server):
    settings.PUBLIC_BASE_URL = live_server.url
    cache.clear()
    yield
    cache.clear()


def _screenshot(driver, name: str, width: int) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.set_window_size(width, 900)
    full = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(full + 120, 5000))
    driver.save_screenshot(str(SCREENSHOTS / name))
    driver.set_window_size(1280, 900)


def test_the_private_page_its_share_link_and_axe(browser, live_server):
    provider = factories.OrganisationFactory()
    user = factories.UserFactory(organisation=provider)
    enrolment = factories.issuable_enrolment(provider=provider)
    certificate, _created = svc.certificate_issue(actor=user, enrolment=enrolment)
    url = holder_url(holder_access_current(actor=None, learner=certificate.learner), lang="sq")

    browser.get(url)
    assert browser.find_element("css selector", f"[data-certificate='{certificate.serial_number}']")
    assert_accessible(browser, "holder page (sq)")
    _screenshot(browser, "holder-page-sq-desktop.png", 1280)
    _screenshot(browser, "holder-page-sq-phone.png", 390)

    days = browser.find_element("css selector", f"#days-{certificate.pk}")
    days.clear()
    days.send_keys("7")
    days.find_element("xpath", "following-sibling::button").click()
    # The form posts and the page comes back with the new link: wait for it (the click does not wait for the load).
    share_url = (
        WebDriverWait(browser, 30)
        .until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "input.share")))
        .get_attribute("value")
    )
    assert "/s/" in share_url

    browser.get(share_url)
    assert browser.find_element("id", "status-banner").get_attribute("data-state") == "valid"
    assert browser.find_element("id", "serial-number").text == certificate.serial_number
    assert_accessible(browser, "share page")
    _screenshot(browser, "share-page-sq-phone.png", 390)

    browser.get(url)
    withdraw = browser.find_element("css selector", "ul.shares form button")
    withdraw.click()
    WebDriverWait(browser, 30).until(replaced(withdraw))  # the page after the POST
    browser.get(share_url)
    assert "/s/" in browser.current_url
    assert browser.find_element("id", "message").get_attribute("data-state") == "share_invalid"
