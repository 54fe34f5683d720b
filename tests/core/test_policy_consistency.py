"""The access policy (core/policy.py) seen from outside: every endpoint that shows certificates, or what
hangs off them, agrees on which certificates each role may see.

It once did not: an awarding body saw a certificate in /certificates but none of its verification events,
and an NQA user saw events of certificates it could not read."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from core.roles import Role
from credentials.choices import VerificationChannel, VerificationOutcome
from credentials.models import VerificationEvent
from tests import factories as f
from tests.outcomes.conftest import TracerResponseFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _certificate(provider, qualification):
    curriculum = f.CurriculumFactory(qualification=qualification)
    return f.CertificateFactory(enrolment=f.issuable_enrolment(provider=provider, curriculum=curriculum))


@pytest.fixture
def world(client_for):
    """Two providers, two awarding bodies (one the qualification authority), three certificates, their
    events (one by a municipality) and tracer answers; a client for each kind of caller."""
    p1, p2 = f.OrganisationFactory(slug="p1"), f.OrganisationFactory(slug="p2")
    ocn = f.OrganisationFactory(slug="ocn", foreign_awarding_body=True)
    nqa = f.OrganisationFactory(slug="nqa-x", authority=True)
    q_ocn, q_nqa = f.QualificationFactory(awarding_body=ocn), f.QualificationFactory(awarding_body=nqa)
    certs = {"p1-ocn": _certificate(p1, q_ocn), "p2-nqa": _certificate(p2, q_nqa), "p1-nqa": _certificate(p1, q_nqa)}
    # Issued before the party rules: Pearson's institutional accreditation let P2 issue NQA's qualification.
    pearson = f.OrganisationFactory(slug="pearson-x", foreign_awarding_body=True)
    legacy_enrolment = f.issuable_enrolment(provider=p2, curriculum=certs["p2-nqa"].curriculum)
    institutional = f.AccreditationFactory(provider=p2, qualification=None, nqf_level=q_nqa.nqf_level, agent=pearson)
    certs["p2-legacy"] = f.CertificateFactory(enrolment=legacy_enrolment, accreditation=institutional)
    municipality = f.OrganisationFactory(slug="muni", municipality_org=True)
    for cert in certs.values():
        for organisation in (None, municipality if cert is certs["p1-ocn"] else None):
            VerificationEvent.objects.create(
                certificate=cert,
                verification_id_tried=cert.verification_id,
                outcome=VerificationOutcome.VALID,
                channel=VerificationChannel.API,
                verifier_organisation=organisation,
            )
        TracerResponseFactory(certificate=cert)
    users = {
        "ministry": f.UserFactory(ministry=True),
        "p1": f.UserFactory(organisation=p1),
        "p2": f.UserFactory(organisation=p2),
        "ocn": f.UserFactory(organisation=ocn),
        "nqa as awarding body": f.UserFactory(organisation=nqa, role=Role.AWARDING_BODY),
        "pearson": f.UserFactory(organisation=pearson),
        "municipality": f.UserFactory(organisation=municipality),
    }
    clients = {name: client_for(user) for name, user in users.items()} | {"anonymous": client_for(None)}
    return certs, clients


# Written out by hand from DESIGN.md's table, not from core.policy: the ministry reads all, a provider
# what it issued, an awarding body what was issued under the accreditations it granted, nobody else any.
EXPECTED = {
    "ministry": {"p1-ocn", "p2-nqa", "p1-nqa", "p2-legacy"},
    "p1": {"p1-ocn", "p1-nqa"},
    "p2": {"p2-nqa", "p2-legacy"},
    "ocn": {"p1-ocn"},
    "nqa as awarding body": {"p2-nqa", "p1-nqa"},
    "pearson": {"p2-legacy"},
    "municipality": set(),
    "anonymous": set(),
}


AWARDING_BODIES = {"ocn", "nqa as awarding body", "pearson"}


def _ids(client, path, field):
    response = client.get(f"{API}/{path}/", {"page_size": 500})
    if response.status_code in (401, 403):
        return set()
    assert response.status_code == 200, (path, response.content)
    return {row[field] for row in response.json()["results"]}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_every_endpoint_agrees_on_which_certificates_a_role_sees(who, world):
    certs, clients = world
    client, name_of = clients[who], {c.pk: name for name, c in certs.items()}
    expected = EXPECTED[who]

    listed = {name_of[pk] for pk in _ids(client, "certificates", "id")}
    details = {name for name, c in certs.items() if client.get(f"{API}/certificates/{c.pk}/").status_code == 200}
    pdfs = {name for name, c in certs.items() if client.get(f"{API}/certificates/{c.pk}/pdf").status_code == 200}
    events = {name_of[pk] for pk in _ids(client, "verification-events", "certificate")}
    tracer = {name_of[pk] for pk in _ids(client, "tracer-responses", "certificate")}

    assert listed == details == expected
    # The PDF prints the transcript (module results): the provider's and the ministry's, no awarding body's.
    assert pdfs == (set() if who in AWARDING_BODIES else expected)
    assert tracer == expected
    if who == "municipality":
        assert events == {"p1-ocn"}  # its own verification, and nothing else
    else:
        assert events == expected


@pytest.mark.parametrize("who", ["p2", "ocn", "municipality", "anonymous"])
def test_a_certificate_out_of_scope_answers_exactly_as_a_missing_one(who, world):
    certs, clients = world
    theirs = clients[who].get(f"{API}/certificates/{certs['p1-nqa'].pk}/pdf")
    missing = clients[who].get(f"{API}/certificates/{certs['p1-nqa'].pk + 10_000}/pdf")
    assert theirs.status_code == missing.status_code
    assert theirs.json()["error"]["code"] == missing.json()["error"]["code"]
