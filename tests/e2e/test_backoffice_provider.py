"""The provider's back office in a real browser, in Albanian: QPGJ's user signs in, uploads a learner CSV that
enrols two learners, records their results in the cohort's grid, previews and issues the cohort's certificates,
and revokes one. Each page passes axe (tests/e2e/axe.py); desktop screenshots go to docs/img/ (README)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from credentials.choices import CertificateStatus, CohortStatus
from credentials.models import Certificate, Learner, ModuleResult
from tests import factories as f
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import start_chromium
from tests.e2e.waits import replaced

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IMAGES = Path(django_settings.BASE_DIR) / "docs" / "img"
PHONE = Path(django_settings.BASE_DIR) / "var" / "screenshots"
PASSWORD = "correct-horse-battery-staple"  # tests.factories.UserFactory's


@pytest.fixture
def browser(tmp_path):
    driver = start_chromium(tmp_path / "chromium-profile", window="1280,900", accept_languages="sq")
    yield driver
    driver.quit()


@pytest.fixture
def qpgj():
    provider = f.OrganisationFactory(slug="qpgj", name="Qendra për Punësim dhe Gjithëpërfshirje", short_name="QPGJ")
    curriculum = f.CurriculumFactory()
    f.AccreditationFactory(provider=provider, qualification=curriculum.qualification)
    cohort = f.CohortFactory(provider=provider, curriculum=curriculum, code="SEN-8", status=CohortStatus.RUNNING)
    user = f.UserFactory(organisation=provider, username="qpgj")
    return {"provider": provider, "cohort": cohort, "user": user}


def shoot(driver, name: str) -> Path:
    IMAGES.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, max(700, min(height + 40, 2400)))
    path = IMAGES / name
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 900)
    return path


def submit(driver, css="input[type=submit].default"):
    """Click and wait for the next page (the old page's <html> goes stale)."""
    html = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, css).click()
    WebDriverWait(driver, 30).until(replaced(html))


def test_qpgj_imports_records_issues_and_revokes_in_albanian(browser, live_server, qpgj, tmp_path):
    base = live_server.url
    browser.get(f"{base}/admin/login/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "sq"
    assert_accessible(browser, "admin login, sq")
    browser.find_element(By.NAME, "username").send_keys("qpgj")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    submit(browser, "input[type=submit]")
    assert "Administrimi" in browser.page_source or "Zyra" in browser.page_source or "/admin/" in browser.current_url

    # 1. The learner CSV: two learners, enrolled in SEN-8.
    csv = tmp_path / "nxenesit.csv"
    csv.write_text(
        "personal_number,given_name,family_name,date_of_birth,gender,municipality,cohort\n"
        "1100000001,Ardita,Krasniqi,1996-04-12,f,,SEN-8\n"
        "1100000002,Đorđe,Čolić,1994-11-02,m,,SEN-8\n",
        encoding="utf-8",
    )
    browser.get(f"{base}/admin/credentials/learner/")
    assert_accessible(browser, "learner list, sq")
    browser.get(
        browser.find_element(By.CSS_SELECTOR, "a[href$='/admin/credentials/learner/import/']").get_attribute("href")
    )
    browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(csv))
    submit(browser)
    assert browser.find_elements(By.CSS_SELECTOR, ".backoffice-counts"), browser.find_element(By.ID, "content").text[
        :1500
    ]
    assert Learner.objects.filter(provider=qpgj["provider"]).count() == 2
    assert_accessible(browser, "CSV import, sq")
    shoot(browser, "backoffice-provider-import.png")

    # 2. Results: each module for the whole cohort, from the grid.
    cohort = qpgj["cohort"]
    browser.get(f"{base}/admin/credentials/cohort/{cohort.pk}/results/")
    assert_accessible(browser, "results grid, sq")
    for code in ("M1", "M2"):
        browser.get(browser.find_element(By.LINK_TEXT, code).get_attribute("href"))
        assert_accessible(browser, f"results of {code}, sq")
        for select in browser.find_elements(By.CSS_SELECTOR, "select[name$='-outcome']"):
            prefix = select.get_attribute("name").rsplit("-", 1)[0]
            module = cohort.curriculum.modules.get(code=code)
            for name, value in (("hours_theory", module.hours_theory), ("hours_practice", module.hours_practice)):
                field = browser.find_element(By.NAME, f"{prefix}-{name}")
                field.clear()
                field.send_keys(str(value))
            select.find_element(By.CSS_SELECTOR, "option[value=pass]").click()
            day = browser.find_element(By.NAME, f"{prefix}-assessed_on")
            browser.execute_script("arguments[0].value = '2026-05-20'", day)
        if code == "M2":
            shoot(browser, "backoffice-provider-results-entry.png")
        submit(browser)
        assert browser.find_elements(By.CSS_SELECTOR, ".results-grid"), browser.page_source[:2000]
    assert ModuleResult.objects.filter(enrolment__cohort=cohort, outcome="pass").count() == 4
    shoot(browser, "backoffice-provider-results.png")

    # 3. The cohort's dry run, then the issuance.
    browser.get(f"{base}/admin/credentials/cohort/{cohort.pk}/issue/")
    assert browser.find_elements(By.ID, "would-issue") and not Certificate.objects.exists()
    assert "Čolić" in browser.find_element(By.ID, "would-issue").text
    assert_accessible(browser, "issuance preview, sq")
    shoot(browser, "backoffice-provider-issue-preview.png")
    submit(browser, ".backoffice-confirm input[type=submit]")
    issued = browser.find_elements(By.CSS_SELECTOR, "#issued tbody tr")
    assert len(issued) == 2 and Certificate.objects.filter(status=CertificateStatus.VALID).count() == 2
    assert_accessible(browser, "issued, sq")

    # 4. Revoke one, with its reason.
    browser.get(issued[0].find_element(By.TAG_NAME, "a").get_attribute("href"))
    assert_accessible(browser, "certificate page, sq")
    shoot(browser, "backoffice-provider-certificate.png")
    browser.get(browser.find_element(By.CSS_SELECTOR, "a[href$='/revoke/']").get_attribute("href"))
    assert_accessible(browser, "revoke form, sq")
    browser.find_element(By.CSS_SELECTOR, "option[value=issued_in_error]").click()
    browser.find_element(By.NAME, "reference").send_keys("QPGJ-2026-031")
    submit(browser)
    assert browser.find_elements(By.CSS_SELECTOR, ".messagelist .success")
    revoked = Certificate.objects.get(status=CertificateStatus.REVOKED)
    assert revoked.status_reference == "QPGJ-2026-031"
    assert_accessible(browser, "revoked certificate, sq")

    # At a phone's width the grid scrolls inside its box; the page itself does not scroll sideways.
    browser.set_window_size(390, 844)
    browser.get(f"{base}/admin/credentials/cohort/{cohort.pk}/results/")
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    PHONE.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(PHONE / "backoffice-provider-results-phone.png"))
