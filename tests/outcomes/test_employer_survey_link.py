"""outcomes.services.employer_survey_record: an employer rates only a graduate it is linked to, by the
graduate's tracer answer naming it or by its own verification of the graduate's certificate; otherwise
`employer_not_linked` and nothing is written (the API side: test_employer_surveys.py)."""

import datetime

import pytest

from core.errors import NotAllowed
from credentials.choices import CertificateStatus, VerificationChannel, VerificationOutcome
from credentials.models import VerificationEvent
from outcomes.choices import EmploymentStatus
from outcomes.models import EmployerSurvey
from outcomes.services import employer_survey_record
from registry.models import AuditEntry
from tests import factories as f

from .conftest import TracerResponseFactory, make_cohort, make_graduate

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 7, 15)


def rate(actor, employer, certificate):
    return employer_survey_record(
        actor=actor, employer=employer, certificate=certificate, graduate_satisfaction=4, surveyed_on=DAY
    )


def verified(certificate, organisation, outcome=VerificationOutcome.VALID):
    return VerificationEvent.objects.create(
        certificate=certificate,
        verification_id_tried=certificate.verification_id,
        outcome=outcome,
        channel=VerificationChannel.API,
        verifier_organisation=organisation,
    )


def refused(actor, employer, certificate) -> None:
    audited = AuditEntry.objects.count()
    with pytest.raises(NotAllowed) as caught:
        rate(actor, employer, certificate)
    assert caught.value.code == "employer_not_linked"
    assert caught.value.status_code == 403
    assert EmployerSurvey.objects.count() == 0
    assert AuditEntry.objects.count() == audited


def test_without_any_link_the_rating_is_refused(verifier_user, municipality_org, certificate):
    refused(verifier_user, municipality_org, certificate)


@pytest.mark.parametrize("wave", [6, 12])
def test_a_tracer_answer_naming_the_employer_links_them(verifier_user, municipality_org, certificate, wave):
    TracerResponseFactory(
        certificate=certificate,
        wave=wave,
        employer=municipality_org,
        employment_status=EmploymentStatus.EMPLOYED_MUNICIPALITY,
    )

    survey = rate(verifier_user, municipality_org, certificate)

    assert survey.employer == municipality_org and survey.enrolment_id == certificate.enrolment_id


@pytest.mark.parametrize(
    "outcome",
    [
        VerificationOutcome.VALID,
        VerificationOutcome.SUSPENDED,
        VerificationOutcome.SUPERSEDED,
        VerificationOutcome.REVOKED,
    ],
)
def test_the_employers_own_verification_of_the_certificate_links_them(
    verifier_user, municipality_org, certificate, outcome
):
    verified(certificate, municipality_org, outcome)

    assert rate(verifier_user, municipality_org, certificate).certificate == certificate


def test_a_verification_of_the_graduates_earlier_certificate_counts(verifier_user, municipality_org, certificate):
    earlier = f.CertificateFactory(enrolment=certificate.enrolment, status=CertificateStatus.SUPERSEDED)
    certificate.supersedes = earlier
    certificate.save(update_fields=["supersedes"])
    verified(earlier, municipality_org, VerificationOutcome.SUPERSEDED)

    assert rate(verifier_user, municipality_org, certificate).certificate == certificate


def test_links_that_are_not_this_employers_to_this_graduate_do_not_count(verifier_user, municipality_org, certificate):
    other_employer = f.OrganisationFactory(municipality_org=True)
    other_graduate = make_graduate(make_cohort())
    # Another employer named; only a free-text name that happens to be this employer's; another
    # organisation's check; an anonymous check; this employer's check of someone else; a forged QR token.
    TracerResponseFactory(certificate=certificate, employer=other_employer)
    TracerResponseFactory(certificate=certificate, wave=12, employer=None, employer_name=municipality_org.name)
    verified(certificate, other_employer)
    verified(certificate, None)
    verified(other_graduate, municipality_org)
    verified(certificate, municipality_org, VerificationOutcome.TOKEN_MISMATCH)

    refused(verifier_user, municipality_org, certificate)


def test_the_ministry_cannot_record_a_rating_for_an_employer_without_a_link(ministry_user, certificate):
    employer = f.OrganisationFactory(employer=True)

    refused(ministry_user, employer, certificate)

    TracerResponseFactory(certificate=certificate, employer=employer)
    assert rate(ministry_user, employer, certificate).recorded_by == ministry_user
