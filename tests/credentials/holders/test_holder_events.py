"""Who is written to, and in which language: a learner's language and e-mail through the API (validated); a cohort's
issuance e-mails every holder after one task; a name reissue tells the holder the old certificate is superseded."""

from __future__ import annotations

import pytest
from django.core import mail

from credentials import services as svc
from credentials.models import EmailKind, Learner, OutboundEmail
from tests import factories

BODY = {
    "given_name": "Ardita",
    "family_name": "Krasniqi",
    "date_of_birth": "1998-02-03",
    "personal_number": "1234567890",
    "gender": "female",
}


def test_a_learners_e_mail_and_language_are_validated(provider_client):
    created = provider_client.post(
        "/api/v1/learners/", {**BODY, "email": "ardita@example.org", "language": "sr-latn"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["language"] == "sr-latn"
    for bad in ({"language": "xx"}, {"email": "not an address"}, {"email": "a@b.org\r\nBcc: c@d.org"}):
        response = provider_client.post(
            "/api/v1/learners/", {**BODY, "personal_number": "1234567891", **bad}, format="json"
        )
        assert response.status_code == 400, bad
    assert Learner.objects.count() == 1


def test_a_cohort_issuance_e_mails_every_holder(provider_user, django_capture_on_commit_callbacks):
    provider = provider_user.organisation
    first = factories.issuable_enrolment(provider=provider)
    cohort = first.cohort
    first.learner.email = "one@example.org"
    first.learner.save()
    second = factories.issuable_enrolment(provider=provider, cohort=cohort, curriculum=cohort.curriculum)
    second.learner.email = "two@example.org"
    second.learner.save()
    factories.issuable_enrolment(
        provider=provider, cohort=cohort, curriculum=cohort.curriculum
    )  # no address: no message
    with django_capture_on_commit_callbacks(execute=True):
        result = svc.cohort_issue_certificates(actor=provider_user, cohort=cohort)
    assert len(result.issued) == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["one@example.org", "two@example.org"]


def test_a_reissue_tells_the_holder(issue, provider_user, django_capture_on_commit_callbacks):
    certificate = issue(email="ardita@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        svc.certificate_reissue(
            actor=provider_user, certificate=certificate, given_name="Ardita", family_name="Krasniqi-Berisha"
        )
    (message,) = mail.outbox
    assert certificate.serial_number in message.subject
    record = OutboundEmail.objects.get(kind=EmailKind.CERTIFICATE_STATUS)
    assert record.context["status"] == "superseded"


@pytest.mark.parametrize("status_path,body", [("suspend", {"reason_code": "other"})])
def test_a_suspension_and_a_reinstatement_tell_the_holder(
    issue, provider_client, django_capture_on_commit_callbacks, status_path, body
):
    certificate = issue(email="ardita@example.org", language="en")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        provider_client.post(f"/api/v1/certificates/{certificate.pk}/{status_path}", body, format="json")
        provider_client.post(f"/api/v1/certificates/{certificate.pk}/reinstate", {}, format="json")
    subjects = [m.subject for m in mail.outbox]
    assert len(subjects) == 2 and "suspended" in subjects[0] and "valid again" in subjects[1]
