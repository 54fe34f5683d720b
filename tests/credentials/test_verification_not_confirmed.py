"""A certificate the registry lists as valid, but whose checks do not all pass (its stored record no longer matches
its signature, or its provider was not accredited on the award date), is never shown as VALID: the page, the date
of birth answer and the verifier's results table say NOT CONFIRMED; the API keeps `outcome` (the status) with
`valid` false, as documented."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from credentials import admin_screens
from credentials.models import Certificate
from tests import factories

pytestmark = pytest.mark.django_db


def _tampered() -> Certificate:
    """A valid certificate whose stored record was changed after it was signed (a name edited in the database)."""
    certificate = factories.CertificateFactory()  # the holder born 1995-04-12
    snapshot = {**certificate.snapshot, "holder": {**certificate.snapshot["holder"], "given_name": "Someone"}}
    Certificate.objects.filter(pk=certificate.pk).update(snapshot=snapshot)
    certificate.refresh_from_db()
    return certificate


def test_the_page_of_a_record_that_fails_its_signature_says_not_confirmed(settings):
    certificate = _tampered()
    response = Client().get(f"/v/{certificate.verification_id}", HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-state="not_confirmed"' in page and "NOT CONFIRMED" in page
    assert 'data-state="valid"' not in page and 'class="banner s-valid"' not in page
    assert "This certificate is valid." not in page


def test_the_page_of_an_untouched_certificate_still_says_valid():
    certificate = factories.CertificateFactory()
    page = Client().get(f"/v/{certificate.verification_id}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-state="valid"' in page and "NOT CONFIRMED" not in page


def test_the_api_keeps_the_status_as_outcome_and_says_not_valid(anon_client):
    certificate = _tampered()
    body = anon_client.get(f"/api/v1/verifications/{certificate.verification_id}").json()
    assert (body["outcome"], body["valid"]) == ("valid", False)
    assert {check["check"]: check["result"] for check in body["checks"]}["signature"] == "failed"


def test_a_date_of_birth_match_on_such_a_record_is_not_shown_as_valid():
    certificate = _tampered()
    client = Client(enforce_csrf_checks=False)
    response = client.post("/v/?lang=en", {"serial_number": certificate.serial_number, "date_of_birth": "1995-04-12"})
    page = response.content.decode()
    assert "MATCHES · NOT CONFIRMED" in page
    assert "This certificate is valid." not in page


def test_the_verifiers_results_table_says_not_confirmed(verifier_user):
    certificate = _tampered()
    request = RequestFactory().post("/admin/credentials/check-candidates/")
    request.user = verifier_user
    rows = admin_screens.check(request, admin_screens.parse_candidates(certificate.verification_id))
    assert [(row.outcome, row.valid) for row in rows] == [("not_confirmed", False)]
    assert rows[0].outcome_label == str(admin_screens.OUTCOMES["not_confirmed"])
