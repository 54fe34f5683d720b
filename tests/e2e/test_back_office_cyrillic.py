"""A role's whole job in Serbian Cyrillic, in a real browser (headless Chromium against `live_server`): the user signs
in at /admin/ (Albanian, the browser's language), switches to Cyrillic with the back office's own language switch,
and does the job; every page reads in Cyrillic (tests/e2e/script.py: no word in Latin letters beyond the data,
codes and acronyms) and passes axe (tests/e2e/axe.py). Desktop screenshots go to docs/img/ (README).

One browser for the module; each test signs in afresh (cookies cleared), so each switches language itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from credentials.admin_views import ImportView
from credentials.choices import CertificateStatus, VerificationChannel
from credentials.models import VerificationEvent
from registry.choices import OrganisationKind
from tests import factories
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import start_chromium
from tests.e2e.script import latin_words
from tests.e2e.waits import replaced

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

IMAGES = Path(django_settings.BASE_DIR) / "docs" / "img"
PASSWORD = "correct-horse-battery-staple"  # tests.factories.UserFactory's
DESKTOP = (1280, 900)
CYRILLIC = {chr(c) for c in range(0x0400, 0x0500)}


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cyrillic-browser")
    driver = start_chromium(folder / "profile", window="1280,900", accept_languages="sq")
    driver.downloads = folder / "downloads"
    driver.downloads.mkdir()
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(driver.downloads)})
    yield driver
    driver.quit()


@pytest.fixture(autouse=True)
def _fresh(settings, live_server, browser):
    settings.PUBLIC_BASE_URL = live_server.url
    cache.clear()
    browser.get(f"{live_server.url}/admin/login/")
    browser.delete_all_cookies()  # signed out, no language chosen: the browser's Albanian
    yield
    cache.clear()


def _wait(driver, condition, timeout=30):
    return WebDriverWait(driver, timeout).until(condition)


def _click_and_wait(driver, css: str):
    """Click and wait for the next page (the old page's <html> goes stale)."""
    html = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, css).click()
    _wait(driver, replaced(html))


def _sign_in_and_switch_to_cyrillic(driver, live_server, user):
    driver.get(f"{live_server.url}/admin/login/")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "sq"
    driver.find_element(By.ID, "id_username").send_keys(user.username)
    driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
    _click_and_wait(driver, "form#login-form [type=submit]")
    assert "/admin/login/" not in driver.current_url
    # The back office's own switch, in the header of every page: the link that says "Српски".
    switch = driver.find_element(By.CSS_SELECTOR, "#header nav.lang a[hreflang='sr-Cyrl']")
    assert switch.text == "Српски"
    _click_and_wait(driver, "#header nav.lang a[hreflang='sr-Cyrl']")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "sr"  # Django's code for Cyrillic
    current = driver.find_element(By.CSS_SELECTOR, "#header nav.lang a[aria-current]")
    assert current.get_attribute("hreflang") == "sr-Cyrl"


def _reads_in_cyrillic(driver, label: str, data, latin: dict):
    """Checks the page's language and accessibility; collects its Latin words into `latin`, so that one run lists
    every page's (the test fails at its end, after the whole job and its screenshots)."""
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "sr", label
    assert_accessible(driver, f"{label}, sr-Cyrl")
    words = latin_words(driver, data=data)
    if words:
        latin[label] = words


def _assert_no_latin(latin: dict):
    assert not latin, "Latin words on Cyrillic pages (or codes not in Latin):\n" + "\n".join(
        f"{label}:\n  " + "\n  ".join(words) for label, words in latin.items()
    )


def _screenshot(driver, name: str) -> Path:
    IMAGES.mkdir(parents=True, exist_ok=True)
    width, height = DESKTOP
    full, chrome = driver.execute_script(
        "return [document.documentElement.scrollHeight, window.outerHeight - window.innerHeight]"
    )
    driver.set_window_size(width, min(max(height, full + chrome), 2400))
    path = IMAGES / name
    driver.save_screenshot(str(path))
    driver.set_window_size(*DESKTOP)
    return path


def test_the_municipality_checks_candidates_in_serbian_cyrillic(browser, live_server):
    municipality = factories.OrganisationFactory(
        slug="opstina-gracanica", name="Opština Gračanica", short_name="Gračanica", kind=OrganisationKind.MUNICIPALITY
    )
    clerk = factories.UserFactory(organisation=municipality, username="gracanica")
    qpgj = factories.OrganisationFactory(slug="qpgj", name="QPGJ", short_name="QPGJ")
    curriculum = factories.CurriculumFactory(qualification=factories.QualificationFactory(code="L5-SEN"))

    def certificate(given, family, **kwargs):
        learner = factories.LearnerFactory(provider=qpgj, given_name=given, family_name=family)
        enrolment = factories.issuable_enrolment(provider=qpgj, curriculum=curriculum, learner=learner)
        return factories.CertificateFactory(enrolment=enrolment, **kwargs)

    valid = certificate("Милица", "Јовановић")
    revoked = certificate("Stefan", "Petrović", status=CertificateStatus.REVOKED, status_reason_code="fraud")
    by_birth = certificate("Ardita", "Krasniqi")
    wrong = certificate("Jelena", "Nikolić")
    candidates = [
        valid.verification_id,
        revoked.verification_id,
        "7ZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZ",
        f"{by_birth.serial_number}, {by_birth.learner.date_of_birth.isoformat()}",
        f"{wrong.serial_number}, 1990-02-30",
    ]
    # What the registry holds and shows as recorded: the people's names, the organisations, the user's name; and the
    # CSV's column names, codes a person types as they are (the form's help names them, in Latin letters).
    columns = ["verification_id", "qr", "serial_number", "date_of_birth"]
    data = [
        *columns,
        "Stefan Petrović",
        "Ardita Krasniqi",
        municipality.name,
        municipality.short_name,
        clerk.username,
        *(c.learner.full_name for c in (valid, revoked, by_birth, wrong)),
    ]

    latin = {}
    _sign_in_and_switch_to_cyrillic(browser, live_server, clerk)
    _reads_in_cyrillic(browser, "back office index, verifier", data, latin)
    _click_and_wait(browser, "a[href='/admin/credentials/check-candidates/']")
    _reads_in_cyrillic(browser, "check candidates, empty", data, latin)
    help_text = browser.find_element(By.CSS_SELECTOR, ".check-form .form-row:has(input[type=file]) .help").text
    if not all(column in help_text for column in columns):  # Cyrillic letters would not name the CSV's columns
        latin["the CSV's column names, as a CSV needs them"] = [help_text]
    browser.find_element(By.NAME, "candidates").send_keys("\n".join(candidates))
    _click_and_wait(browser, "input[name=check]")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.check-results tbody tr")
    outcomes = [row.get_attribute("data-outcome") for row in rows]
    assert outcomes == ["valid", "revoked", "not_found", "valid", "malformed"]
    assert "ОПОЗВАН" in rows[1].text.upper()
    assert by_birth.learner.date_of_birth.isoformat() not in browser.page_source
    _reads_in_cyrillic(browser, "check candidates, results", data, latin)
    _screenshot(browser, "back-office-check-candidates-sr.png")
    events = VerificationEvent.objects.filter(verifier_organisation=municipality)
    assert events.count() == 5 and {e.channel for e in events} == {VerificationChannel.BATCH}

    # The report for the hiring file, in the language of the page.
    browser.find_element(By.CSS_SELECTOR, "a[href$='report.pdf']").click()
    pdf = _wait(browser, lambda d: next(iter(d.downloads.glob("*.pdf")), None))
    _wait(browser, lambda d: not list(d.downloads.glob("*.crdownload")))
    pypdfium2 = pytest.importorskip("pypdfium2")
    document = pypdfium2.PdfDocument(pdf.read_bytes())
    text = document[0].get_textpage().get_text_range()
    assert "Провера сертификата" in text
    assert events.count() == 5  # the download re-checks nothing
    _assert_no_latin(latin)


def test_qpgj_imports_records_results_and_issues_in_serbian_cyrillic(browser, live_server, tmp_path):
    from credentials.choices import CohortStatus
    from credentials.models import Certificate, Learner, ModuleResult

    provider = factories.OrganisationFactory(
        slug="qpgj", name="Qendra për Punësim dhe Gjithëpërfshirje", short_name="QPGJ"
    )
    curriculum = factories.CurriculumFactory()
    qualification = curriculum.qualification
    factories.AccreditationFactory(provider=provider, qualification=qualification)
    cohort = factories.CohortFactory(
        provider=provider, curriculum=curriculum, code="SEN-8", status=CohortStatus.RUNNING
    )
    user = factories.UserFactory(organisation=provider, username="qpgj")
    modules = list(curriculum.modules.order_by("order"))
    # The registry's data as recorded: names, the provider, module titles (one language), the qualification's titles
    # in the languages it has (the Cyrillic one is made from the Serbian); and the CSV's column names (codes).
    columns = ["personal_number", "given_name", "family_name", "date_of_birth", "gender", "municipality", "cohort"]
    data = [
        *(name for names in ImportView.COLUMNS.values() for name in names),  # the file's column names, as read
        "Ardita Krasniqi",
        "Ardita",
        "Krasniqi",
        "Đorđe Čolić",
        provider.name,
        user.username,
        *(m.title for m in modules),
        qualification.title_sq,
        qualification.title_en,
    ]
    latin = {}

    _sign_in_and_switch_to_cyrillic(browser, live_server, user)
    _reads_in_cyrillic(browser, "back office index, provider", data, latin)

    # 1. The learner CSV: two learners, enrolled in SEN-8.
    csv = tmp_path / "polaznici.csv"
    csv.write_text(
        ",".join(columns)
        + "\n1100000001,Ardita,Krasniqi,1996-04-12,f,,SEN-8\n1100000002,Đorđe,Čolić,1994-11-02,m,,SEN-8\n",
        encoding="utf-8",
    )
    browser.get(f"{live_server.url}/admin/credentials/learner/")
    _reads_in_cyrillic(browser, "learner list", data, latin)
    _click_and_wait(browser, "a[href$='/admin/credentials/learner/import/']")
    _reads_in_cyrillic(browser, "CSV import form", data, latin)
    help_text = browser.find_element(By.ID, "content-main").text
    if not all(column in help_text for column in columns):  # Cyrillic letters would not name the CSV's columns
        latin["the import's column names, as a CSV needs them"] = [
            line for line in help_text.splitlines() if "_" in line or "ersonal" in line
        ]
    browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(csv))
    _click_and_wait(browser, "input[type=submit].default")
    assert browser.find_elements(By.CSS_SELECTOR, ".backoffice-counts")
    assert Learner.objects.filter(provider=provider).count() == 2
    _reads_in_cyrillic(browser, "CSV import report", data, latin)

    # 2. Results: each module for the whole cohort, from the grid.
    browser.get(f"{live_server.url}/admin/credentials/cohort/{cohort.pk}/results/")
    _reads_in_cyrillic(browser, "results grid", data, latin)
    for module in modules:
        browser.get(browser.find_element(By.LINK_TEXT, module.code).get_attribute("href"))
        _reads_in_cyrillic(browser, f"results of {module.code}", data, latin)
        for select in browser.find_elements(By.CSS_SELECTOR, "select[name$='-outcome']"):
            prefix = select.get_attribute("name").rsplit("-", 1)[0]
            for name, value in (("hours_theory", module.hours_theory), ("hours_practice", module.hours_practice)):
                field = browser.find_element(By.NAME, f"{prefix}-{name}")
                field.clear()
                field.send_keys(str(value))
            select.find_element(By.CSS_SELECTOR, "option[value=pass]").click()
            day = browser.find_element(By.NAME, f"{prefix}-assessed_on")
            browser.execute_script("arguments[0].value = '2026-05-20'", day)
        _click_and_wait(browser, "input[type=submit].default")
        assert browser.find_elements(By.CSS_SELECTOR, ".results-grid")
    assert ModuleResult.objects.filter(enrolment__cohort=cohort, outcome="pass").count() == 4

    # 3. The cohort's dry run, then the issuance.
    browser.get(f"{live_server.url}/admin/credentials/cohort/{cohort.pk}/issue/")
    assert "Čolić" in browser.find_element(By.ID, "would-issue").text and not Certificate.objects.exists()
    _reads_in_cyrillic(browser, "issuance preview", data, latin)
    _screenshot(browser, "backoffice-provider-issue-preview-sr.png")
    _click_and_wait(browser, ".backoffice-confirm input[type=submit]")
    issued = browser.find_elements(By.CSS_SELECTOR, "#issued tbody tr")
    assert len(issued) == 2 and Certificate.objects.filter(status=CertificateStatus.VALID).count() == 2
    _reads_in_cyrillic(browser, "issued", data, latin)
    certificate = Certificate.objects.get(learner__family_name="Čolić")
    browser.get(f"{live_server.url}/admin/credentials/certificate/{certificate.pk}/change/")
    _reads_in_cyrillic(browser, "certificate page", data + [certificate.verification_id], latin)
    _assert_no_latin(latin)
