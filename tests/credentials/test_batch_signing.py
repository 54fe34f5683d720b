"""A batch signer (bulk issuance, ADR 0028) makes the same signatures as `sign_bytes` and checks every one: a
computation that gives two different signatures, a key that does not match its public key, or a rotation during
the batch raises SigningError, and a cohort issuance that meets one writes nothing."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials import batch_signing
from credentials.batch_signing import BatchSigner
from credentials.models import Certificate
from credentials.services import cohort_issue_certificates
from credentials.signing import SigningError, generate_signing_key, load_keyring, sign_bytes, verify_snapshot
from credentials.tokens import verification_url, verify_certificate_token
from registry.models import AuditEntry
from tests import factories
from tests.factories import TODAY

pytestmark = pytest.mark.django_db


class _FaultyKey:
    """A private key whose every other signature has one bit flipped (a fault during the computation)."""

    def __init__(self, key):
        self.key, self.calls = key, 0

    def sign(self, message: bytes) -> bytes:
        self.calls += 1
        signature = self.key.sign(message)
        return signature if self.calls % 2 else bytes([signature[0] ^ 1]) + signature[1:]


def test_the_signatures_are_those_of_sign_bytes():
    signer = BatchSigner()
    for message in (b"one", b"two", "Ђорђе".encode()):
        assert signer.sign(message) == sign_bytes(message)
    signer.close()


def test_two_different_computations_of_one_signature_are_refused():
    signer = BatchSigner()
    signer.sign(b"first")
    signer._private = _FaultyKey(signer._private)
    with pytest.raises(SigningError, match="two different signatures"):
        signer.sign(b"second")


def test_a_key_that_does_not_match_its_public_key_fails_the_first_signature():
    signer = BatchSigner()
    signer._private = Ed25519PrivateKey.generate()  # signs consistently, but not as the published key
    with pytest.raises(SigningError, match="does not verify"):
        signer.sign(b"first")


def test_a_key_damaged_during_the_batch_fails_at_close():
    signer = BatchSigner()
    signer.sign(b"first")
    signer._private = Ed25519PrivateKey.generate()
    signer.sign(b"second")
    with pytest.raises(SigningError, match="does not verify"):
        signer.close()


def test_a_rotation_during_the_batch_fails_at_close():
    signer = BatchSigner()
    signer.sign(b"first")
    generate_signing_key()
    with pytest.raises(SigningError, match="rotated"):
        signer.close()


def _cohort(count: int = 3):
    provider = factories.OrganisationFactory()
    user = factories.UserFactory(organisation=provider)
    curriculum = factories.CurriculumFactory()
    cohort = factories.CohortFactory(provider=provider, curriculum=curriculum)
    for _ in range(count):
        factories.issuable_enrolment(provider=provider, cohort=cohort, curriculum=curriculum)
    return user, cohort


def test_a_cohort_is_signed_by_the_batch_and_every_signature_and_token_verifies():
    user, cohort = _cohort()
    issued = cohort_issue_certificates(actor=user, cohort=cohort, awarded_on=TODAY).issued

    assert len(issued) == 3
    for certificate in Certificate.objects.filter(pk__in=[c.pk for c in issued]):
        assert certificate.key_id == load_keyring().active_kid
        assert verify_snapshot(certificate.snapshot, certificate.signature, certificate.key_id)
        token = verification_url(certificate).split("#", 1)[1]
        claims = verify_certificate_token(token, verification_id=certificate.verification_id)
        assert claims["sn"] == certificate.serial_number


def test_a_faulty_signature_in_a_cohort_writes_nothing(monkeypatch):
    user, cohort = _cohort()
    real_init = BatchSigner.__init__

    def faulty_init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        self._private = _FaultyKey(self._private)

    monkeypatch.setattr(batch_signing.BatchSigner, "__init__", faulty_init)
    certificates, entries = Certificate.objects.count(), AuditEntry.objects.count()

    with pytest.raises(SigningError):
        cohort_issue_certificates(actor=user, cohort=cohort, awarded_on=TODAY)

    assert (Certificate.objects.count(), AuditEntry.objects.count()) == (certificates, entries)
