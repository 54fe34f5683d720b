"""ADR 0029: a verification accepts a certificate row's signature MAC (the registry's HMAC over the signed bytes,
made once it checked the signature with the key) instead of asking the key again; anything the MAC does not
vouch for is checked with the key, so a row altered in the database fails exactly as before."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from credentials import signing
from credentials.models import Certificate
from credentials.services import certificate_reissue
from credentials.signing import canonical_json, load_keyring, mac_matches, signature_mac
from credentials.verification import lookup
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_calls(monkeypatch):
    """How many times a verification asked the Ed25519 key."""
    calls = []
    original = signing._verify_with_key

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(signing, "_verify_with_key", counted)
    lookup.signature_memo.clear()
    return calls


def _checks(response) -> dict:
    return {check["check"]: check for check in response.json()["checks"]}


def test_issuance_makes_the_mac_and_a_verification_does_not_ask_the_key(provider_user, enrolment, key_calls):
    from credentials.services import certificate_issue

    certificate, _created = certificate_issue(actor=provider_user, enrolment=enrolment)
    assert len(certificate.signature_mac) == 64
    message = canonical_json(certificate.snapshot)
    assert certificate.signature_mac == signature_mac(message, certificate.signature, certificate.key_id)

    response = Client().get(f"/api/v1/verifications/{certificate.verification_id}")
    assert response.status_code == 200
    assert _checks(response)["signature"]["code"] == "signature_valid"
    assert response.json()["valid"] is True
    assert key_calls == []
    assert certificate.signature_mac not in response.content.decode()  # not part of any answer


def test_a_snapshot_changed_in_the_database_fails_even_with_its_mac(key_calls):
    certificate = factories.CertificateFactory()
    assert certificate.signature_mac
    snapshot = {**certificate.snapshot, "holder": {**certificate.snapshot["holder"], "full_name": "Someone Else"}}
    Certificate.objects.filter(pk=certificate.pk).update(snapshot=snapshot)

    response = Client().get(f"/api/v1/verifications/{certificate.verification_id}")
    assert _checks(response)["signature"]["code"] == "signature_invalid"
    assert response.json()["valid"] is False
    assert key_calls == [1]  # the MAC did not match: the key was asked, and said no


def test_a_mac_copied_from_another_row_vouches_for_nothing(key_calls):
    first, second = factories.CertificateFactory(), factories.CertificateFactory()
    # The attacker copies the whole signed record of one certificate onto the other row.
    Certificate.objects.filter(pk=second.pk).update(
        snapshot=first.snapshot, signature=first.signature, signature_mac=first.signature_mac
    )
    response = Client().get(f"/api/v1/verifications/{second.verification_id}")
    assert _checks(response)["signature"]["code"] == "snapshot_mismatch"
    assert response.json()["valid"] is False


def test_a_forged_signature_never_gets_a_mac():
    forged = signing.b64url_encode(b"\x00" * 64)
    certificate = factories.CertificateFactory(signature=forged)
    assert certificate.signature_mac == ""


def test_a_wrong_or_stale_mac_falls_back_to_the_key(settings, key_calls):
    certificate = factories.CertificateFactory()
    Certificate.objects.filter(pk=certificate.pk).update(signature_mac="0" * 64)
    response = Client().get(f"/api/v1/verifications/{certificate.verification_id}")
    assert _checks(response)["signature"]["code"] == "signature_valid"
    assert key_calls == [1]

    # A SECRET_KEY rotation makes every MAC stale: still valid, by the key, until the command makes them again.
    Certificate.objects.filter(pk=certificate.pk).update(signature_mac=certificate.signature_mac)
    settings.SECRET_KEY = "another-secret-key-" + "y" * 40
    lookup.signature_memo.clear()
    key_calls.clear()
    assert _checks(Client().get(f"/api/v1/verifications/{certificate.verification_id}"))["signature"]["result"] == "ok"
    assert key_calls == [1]

    out = io.StringIO()
    call_command("refresh_signature_macs", stdout=out, stderr=io.StringIO())
    assert "1 certificates checked, 1 MACs made; 0 whose signature does not verify" in out.getvalue()
    lookup.signature_memo.clear()
    key_calls.clear()
    assert _checks(Client().get(f"/api/v1/verifications/{certificate.verification_id}"))["signature"]["result"] == "ok"
    assert key_calls == []


def test_the_command_makes_missing_macs_and_never_one_for_an_altered_row():
    kept, missing, altered = (factories.CertificateFactory() for _ in range(3))
    Certificate.objects.filter(pk__in=[missing.pk, altered.pk]).update(signature_mac="")
    snapshot = {**altered.snapshot, "awarded_on": "2020-01-01"}
    Certificate.objects.filter(pk=altered.pk).update(snapshot=snapshot)

    out = io.StringIO()
    call_command("refresh_signature_macs", stdout=out, stderr=io.StringIO())
    assert "3 certificates checked, 1 MACs made; 1 whose signature does not verify" in out.getvalue()
    macs = dict(Certificate.objects.values_list("pk", "signature_mac"))
    assert macs[kept.pk] == kept.signature_mac
    assert macs[missing.pk] == missing.signature_mac  # the same MAC issuance made
    assert macs[altered.pk] == ""


def test_a_key_taken_out_of_the_keyring_fails_even_with_a_mac():
    certificate = factories.CertificateFactory()
    keyring = load_keyring()
    args = (certificate.snapshot, certificate.signature, certificate.key_id, certificate.signature_mac)
    assert mac_matches(*args, keyring=keyring)
    without = signing.Keyring(keys={}, active_kid=None)
    assert not mac_matches(*args, keyring=without)
    assert not signing.verify_snapshot(*args[:3], keyring=without, mac=certificate.signature_mac)


def test_a_reissue_makes_the_new_certificates_mac(provider_user, enrolment, key_calls):
    from credentials.services import certificate_issue

    certificate, _created = certificate_issue(actor=provider_user, enrolment=enrolment)
    new = certificate_reissue(actor=provider_user, certificate=certificate, given_name="Arta", family_name="Krasniqi")
    assert new.signature_mac and mac_matches(
        new.snapshot, new.signature, new.key_id, new.signature_mac, keyring=load_keyring()
    )
    response = Client().get(f"/api/v1/verifications/{new.verification_id}")
    assert _checks(response)["signature"]["result"] == "ok"
    assert key_calls == []


def test_a_batch_takes_the_mac_too(verifier_client, key_calls):
    certificates = [factories.CertificateFactory() for _ in range(3)]
    response = verifier_client.post(
        "/api/v1/verifications",
        {"items": [{"verification_id": c.verification_id} for c in certificates]},
        format="json",
    )
    assert response.status_code == 200
    assert [item["result"]["valid"] for item in response.json()["results"]] == [True, True, True]
    assert key_calls == []


def test_the_mac_is_djangos_salted_hmac_under_the_current_secret_key(settings):
    from django.utils.crypto import salted_hmac

    from credentials.signing import MAC_SALT

    value = b"\n".join((b"key-1", b"c2lnbmF0dXJl", b'{"a":1}'))
    made = signature_mac(b'{"a":1}', "c2lnbmF0dXJl", "key-1")
    assert made == salted_hmac(MAC_SALT, value, algorithm="sha256").hexdigest()
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40  # a rotation: the next MAC is under the new key
    assert (
        signature_mac(b'{"a":1}', "c2lnbmF0dXJl", "key-1")
        == salted_hmac(MAC_SALT, value, secret=settings.SECRET_KEY, algorithm="sha256").hexdigest()
    )
    assert signature_mac(b'{"a":1}', "c2lnbmF0dXJl", "key-1") != made
