"""A batch's items are checked by one serializer (not one per item: that copied its fields 500 times): the first bad
item is still the one reported, with its position and field, and nothing is verified or logged."""

from __future__ import annotations

import pytest

from credentials.models import VerificationEvent
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_batch_names_its_first_bad_item_and_verifies_nothing(client_for, verifier_user):
    certificate = factories.CertificateFactory()
    good = {"verification_id": certificate.verification_id}
    items = [good, good, {"verification_id": ["not", "text"]}, good, {"qr": 7}]
    response = client_for(verifier_user).post(
        "/api/v1/verifications", {"items": items}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {"items.2.verification_id": ["Expected text."]}
    assert VerificationEvent.objects.count() == 0


def test_a_batch_of_good_items_is_answered_in_order(client_for, verifier_user):
    certificates = [factories.CertificateFactory() for _ in range(3)]
    items = [{"verification_id": c.verification_id} for c in certificates] + [{"verification_id": "0" * 26}]
    body = client_for(verifier_user).post("/api/v1/verifications", {"items": items}, format="json").json()
    assert [r["index"] for r in body["results"]] == [0, 1, 2, 3]
    assert [r["result"]["verification_id"] for r in body["results"][:3]] == [c.verification_id for c in certificates]
    assert body["results"][3]["error"]["code"] == "not_found" and body["valid_count"] == 3
