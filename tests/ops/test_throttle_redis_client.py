"""The shared throttle talks to Redis through one client per process, not one per request: Django's cache client
builds a new `redis.Redis` (with its table of ~170 response callbacks) on every `get_client()`, which cost 11% of a
verification's CPU. The counts still land in Redis, one per request."""

from __future__ import annotations

import pytest
import redis

from core.throttles import local_counts
from tests import factories
from tests.conftest import REDIS_TEST_URL

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


@pytest.fixture
def redis_prefix(redis_cache):
    return redis_cache


def test_the_throttle_makes_one_redis_client_for_many_verifications(client, redis_prefix, redis_clients_made):
    certificate = factories.CertificateFactory()
    local_counts.clear()
    made = redis_clients_made
    for _ in range(5):
        assert client.get(f"/api/v1/verifications/{certificate.verification_id}").status_code == 200
    assert len(made) <= 1  # made once by the first request (or already made), then reused

    # Each request counted: in Redis, or admitted by this worker and reported within a second (ADR 0027).
    not_yet_reported = sum(entry.pending for entry in local_counts.entries.values())
    own = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        (name,) = own.scan_iter(match=f"{redis_prefix}:*:throttle_verify_anon_*:slices")
        assert sum(int(count) for count in own.hgetall(name).values()) + not_yet_reported == 5
    finally:
        own.close()
