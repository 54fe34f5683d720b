"""No public verification response carries personal data: a walk over every public response (page in each
language and the API, every status, every request form) looking for the learner's personal number, date of
birth in several formats, e-mail and module outcomes."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from credentials.choices import ResultOutcome
from credentials.tokens import verification_url
from tests import factories

pytestmark = pytest.mark.django_db

PERSONAL_NUMBER = "1234509876"
DOB = datetime.date(1993, 11, 27)
DOB_FORMATS = [
    DOB.isoformat(),  # 1993-11-27
    DOB.strftime("%d.%m.%Y"),  # 27.11.1993
    DOB.strftime("%d/%m/%Y"),
    DOB.strftime("%m/%d/%Y"),
    DOB.strftime("%Y%m%d"),
    DOB.strftime("%d%m%Y"),
    "27.11.93",
    "27 Nov",
    "November 27",
    "27 nëntor",
    "27. novembar",
]


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def _certificate(status: str):
    enrolment = factories.issuable_enrolment(
        learner__personal_number=PERSONAL_NUMBER,
        learner__date_of_birth=DOB,
        learner__email="ardita.k@example.org",
        learner__given_name="Ardita",
        learner__family_name="Krasniqi",
    )
    # One failed optional module, so an outcome exists that would show if results leaked.
    module = factories.CurriculumModuleFactory(curriculum=enrolment.cohort.curriculum, code="OPT9", mandatory=False)
    factories.ModuleResultFactory(enrolment=enrolment, module=module, outcome=ResultOutcome.FAIL)
    extra = {"status_reason_code": "fraud", "status_reference": "COURT-2026-1"} if status == "revoked" else {}
    changed = timezone.now() if status != "valid" else None
    return factories.CertificateFactory(enrolment=enrolment, status=status, status_changed_at=changed, **extra)


def _public_responses(anon_client, client_for, verifier_user, certificate):
    vid, serial = certificate.verification_id, certificate.serial_number
    verifier = client_for(verifier_user)
    responses = {}
    for lang in ("sq", "sr", "en"):
        responses[f"page {lang}"] = anon_client.get(f"/v/{vid}?lang={lang}")
    responses["page unknown"] = anon_client.get("/v/0BV7Q3M9XKZ1P4R8T2W6Y5C0DE")
    responses["page malformed"] = anon_client.get(f"/v/{vid}U")
    responses["api get"] = anon_client.get(f"/api/v1/verifications/{vid}")
    responses["api qr"] = anon_client.post(
        "/api/v1/verifications", {"qr": verification_url(certificate)}, format="json"
    )
    for dob in (DOB.isoformat(), "1990-01-01", "1993-11-28"):
        responses[f"api dob {dob}"] = anon_client.post(
            "/api/v1/verifications", {"serial_number": serial, "date_of_birth": dob}, format="json"
        )
    responses["api bad dob"] = anon_client.post(
        "/api/v1/verifications", {"serial_number": serial, "date_of_birth": "27/11/1993"}, format="json"
    )
    responses["batch"] = verifier.post(
        "/api/v1/verifications",
        {
            "items": [
                {"verification_id": vid},
                {"qr": verification_url(certificate)},
                {"serial_number": serial, "date_of_birth": DOB.isoformat()},
                {"serial_number": serial, "date_of_birth": "2000-01-01"},
            ]
        },
        format="json",
    )
    responses["verifier get"] = verifier.get(f"/api/v1/verifications/{vid}")
    responses["form"] = anon_client.get("/v/")
    for dob in (DOB.isoformat(), "1990-01-01"):
        for lang in ("sq", "en"):
            responses[f"form dob {dob} {lang}"] = anon_client.post(
                f"/v/?lang={lang}", {"serial_number": serial, "date_of_birth": dob}
            )
    return responses


@pytest.mark.parametrize("status", ["valid", "revoked", "suspended", "superseded"])
def test_no_public_response_carries_personal_data(anon_client, client_for, verifier_user, status):
    certificate = _certificate(status)
    responses = _public_responses(anon_client, client_for, verifier_user, certificate)
    seen_name = 0
    for name, response in responses.items():
        assert response.status_code < 500, name
        text = response.content.decode()
        seen_name += "Krasniqi" in text
        lowered = text.lower()
        for needle in [PERSONAL_NUMBER, "ardita.k@example.org", "personal_number", 'date_of_birth": "', *DOB_FORMATS]:
            assert needle.lower() not in lowered, f"{needle!r} in {name}"
        for needle in (
            '"outcome": "fail"',
            '"outcome":"fail"',
            '"outcome": "pass"',
            '"modules"',
            "OPT9",
            "COURT-2026-1",
        ):
            assert needle.lower() not in lowered, f"{needle!r} in {name}"
        assert "fraud" not in lowered, name
    assert seen_name >= 8  # the walk did look at answers that show the certificate


def test_the_walk_would_catch_a_leak(anon_client, client_for, verifier_user):
    """Guard for the test above: the needles are really in the learner's record and its snapshot."""
    certificate = _certificate("valid")
    assert certificate.learner.personal_number == PERSONAL_NUMBER and certificate.learner.date_of_birth == DOB
    assert any(m["outcome"] == "fail" for m in certificate.snapshot["modules"])
