"""/status/{n}/{purpose}: the signed BitstringStatusListCredential; the next fetch after a change reflects it."""

import pytest

from credentials.models import StatusListEntry
from credentials.services import (
    certificate_reinstate,
    certificate_reissue,
    certificate_revoke,
    certificate_suspend,
)
from credentials.status_list import bitstring

pytestmark = pytest.mark.django_db


def _url(purpose, number=1):
    return f"/status/{number}/{purpose}"


def _bits(client, purpose, number=1) -> bytes:
    response = client.get(_url(purpose, number))
    assert response.status_code == 200
    return bitstring.decode(response.json()["credentialSubject"]["encodedList"])


def _bit(client, certificate, purpose) -> bool:
    entry = StatusListEntry.objects.get(certificate=certificate)
    return bitstring.bit(_bits(client, purpose, entry.status_list.number), entry.index)


def test_the_list_is_a_bitstring_status_list_credential(client, certificate, settings):
    response = client.get(_url("revocation"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    body = response.json()
    url = f"{settings.PUBLIC_BASE_URL}/status/1/revocation"
    assert body["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert body["id"] == url
    assert body["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert body["issuer"].startswith("did:web:")
    assert body["validFrom"].endswith("Z")
    subject = body["credentialSubject"]
    assert subject["id"] == f"{url}#list"
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    assert subject["encodedList"].startswith("u")
    assert len(bitstring.decode(subject["encodedList"])) * 8 >= 131_072
    assert client.get(_url("suspension")).json()["credentialSubject"]["statusPurpose"] == "suspension"


def test_ttl_and_cache_control_agree(client, certificate, settings):
    settings.STATUS_LIST_TTL = 120
    response = client.get(_url("revocation"))
    assert response["Cache-Control"] == "public, max-age=120"
    assert response.json()["credentialSubject"]["ttl"] == 120_000
    assert response["Access-Control-Allow-Origin"] == "*"


def test_etag_and_304(client, certificate):
    first = client.get(_url("revocation"))
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = client.get(_url("revocation"), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and again["Cache-Control"] == first["Cache-Control"]
    assert client.get(_url("revocation"), HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304
    assert client.get(_url("revocation"), HTTP_IF_NONE_MATCH='"other"').status_code == 200
    # the other purpose is another resource
    assert client.get(_url("suspension"), HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_change_gives_a_new_etag_and_the_old_one_no_longer_answers_304(client, certificate):
    etag = client.get(_url("revocation"))["ETag"]
    certificate_revoke(actor=None, certificate=certificate, reason_code="fraud", reference="Case 1")
    response = client.get(_url("revocation"), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag


def test_the_next_fetch_reflects_revocation(client, certificate, issue):
    bystander = issue()
    assert not _bit(client, certificate, "revocation")  # fetched (and cached) before the change
    certificate_revoke(actor=None, certificate=certificate, reason_code="fraud", reference="Case 1")
    assert _bit(client, certificate, "revocation")
    assert not _bit(client, certificate, "suspension")
    assert not _bit(client, bystander, "revocation")


def test_the_next_fetch_reflects_suspension_and_reinstatement(client, certificate):
    assert not _bit(client, certificate, "suspension")
    certificate_suspend(actor=None, certificate=certificate, reason_code="other", reference="Inquiry 4")
    assert _bit(client, certificate, "suspension")
    assert not _bit(client, certificate, "revocation")
    certificate_reinstate(actor=None, certificate=certificate, reference="Inquiry 4 closed")
    assert not _bit(client, certificate, "suspension")
    assert not _bit(client, certificate, "revocation")


def test_a_suspended_certificate_revoked_moves_from_one_list_to_the_other(client, certificate):
    certificate_suspend(actor=None, certificate=certificate, reason_code="other", reference="Inquiry 4")
    assert _bit(client, certificate, "suspension")
    certificate_revoke(actor=None, certificate=certificate, reason_code="fraud", reference="Case 1")
    assert _bit(client, certificate, "revocation") and not _bit(client, certificate, "suspension")


def test_the_next_fetch_reflects_supersession(client, certificate):
    assert not _bit(client, certificate, "revocation")
    new = certificate_reissue(actor=None, certificate=certificate, given_name="Ardita", family_name="Krasniqi-Berisha")
    assert _bit(client, certificate, "revocation")
    assert not _bit(client, new, "revocation") and not _bit(client, new, "suspension")


def test_a_change_made_through_the_api_shows_at_once(client, ministry_client, certificate):
    assert not _bit(client, certificate, "revocation")
    response = ministry_client.post(
        f"/api/v1/certificates/{certificate.pk}/revoke", {"reason_code": "fraud", "reference": "Case 9"}
    )
    assert response.status_code == 200, response.json()
    assert _bit(client, certificate, "revocation")


def test_a_refused_change_leaves_the_list_as_it_was(client, provider_client, certificate):
    etag = client.get(_url("revocation"))["ETag"]
    response = provider_client.post(f"/api/v1/certificates/{certificate.pk}/revoke", {"reason_code": "fraud"})
    assert response.status_code == 400
    assert client.get(_url("revocation"), HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.parametrize(
    "path", ["/status/2/revocation", "/status/0/revocation", "/status/1/other", "/status/x/revocation"]
)
def test_unknown_lists_are_404(client, certificate, path):
    assert client.get(path).status_code == 404


def test_only_safe_methods(client, certificate):
    assert client.post(_url("revocation")).status_code == 405
    assert client.head(_url("revocation")).status_code == 200


def test_a_list_is_built_once_per_version(client, certificate, django_assert_num_queries):
    client.get(_url("revocation"))
    with django_assert_num_queries(1):  # the list's row (its version); the body comes from the cache
        assert client.get(_url("revocation")).status_code == 200


def test_the_list_is_signed_by_the_registry_and_a_changed_bit_breaks_the_proof(client, certificate):
    from credentials.vc.did import issuer_did, resolve_own_method
    from credentials.vc.proof import verify_proof

    body = client.get(_url("revocation")).json()
    assert body["issuer"] == issuer_did()
    (proof,) = body["proof"]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022" and proof["verificationMethod"].startswith(issuer_did() + "#")
    assert proof["created"] == body["validFrom"]
    assert verify_proof(body, resolve_own_method)
    entry = StatusListEntry.objects.get(certificate=certificate)
    body["credentialSubject"]["encodedList"] = bitstring.encode_list([entry.index], 131_072)
    assert not verify_proof(body, resolve_own_method)


def test_the_same_version_built_again_gives_the_same_bytes(client, certificate):
    from django.core.cache import cache

    first = client.get(_url("suspension"))
    cache.clear()  # another worker, or an evicted entry
    second = client.get(_url("suspension"))
    assert first.content == second.content and first["ETag"] == second["ETag"]


def test_bit_is_set_reads_the_statuses(certificate, issue):
    from credentials.status_list.lists import bit_is_set

    entry = StatusListEntry.objects.get(certificate=certificate)
    free = next(i for i in range(131_072) if not StatusListEntry.objects.filter(index=i).exists())
    assert bit_is_set("revocation", 1, entry.index) is False
    assert bit_is_set("revocation", 1, free) is False
    assert bit_is_set("revocation", 2, entry.index) is None  # no such list
    assert bit_is_set("revocation", 1, 131_072) is None  # outside the list
    assert bit_is_set("expiry", 1, entry.index) is None
    certificate_suspend(actor=None, certificate=certificate, reason_code="other", reference="Inquiry")
    assert bit_is_set("suspension", 1, entry.index) is True and bit_is_set("revocation", 1, entry.index) is False


def test_without_a_signing_key_the_list_is_503_not_unsigned(client, certificate, settings, tmp_path):
    (tmp_path / "empty").mkdir()
    settings.SIGNING_KEYS_DIR = tmp_path / "empty"  # no key at all (the keyring is read per settings)
    response = client.get(_url("revocation"))
    assert response.status_code == 503 and response.json()["error"]["code"] == "unavailable"
