"""The back office in a real browser (headless Chromium against `live_server`), in Albanian: the ministry approves
a qualification, OCN London grants an accreditation, the municipality checks five candidates and downloads the
report. Each signs in through the admin's login page with a password (no staff flag). Every page is checked with
axe (tests/e2e/axe.py); desktop screenshots go to docs/img/ for the README."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from credentials.choices import CertificateStatus, VerificationChannel
from credentials.models import VerificationEvent
from registry.choices import AccreditationStatus, OrganisationKind, QualificationStatus
from registry.models import AuditEntry
from tests import factories
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import start_chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

IMAGES = Path(django_settings.BASE_DIR) / "docs" / "img"
PASSWORD = "correct-horse-battery-staple"  # tests.factories.UserFactory's
DESKTOP = (1280, 900)
PHONE_SHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    folder = tmp_path_factory.mktemp("back-office-browser")
    driver = start_chromium(folder / "profile", window="1280,900", accept_languages="sq")
    driver.downloads = folder / "downloads"
    driver.downloads.mkdir()
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(driver.downloads)})
    yield driver
    driver.quit()


@pytest.fixture(autouse=True)
def _fresh_cache(settings, live_server, browser):
    """One browser for the module: each test starts signed out, with no language chosen and no downloads."""
    settings.PUBLIC_BASE_URL = live_server.url
    cache.clear()
    browser.get(f"{live_server.url}/admin/login/")
    browser.delete_all_cookies()
    for old in browser.downloads.iterdir():
        old.unlink()
    yield
    cache.clear()


def _wait(driver, condition, timeout=20):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def _sign_in(driver, live_server, user, *, next_path: str):
    driver.get(f"{live_server.url}/admin/login/?lang=sq&next={next_path}")
    assert driver.find_element("tag name", "html").get_attribute("lang") == "sq"
    assert_accessible(driver, "admin login, sq")
    driver.find_element("id", "id_username").send_keys(user.username)
    driver.find_element("id", "id_password").send_keys(PASSWORD)
    driver.find_element("css selector", "form#login-form [type=submit]").click()
    _wait(driver, lambda d: "/admin/login/" not in d.current_url)


def _screenshot(driver, name: str, *, size=DESKTOP, folder=IMAGES) -> Path:
    """The whole page at this width: desktop ones for the README (docs/img), phone ones to look at (var/)."""
    folder.mkdir(parents=True, exist_ok=True)
    width, height = size
    driver.set_window_size(width, height)
    full, chrome = driver.execute_script(
        "return [document.documentElement.scrollHeight, window.outerHeight - window.innerHeight]"
    )
    driver.set_window_size(width, min(max(height, full + chrome), 2400))
    path = folder / name
    driver.save_screenshot(str(path))
    driver.set_window_size(*DESKTOP)
    return path


def _click_status_button(driver, action: str):
    driver.find_element("css selector", f"form.status-button input[value='{action}'] ~ button").click()
    _wait(driver, lambda d: d.find_elements("name", "reason"))


def test_the_ministry_approves_a_qualification(browser, live_server):
    mesti = factories.OrganisationFactory(slug="mesti", name="MESTI", short_name="MESTI", ministry=True)
    ministry = factories.UserFactory(organisation=mesti)
    authority = factories.OrganisationFactory(slug="nqa", name="NQA", short_name="NQA", authority=True)
    draft = factories.QualificationFactory(
        owner=ministry.organisation, awarding_body=authority, status=QualificationStatus.DRAFT, code="L4-ECE"
    )
    change = f"/admin/registry/qualification/{draft.pk}/change/"
    _sign_in(browser, live_server, ministry, next_path=change)
    assert browser.find_element("tag name", "html").get_attribute("lang") == "sq"
    assert_accessible(browser, "qualification change page, ministry, sq")
    _click_status_button(browser, "status_approved")
    assert_accessible(browser, "status change confirmation, sq")
    browser.find_element("name", "reason").send_keys("Vendimi i Bordit 12/2026")
    browser.find_element("css selector", "form input[type=submit].default").click()
    _wait(browser, lambda d: d.find_elements("css selector", "ul.messagelist li.success"))
    draft.refresh_from_db()
    assert draft.status == QualificationStatus.APPROVED
    entry = AuditEntry.objects.filter(object_type="registry.qualification", object_id=str(draft.pk)).latest("id")
    assert entry.actor == ministry and entry.reason == "Vendimi i Bordit 12/2026"
    assert_accessible(browser, "qualification list after approval, sq")
    browser.get(f"{live_server.url}{change}")
    _screenshot(browser, "back-office-ministry.png")


def test_ocn_london_grants_an_accreditation(browser, live_server):
    ocn = factories.OrganisationFactory(
        slug="ocn-london", name="OCN London", short_name="OCN London", kind=OrganisationKind.AWARDING_BODY, country="GB"
    )
    user = factories.UserFactory(organisation=ocn)
    qualification = factories.QualificationFactory(awarding_body=ocn, code="OCN-L5-SEN")
    provider = factories.OrganisationFactory(slug="qpgj", name="QPGJ", short_name="QPGJ")
    applied = factories.AccreditationFactory(
        provider=provider,
        qualification=qualification,
        agent=ocn,
        status=AccreditationStatus.APPLIED,
        decision_number="OCN-2026-014",
    )
    others = factories.AccreditationFactory(decision_number="PEARSON-2026-3")  # another body's: never shown
    _sign_in(browser, live_server, user, next_path="/admin/registry/accreditation/")
    assert_accessible(browser, "accreditation list, awarding body, sq")
    listing = browser.find_element("id", "result_list").text
    assert "OCN-2026-014" in listing and others.decision_number not in listing
    browser.find_element("link text", "OCN-2026-014").click()
    _wait(browser, lambda d: d.find_elements("css selector", "form.status-button"))
    assert_accessible(browser, "accreditation change page, awarding body, sq")
    _click_status_button(browser, "status_granted")
    browser.find_element("css selector", "form input[type=submit].default").click()
    _wait(browser, lambda d: d.find_elements("css selector", "ul.messagelist li.success"))
    applied.refresh_from_db()
    assert applied.status == AccreditationStatus.GRANTED
    browser.get(f"{live_server.url}/admin/registry/accreditation/{applied.pk}/change/")
    _screenshot(browser, "back-office-awarding-body.png")


def test_the_municipality_checks_five_candidates_and_downloads_the_report(browser, live_server):
    municipality = factories.OrganisationFactory(
        slug="komuna-prishtine", name="Komuna e Prishtinës", kind=OrganisationKind.MUNICIPALITY
    )
    clerk = factories.UserFactory(organisation=municipality)
    qpgj = factories.OrganisationFactory(slug="qpgj", name="QPGJ", short_name="QPGJ")
    curriculum = factories.CurriculumFactory(qualification=factories.QualificationFactory(code="L5-SEN"))

    def certificate(given, family, **kwargs):
        learner = factories.LearnerFactory(provider=qpgj, given_name=given, family_name=family)
        enrolment = factories.issuable_enrolment(provider=qpgj, curriculum=curriculum, learner=learner)
        return factories.CertificateFactory(enrolment=enrolment, **kwargs)

    valid = certificate("Ardita", "Krasniqi")
    revoked = certificate("Blerim", "Gashi", status=CertificateStatus.REVOKED, status_reason_code="fraud")
    by_birth = certificate("Милица", "Јовановић")
    wrong = certificate("Vjosa", "Berisha")
    candidates = [
        valid.verification_id,
        revoked.verification_id,
        "7ZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZ",
        f"{by_birth.serial_number}, {by_birth.learner.date_of_birth.isoformat()}",
        f"{wrong.serial_number}, 1990-02-30",
    ]
    _sign_in(browser, live_server, clerk, next_path="/admin/")
    assert_accessible(browser, "back office index, verifier, sq")
    browser.find_element("css selector", "a[href='/admin/credentials/check-candidates/']").click()
    _wait(browser, lambda d: d.find_elements("name", "candidates"))
    assert_accessible(browser, "check candidates, empty, sq")
    browser.find_element("name", "candidates").send_keys("\n".join(candidates))
    browser.find_element("css selector", "input[name=check]").click()
    _wait(browser, lambda d: d.find_elements("css selector", "table.check-results tbody tr"))
    outcomes = [
        row.get_attribute("data-outcome")
        for row in browser.find_elements("css selector", "table.check-results tbody tr")
    ]
    assert outcomes == ["valid", "revoked", "not_found", "valid", "malformed"]
    assert browser.find_element("tag name", "html").get_attribute("lang") == "sq"
    assert_accessible(browser, "check candidates, results, sq")
    assert by_birth.learner.date_of_birth.isoformat() not in browser.page_source
    _screenshot(browser, "back-office-check-candidates.png")
    _screenshot(browser, "back-office-check-candidates-phone.png", size=(412, 915), folder=PHONE_SHOTS)
    events = VerificationEvent.objects.filter(verifier_organisation=municipality)
    assert events.count() == 5 and {e.channel for e in events} == {VerificationChannel.BATCH}

    browser.find_element("css selector", "a[href$='report.pdf']").click()
    browser.find_element("css selector", "a[href$='report.csv']").click()
    pdf = _wait(browser, lambda d: next(iter(d.downloads.glob("*.pdf")), None))
    table = _wait(browser, lambda d: next(iter(d.downloads.glob("*.csv")), None))
    _wait(browser, lambda d: not list(d.downloads.glob("*.crdownload")))
    assert pdf.read_bytes().startswith(b"%PDF")
    pypdfium2 = pytest.importorskip("pypdfium2")
    document = pypdfium2.PdfDocument(pdf.read_bytes())
    assert len(document) == 1
    page = document[0].render(scale=1.5).to_pil()
    page.save(IMAGES / "back-office-check-report.png")
    rows = list(csv.reader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
    assert [row[-1] for row in rows[1:]] == outcomes
    assert (
        VerificationEvent.objects.filter(verifier_organisation=municipality).count() == 5
    )  # downloads re-check nothing
