"""What a user compared between the pages (issue 12): the transcript's total is the mandatory modules' (the
qualification's hours and credits, as page 1 prints them) with the electives listed apart under their own total;
the signature lines name who signs, from the organisation's record as it was at issuance."""

from __future__ import annotations

import copy
import datetime
import io

import pytest
from django.core.cache import cache
from pypdf import PdfReader

from credentials.models import Certificate
from credentials.pdf.documents import certificate_pdf
from credentials.pdf.render import CertificatePrint, render_certificate_pdf
from credentials.pdf.sample import SAMPLE_SNAPSHOT, sample_url
from credentials.services.issuance import certificate_issue
from registry.models import Organisation
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def pages_text(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def _module(code: str, theory: int, practice: int, credits: int, *, mandatory: bool = True) -> dict:
    return {
        "code": code,
        "title": f"Moduli {code}",
        "title_en": f"Module {code}",
        "kind": "mixed",
        "mandatory": mandatory,
        "hours_theory": theory,
        "hours_practice": practice,
        "credits": credits,
        "outcome": "pass",
    }


def _render(snapshot: dict, lang: str = "en") -> list[str]:
    return pages_text(render_certificate_pdf(CertificatePrint(snapshot, "valid", sample_url(snapshot)), lang=lang))


# --- the transcript's totals ----------------------------------------------------------------------------------


def test_the_transcript_total_is_the_mandatory_modules_and_electives_are_totalled_apart():
    snapshot = copy.deepcopy(SAMPLE_SNAPSHOT)
    snapshot["qualification"].update(hours_theory=600, hours_practice=600, credits=120)
    snapshot["modules"] = [
        _module("M01", 300, 200, 50),
        _module("M02", 300, 400, 70),
        _module("E01", 20, 20, 4, mandatory=False),
    ]
    page1, page2 = _render(snapshot)

    assert "600 + 600 = 1200 hours" in page1 and "120" in page1
    assert "Total 600 600 120" in page2  # what page 1 says
    assert "Total (optional) 20 20 4" in page2  # the electives, apart
    assert "620" not in page2 and "124" not in page2  # never the two added up
    assert page2.index("Total 600 600 120") < page2.index("E01") < page2.index("Total (optional)")


def test_without_electives_there_is_one_total_in_every_language():
    snapshot = copy.deepcopy(SAMPLE_SNAPSHOT)
    snapshot["modules"] = [_module("M01", 600, 600, 120)]
    for lang in ("en", "sq", "sr"):
        page2 = _render(snapshot, lang)[1]
        assert "600 600 120" in page2
        assert "(optional)" not in page2 and "(zgjedhor)" not in page2


def test_a_long_transcript_keeps_its_totals_on_the_page_where_its_table_ends():
    snapshot = copy.deepcopy(SAMPLE_SNAPSHOT)
    snapshot["modules"] = [_module(f"M{i:02d}", 20, 20, 4) for i in range(1, 31)] + [
        _module(f"E{i:02d}", 10, 10, 2, mandatory=False) for i in range(1, 6)
    ]
    pages = _render(snapshot)
    assert len(pages) >= 3
    assert "Total 600 600 120" in " ".join(pages[1:])
    assert "Total (optional) 50 50 10" in pages[-1]


# --- the signature lines --------------------------------------------------------------------------------------


def _issue(provider: Organisation) -> Certificate:
    enrolment = factories.issuable_enrolment(provider=provider)
    certificate, created = certificate_issue(actor=None, enrolment=enrolment, awarded_on=datetime.date(2026, 6, 1))
    assert created
    return Certificate.objects.get(pk=certificate.pk)


def test_the_signature_line_names_the_signatory_from_the_organisations_record_frozen_at_issuance():
    provider = factories.OrganisationFactory(
        kind="provider", signatory_name="Teuta Gashi", signatory_title="Drejtoreshë ekzekutive"
    )
    certificate = _issue(provider)
    assert certificate.snapshot["provider"]["signatory"] == {
        "name": "Teuta Gashi",
        "title": "Drejtoreshë ekzekutive",
    }
    page1 = pages_text(certificate_pdf(certificate))[0]
    assert "Teuta Gashi" in page1 and "Drejtoreshë ekzekutive" in page1

    # A new director later does not change what was printed (rule 6).
    Organisation.objects.filter(pk=provider.pk).update(signatory_name="Someone Else")
    cache.clear()
    page1 = pages_text(certificate_pdf(Certificate.objects.get(pk=certificate.pk)))[0]
    assert "Teuta Gashi" in page1 and "Someone Else" not in page1


def test_a_title_alone_prints_and_an_organisation_naming_nobody_prints_as_before():
    provider = factories.OrganisationFactory(kind="provider", signatory_title="Drejtor/e i/e Qendrës")
    certificate = _issue(provider)
    assert certificate.snapshot["provider"]["signatory"] == {"name": "", "title": "Drejtor/e i/e Qendrës"}
    assert "signatory" not in certificate.snapshot["awarding_body"]
    page1 = pages_text(certificate_pdf(certificate))[0]
    assert "Drejtor/e i/e Qendrës" in page1
    assert "Për ofruesin" in page1 and "Për organin certifikues" in page1


# --- the organisation's fields through the API ----------------------------------------------------------------


def test_the_ministry_records_a_signatory(ministry_client):
    organisation = factories.OrganisationFactory(kind="provider")
    response = ministry_client.patch(
        f"/api/v1/organisations/{organisation.slug}/",
        {"signatory_name": "Arta Berisha", "signatory_title": "Drejtoreshë"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["signatory_name"], response.json()["signatory_title"]) == ("Arta Berisha", "Drejtoreshë")
    organisation.refresh_from_db()
    assert organisation.signatory_name == "Arta Berisha"


def test_a_signatory_too_long_is_refused_and_nothing_is_written(ministry_client):
    organisation = factories.OrganisationFactory(kind="provider")
    response = ministry_client.patch(
        f"/api/v1/organisations/{organisation.slug}/", {"signatory_name": "x" * 129}, format="json"
    )
    assert response.status_code == 400
    assert "signatory_name" in response.json()["error"]["fields"]
    organisation.refresh_from_db()
    assert organisation.signatory_name == ""


def test_a_provider_cannot_change_its_signatory_through_the_catalogue(client_for):
    organisation = factories.OrganisationFactory(kind="provider")
    user = factories.UserFactory(organisation=organisation, role="provider")
    response = client_for(user).patch(
        f"/api/v1/organisations/{organisation.slug}/", {"signatory_name": "Me"}, format="json"
    )
    assert response.status_code in (403, 404)
    organisation.refresh_from_db()
    assert organisation.signatory_name == ""
