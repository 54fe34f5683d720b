"""A verification's round trips, the connection health check included (DESIGN.md budgets 3): under gunicorn every
request starts with Django's health check due on the connection kept from the last one (CONN_HEALTH_CHECKS), a
`SELECT 1` that Django sends outside the query log. The busiest statement stands in for it: when the connection
turns out to be gone, the statement is sent again on a new one, and the caller sees no error."""

from __future__ import annotations

import psycopg2
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from credentials.models import VerificationEvent
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pings(monkeypatch):
    """Health-check pings Django sends (`is_usable`: a raw `SELECT 1`, not in the query log)."""
    sent = []
    original = connection.is_usable

    def counting():
        sent.append(1)
        return original()

    monkeypatch.setattr(connection, "is_usable", counting)
    return sent


def _round_trips(client, path: str, pings: list, **extra) -> int:
    connection.close_if_unusable_or_obsolete()  # what every request under gunicorn starts with (request_started)
    before = len(pings)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, **extra).status_code == 200
    return len(queries) + len(pings) - before


def test_verification_round_trips_with_the_health_check_stay_within_budget(
    anon_client, client_for, verifier_user, pings
):
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    certificate = factories.CertificateFactory()
    vid = certificate.verification_id
    anon_client.get(f"/api/v1/verifications/{vid}")  # connection made, statement prepared
    assert _round_trips(anon_client, f"/api/v1/verifications/{vid}", pings) == 1
    assert _round_trips(anon_client, f"/v/{vid}", pings) == 1
    assert _round_trips(client_for(verifier_user), f"/api/v1/verifications/{vid}", pings) <= 3  # token, ping, it
    assert _round_trips(anon_client, "/healthz", pings) == 2  # elsewhere Django's ping stays: counted here


def test_a_connection_lost_between_requests_is_replaced_without_an_error(anon_client):
    certificate = factories.CertificateFactory()
    path = f"/api/v1/verifications/{certificate.verification_id}"
    assert anon_client.get(path).status_code == 200
    pid = connection.connection.get_backend_pid()
    settings_dict = connection.settings_dict
    killer = psycopg2.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
    )
    try:
        killer.autocommit = True
        with killer.cursor() as cursor:  # as a PostgreSQL restart or a proxy's idle timeout would
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        killer.close()
    connection.close_if_unusable_or_obsolete()
    response = anon_client.get(path)
    assert response.status_code == 200 and response.json()["valid"] is True
    assert connection.connection.get_backend_pid() != pid
    assert VerificationEvent.objects.filter(certificate=certificate).count() == 2  # once per verification
