"""The verifier's "Check candidates" screen in the back office: a list in, the batch verification service's
answers out (never re-implemented), as a table, a CSV and a one-page PDF; logged and counted like the batch API;
capped like it; refused to roles without `verification.batch`."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from credentials.choices import CertificateStatus, VerificationChannel
from credentials.models import VerificationEvent
from credentials.verification.services import MAX_BATCH
from registry.choices import OrganisationKind
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/admin/credentials/check-candidates/"


def login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # the messages asserted below, whatever the catalogues say
    client.force_login(user)
    return client


@pytest.fixture
def municipality(db):
    return factories.OrganisationFactory(slug="komuna-test", kind=OrganisationKind.MUNICIPALITY)


@pytest.fixture
def clerk(municipality):
    return factories.UserFactory(organisation=municipality)


@pytest.fixture
def five(db):
    """Five candidates: valid, revoked, superseded-free unknown id, a serial with its holder's date of birth,
    and the same kind with a wrong date."""
    valid = factories.CertificateFactory()
    revoked = factories.CertificateFactory(status=CertificateStatus.REVOKED, status_reason_code="fraud")
    by_birth = factories.CertificateFactory()
    wrong_birth = factories.CertificateFactory()
    dob = by_birth.learner.date_of_birth.isoformat()
    lines = [
        valid.verification_id,
        revoked.verification_id,
        "0" * 26,
        f"{by_birth.serial_number}, {dob}",
        f"{wrong_birth.serial_number}, 1901-01-01",
    ]
    return {"valid": valid, "revoked": revoked, "by_birth": by_birth, "wrong": wrong_birth, "lines": lines, "dob": dob}


def test_the_screen_is_listed_for_a_verifier_and_opens(clerk):
    client = login(clerk)
    index = client.get("/admin/")
    assert index.status_code == 200 and URL in index.content.decode()
    page = client.get(URL)
    assert page.status_code == 200
    assert 'name="candidates"' in page.content.decode() and 'type="file"' in page.content.decode()


def test_five_candidates_are_checked_by_the_batch_service_and_logged_for_the_organisation(clerk, municipality, five):
    client = login(clerk)
    response = client.post(URL, {"candidates": "\n".join(five["lines"])})
    assert response.status_code == 302 and response["Location"].startswith(URL)
    page = client.get(URL)
    html = page.content.decode()
    outcomes = [row.outcome for row in page.context["result"]["rows"]]
    assert outcomes == ["valid", "revoked", "not_found", "valid", "date_of_birth_mismatch"]
    rows = page.context["result"]["rows"]
    assert rows[3].date_of_birth is True and rows[4].date_of_birth is False
    assert rows[0].holder_name == five["valid"].holder_name and rows[0].serial_number == five["valid"].serial_number
    assert rows[4].holder_name == "" and rows[4].serial_number == ""  # a wrong date reveals nothing
    assert five["dob"] not in html  # the date of birth typed is never shown back
    events = VerificationEvent.objects.filter(verifier_organisation=municipality)
    assert events.count() == 5 and set(events.values_list("channel", flat=True)) == {VerificationChannel.BATCH}
    assert page.context["history"][0].verifier_organisation_id == municipality.pk


@pytest.mark.parametrize(
    ("accept", "expected"),
    [("sq", "title_sq"), ("sr-Latn", "title_sr"), ("sr", "cyrillic"), ("en", "title_en")],
)
def test_the_qualification_is_named_in_the_readers_language_and_script(clerk, five, accept, expected):
    """The title as core.language.localized gives it: a Cyrillic reader reads the Serbian title in Cyrillic."""
    from core.language import latin_to_cyrillic

    qualification = five["valid"].qualification
    title = latin_to_cyrillic(qualification.title_sr) if expected == "cyrillic" else getattr(qualification, expected)
    client = Client(HTTP_ACCEPT_LANGUAGE=accept)
    client.force_login(clerk)
    client.post(URL, {"candidates": five["valid"].verification_id})
    row = client.get(URL).context["result"]["rows"][0]
    assert row.qualification == f"{qualification.code} {title}"


def test_an_input_that_cannot_be_checked_says_why_and_compares_no_date(clerk, five):
    client = login(clerk)
    client.post(URL, {"candidates": f"{five['by_birth'].serial_number}, 1990-02-30\nABC"})
    rows = client.get(URL).context["result"]["rows"]
    assert [r.outcome for r in rows] == ["malformed", "malformed"]
    assert rows[0].date_of_birth is None and "YYYY-MM-DD" in rows[0].message
    assert "26 characters" in rows[1].message


def test_a_csv_file_with_column_names_is_read(clerk, five):
    body = "serial_number,date_of_birth\n" + f"{five['by_birth'].serial_number},{five['dob']}\n"
    upload = SimpleUploadedFile("candidates.csv", body.encode("utf-8-sig"), content_type="text/csv")
    client = login(clerk)
    assert client.post(URL, {"file": upload}).status_code == 302
    rows = client.get(URL).context["result"]["rows"]
    assert [(r.outcome, r.date_of_birth) for r in rows] == [("valid", True)]


def test_a_semicolon_list_with_spelled_out_column_names_is_read(clerk, five):
    certificate = five["by_birth"]
    body = f"Serial number;Date of birth\n{certificate.serial_number};{certificate.learner.date_of_birth:%d.%m.%Y}\n"
    client = login(clerk)
    client.post(URL, {"candidates": body})
    rows = client.get(URL).context["result"]["rows"]
    assert [(r.outcome, r.date_of_birth) for r in rows] == [("valid", True)]


def test_a_scanned_qr_text_is_checked_with_its_token(clerk, five):
    from credentials.tokens import verification_url

    scanned = verification_url(five["valid"])
    url, token = scanned.split("#")
    altered = f"{url}#{token[:-4]}{'AAAA' if token[-4:] != 'AAAA' else 'BBBB'}"
    client = login(clerk)
    client.post(URL, {"candidates": scanned + "\n" + altered})
    rows = client.get(URL).context["result"]["rows"]
    assert rows[0].outcome == "valid" and rows[1].outcome == "token_mismatch"
    assert "#" not in rows[0].checked  # the token is not echoed


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"candidates": ""}, "at least one candidate"),
        ({"candidates": "   \n\n"}, "at least one candidate"),
        ({"candidates": "\n".join(["0" * 26] * (MAX_BATCH + 1))}, f"At most {MAX_BATCH} candidates"),
        ({"candidates": "abc\x00def"}, None),  # Django's own field refuses a NUL character
    ],
)
def test_bad_lists_are_refused_with_a_message_and_nothing_is_verified(clerk, data, message):
    response = login(clerk).post(URL, data)
    assert response.status_code == 200 and response.context["form"].errors
    assert message is None or message in response.content.decode()
    assert VerificationEvent.objects.count() == 0


def test_a_file_that_is_not_text_is_refused(clerk):
    upload = SimpleUploadedFile("photo.csv", b"\xff\xd8\xff\xe0 not utf-8 \xfe", content_type="text/csv")
    response = login(clerk).post(URL, {"file": upload})
    assert response.status_code == 200 and "UTF-8" in response.content.decode()
    assert VerificationEvent.objects.count() == 0


def test_a_list_of_exactly_the_cap_is_checked(clerk):
    login(clerk).post(URL, {"candidates": "\n".join(["0" * 26] * MAX_BATCH)})
    assert VerificationEvent.objects.count() == MAX_BATCH


def test_the_list_counts_against_the_organisations_quota(clerk, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "verify_verifier": "1/min"},
    }
    from django.core.cache import cache

    cache.clear()
    client = login(clerk)
    assert client.post(URL, {"candidates": "0" * 26}).status_code == 302
    refused = client.post(URL, {"candidates": "1" * 26})
    assert refused.status_code == 200 and "quota" in refused.content.decode()
    assert VerificationEvent.objects.count() == 1
    cache.clear()


def test_the_csv_download_is_the_table_without_any_date_of_birth(clerk, five):
    client = login(clerk)
    client.post(URL, {"candidates": "\n".join(five["lines"]) + "\n=HYPERLINK(1)"})
    response = client.get(URL + "report.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 1 + 6
    assert rows[1][-1] == "valid" and rows[5][-1] == "date_of_birth_mismatch"
    assert five["dob"] not in text and "1901-01-01" not in text
    assert rows[6][1].startswith("'=")  # a spreadsheet does not run it
    assert VerificationEvent.objects.count() == 6  # downloading verifies nothing again


def test_the_pdf_report_is_one_page(clerk, five):
    pypdf = pytest.importorskip("pypdfium2")
    client = login(clerk)
    client.post(URL, {"candidates": "\n".join(five["lines"])})
    response = client.get(URL + "report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    document = pypdf.PdfDocument(response.content)
    assert len(document) == 1
    text = document[0].get_textpage().get_text_range()
    assert five["valid"].serial_number in text and five["dob"] not in text


def test_a_pdf_of_the_longest_list_stays_one_page(clerk):
    pypdf = pytest.importorskip("pypdfium2")
    client = login(clerk)
    client.post(URL, {"candidates": "\n".join(["0" * 26] * MAX_BATCH)})
    document = pypdf.PdfDocument(client.get(URL + "report.pdf").content)
    assert len(document) == 1
    assert "more rows are in the CSV" in document[0].get_textpage().get_text_range()


def test_nothing_to_download_before_a_check(clerk):
    client = login(clerk)
    assert client.get(URL + "report.csv").status_code == 404
    assert client.get(URL + "report.pdf").status_code == 404
    assert client.get(URL + "other").status_code == 404


def test_the_history_holds_only_the_organisations_own_checks(clerk, municipality, five):
    other = factories.OrganisationFactory(slug="employer-x", kind=OrganisationKind.EMPLOYER)
    other_clerk = factories.UserFactory(organisation=other)
    login(other_clerk).post(URL, {"candidates": five["valid"].verification_id})
    page = login(clerk).get(URL)
    assert page.context["history"] == []
    assert five["valid"].serial_number not in page.content.decode()


@pytest.mark.parametrize("role", ["provider", "awarding_body"])
def test_roles_without_batch_verification_are_refused(role, five):
    organisation = factories.OrganisationFactory(
        slug=f"org-{role}",
        kind=OrganisationKind.PROVIDER if role == "provider" else OrganisationKind.AWARDING_BODY,
    )
    client = login(factories.UserFactory(organisation=organisation))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"candidates": five["valid"].verification_id}).status_code == 403
    assert client.get(URL + "report.csv").status_code == 403
    assert URL not in client.get("/admin/").content.decode()
    assert VerificationEvent.objects.count() == 0


def test_anonymous_callers_are_sent_to_the_login(five):
    response = Client().post(URL, {"candidates": five["valid"].verification_id})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert VerificationEvent.objects.count() == 0


def test_the_ministry_may_check_a_list_too(five):
    ministry = factories.UserFactory(ministry=True)
    client = login(ministry)
    assert client.post(URL, {"candidates": five["valid"].verification_id}).status_code == 302
    assert VerificationEvent.objects.get().verifier_organisation_id == ministry.organisation_id


def test_a_formula_in_a_holders_name_reaches_no_spreadsheet_whatever_its_separator(clerk):
    """A provider typed a learner's name with a formula after a semicolon: a spreadsheet in Kosovo's locales splits
    an opened CSV on semicolons, so that formula would start a cell there (core/csv_writer.py)."""
    hostile = factories.CertificateFactory(
        enrolment=factories.issuable_enrolment(
            learner__given_name="Ardit;=cmd|' /C calc'!A0", learner__family_name="Krasniqi\n+SUM(A1)"
        )
    )
    client = login(clerk)
    client.post(URL, {"candidates": hostile.verification_id})
    text = client.get(URL + "report.csv").content.decode("utf-8-sig")
    formula_starts = ("=", "+", "-", "@", "\t", "\r")
    for separator in (",", ";"):
        cells = [c for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator) for c in row]
        assert not [c for c in cells if c.lstrip(' "').startswith(formula_starts)], separator
    for line in text.splitlines():  # a spreadsheet that reads line by line, quotes or not
        assert not line.lstrip(' "').startswith(formula_starts), line


def test_a_date_typed_where_an_id_belongs_is_never_shown_back(clerk, five):
    """Columns swapped, or a space instead of a comma: the date of birth lands in the `checked` column, which the
    table, its CSV and its PDF (for a hiring file) show. It is shown as `…`."""
    dob = five["dob"]
    client = login(clerk)
    client.post(
        URL,
        {"candidates": f"{five['by_birth'].serial_number} {dob}\n{dob}, {five['by_birth'].serial_number}"},
    )
    page = client.get(URL)
    rows = page.context["result"]["rows"]
    assert [row.checked for row in rows] == [f"{five['by_birth'].serial_number} …", "…"]
    assert dob not in page.content.decode()
    assert dob not in client.get(URL + "report.csv").content.decode("utf-8-sig")
