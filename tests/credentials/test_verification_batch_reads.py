"""A batch reads its certificates as the single verification does (values, one statement, the same signature memo),
records every item's event in one INSERT of plain values, and writes its answer as DRF would (ADR 0027)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.renderers import JSONRenderer

from credentials.models import VerificationEvent
from credentials.verification import lookup
from credentials.verification.checks import signature_memo
from credentials.verification.events import ip_hash
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh():
    cache.clear()
    signature_memo.clear()
    yield
    cache.clear()


def test_a_batch_shares_the_signature_memo_with_the_single_verification(client_for, verifier_user, monkeypatch):
    # Rows without a signature MAC (issued before ADR 0029): checked with the key, and that verdict memoised.
    certificates = factories.CertificateFactory.create_batch(3, signature_mac="")
    checked = []
    original = lookup.LookedUpCertificate._check
    monkeypatch.setattr(
        lookup.LookedUpCertificate, "_check", lambda self, text: checked.append(self.id) or original(self, text)
    )
    client = client_for(verifier_user)
    items = [{"verification_id": c.verification_id} for c in certificates] * 2  # each id twice: read once
    assert client.post("/api/v1/verifications", {"items": items}, format="json").json()["valid_count"] == 6
    assert sorted(checked) == sorted(c.id for c in certificates)
    assert client.get(f"/api/v1/verifications/{certificates[0].verification_id}").json()["valid"] is True
    assert len(checked) == 3  # the single verification found the batch's verdict


def test_a_batch_records_each_items_event_with_its_caller(client_for, verifier_user):
    certificate = factories.CertificateFactory()
    items = [{"verification_id": certificate.verification_id}, {"verification_id": "0" * 26}, {"verification_id": "!"}]
    client = client_for(verifier_user)
    response = client.post(
        "/api/v1/verifications", {"items": items}, format="json", HTTP_USER_AGENT="Mozilla/5.0 Firefox/140.0"
    )
    assert response.status_code == 200
    events = list(VerificationEvent.objects.order_by("id"))
    assert [(e.certificate_id, e.outcome) for e in events] == [
        (certificate.id, "valid"),
        (None, "not_found"),
        (None, "malformed"),
    ]
    assert [e.verification_id_tried for e in events][:2] == [certificate.verification_id, "0" * 26]
    assert {(e.channel, e.verifier_organisation_id, e.ip_hash, e.user_agent_family) for e in events} == {
        ("batch", verifier_user.organisation_id, ip_hash("127.0.0.1"), "firefox")
    }
    assert len({e.created_at for e in events}) == 1


def test_a_bad_batch_writes_no_event(client_for, verifier_user):
    client = client_for(verifier_user)
    response = client.post("/api/v1/verifications", {"items": [{"verification_id": 5}]}, format="json")
    assert response.status_code == 400
    assert VerificationEvent.objects.count() == 0


def test_a_batch_answer_is_the_bytes_drf_would_write(client_for, verifier_user):
    certificate = factories.CertificateFactory(holder_name="Ardita\u2028Krasniqi")
    items = [{"verification_id": certificate.verification_id}, {"verification_id": "!"}]
    response = client_for(verifier_user).post("/api/v1/verifications", {"items": items}, format="json")
    assert response.status_code == 200
    assert response.content == JSONRenderer().render(response.json())
