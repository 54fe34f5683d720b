"""A repeated download is served from a cache that all workers share (DESIGN.md, Budgets): with REDIS_URL the
render cache is Redis, so a PDF rendered by one worker is what every other worker finds, and a status change or
another address gives a key no worker has filled.

Its own key prefix on the Redis at REDIS_TEST_URL, deleted afterwards; skipped without Redis, required in CI."""

from __future__ import annotations

import pytest
from django.core.cache.backends.redis import RedisCache

from credentials.pdf.documents import pdf_cache_key
from credentials.services.lifecycle import certificate_revoke
from tests.conftest import REDIS_TEST_URL
from tests.factories import CertificateFactory, issuable_enrolment

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture
def redis_prefix(redis_cache):
    return redis_cache


def another_worker(prefix: str) -> RedisCache:
    """The cache as another worker process holds it: its own client and connections, the same settings."""
    return RedisCache(REDIS_TEST_URL, {"KEY_PREFIX": prefix})


def test_a_render_stored_by_one_worker_is_found_by_another(redis_prefix, provider, provider_client):
    certificate = CertificateFactory(enrolment=issuable_enrolment(provider=provider))
    url = f"/api/v1/certificates/{certificate.pk}/pdf"
    other = another_worker(redis_prefix)
    assert other.get(pdf_cache_key(certificate, "sq")) is None

    first = provider_client.get(url)

    assert first.status_code == 200
    assert other.get(pdf_cache_key(certificate, "sq")) == first.content
    assert other.get(pdf_cache_key(certificate, "en")) is None  # per language


def test_after_a_status_change_no_worker_finds_the_old_render(redis_prefix, provider, provider_client):
    certificate = CertificateFactory(enrolment=issuable_enrolment(provider=provider))
    url = f"/api/v1/certificates/{certificate.pk}/pdf"
    valid = provider_client.get(url).content
    other = another_worker(redis_prefix)

    certificate_revoke(actor=None, certificate=certificate, reason_code="fraud", reference="REF-9")
    certificate.refresh_from_db()

    assert other.get(pdf_cache_key(certificate, "sq")) is None
    revoked = provider_client.get(url).content
    assert revoked != valid
    assert other.get(pdf_cache_key(certificate, "sq")) == revoked


def test_another_address_is_another_key_for_every_worker(redis_prefix, provider, provider_client, settings):
    certificate = CertificateFactory(enrolment=issuable_enrolment(provider=provider))
    provider_client.get(f"/api/v1/certificates/{certificate.pk}/pdf")
    other = another_worker(redis_prefix)

    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8101"  # `make run PORT=8101` on the same Redis

    assert other.get(pdf_cache_key(certificate, "sq")) is None
