"""The busiest path, `GET /api/v1/verifications/{id}` (ADR 0005): one statement looks up and logs; the event still
records everything; the signature memo never hides a changed row or keyring; status is never cached; callers
without credentials get the same answer as DRF's path; the throttle keeps DRF's sliding-log semantics."""

from __future__ import annotations

import datetime
import re
import time

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from credentials.models import Certificate, VerificationEvent
from credentials.services.lifecycle import certificate_revoke
from credentials.signing import generate_signing_key
from credentials.verification.checks import SignatureMemo, signature_memo
from credentials.verification.events import ip_hash
from credentials.verification.throttles import VerificationRateThrottle
from tests import factories

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture(autouse=True)
def _fresh_throttles_and_memo():
    cache.clear()
    signature_memo.clear()
    yield
    cache.clear()


@pytest.fixture
def certificate():
    return factories.CertificateFactory()


def _get(client, vid, **extra):
    return client.get(f"/api/v1/verifications/{vid}", **extra)


def _checks(body) -> dict:
    return {c["check"]: (c["result"], c["code"]) for c in body["checks"]}


# --- the event, written by the lookup's own statement --------------------------------------------------------


def test_an_anonymous_verification_logs_every_field_of_its_event(anon_client, certificate):
    body = _get(anon_client, certificate.verification_id, REMOTE_ADDR="192.0.2.44", HTTP_USER_AGENT=FIREFOX).json()
    event = VerificationEvent.objects.get()
    assert event.certificate_id == certificate.pk
    assert (event.verification_id_tried, event.outcome, event.channel) == (certificate.verification_id, "valid", "api")
    assert event.verifier_organisation_id is None
    assert event.ip_hash == ip_hash("192.0.2.44") and event.user_agent_family == "firefox"
    verified_at = datetime.datetime.fromisoformat(body["verified_at"])
    if connection.vendor == "postgresql":  # the statement writes the report's own time
        assert event.created_at == verified_at
    else:  # SQLite's fallback writes the event with the ORM (auto_now_add)
        assert abs(event.created_at - verified_at) < datetime.timedelta(seconds=5)


@pytest.mark.parametrize(
    ("vid", "outcome", "status"),
    [("revoked", "revoked", 200), ("0" * 26, "not_found", 404), ("not-an-id!", "malformed", 400)],
)
def test_revoked_unknown_and_malformed_ids_are_logged_by_the_same_statement(
    anon_client, certificate, django_assert_num_queries, vid, outcome, status
):
    if vid == "revoked":
        certificate_revoke(actor=None, certificate=certificate, reason_code="fraud", reference="X")
        vid = certificate.verification_id
    with CaptureQueriesContext(connection) as queries:
        response = _get(anon_client, vid)
    assert response.status_code == status
    event = VerificationEvent.objects.get()
    assert event.outcome == outcome and event.channel == "api"
    assert event.certificate_id == (certificate.pk if outcome == "revoked" else None)
    if connection.vendor == "postgresql":  # the statement itself, or its prepared form
        assert len(queries) == 1 and re.search(r"INSERT INTO|^EXECUTE verification_lookup_", queries[0]["sql"])


def test_a_link_preview_bot_gets_its_answer_and_is_not_counted(anon_client, certificate):
    response = _get(anon_client, certificate.verification_id, HTTP_USER_AGENT="Slackbot-LinkExpanding 1.0")
    assert response.status_code == 200 and response.json()["outcome"] == "valid"
    assert VerificationEvent.objects.count() == 0


def test_the_provider_sees_anonymous_api_verifications_in_its_history(anon_client, client_for, provider):
    certificate = factories.CertificateFactory(enrolment=factories.issuable_enrolment(provider=provider))
    _get(anon_client, certificate.verification_id)
    _get(anon_client, certificate.verification_id)
    _get(anon_client, "0" * 26)
    provider_user = factories.UserFactory(organisation=provider)
    body = client_for(provider_user).get("/api/v1/verification-events", {"certificate": certificate.pk}).json()
    assert len(body["results"]) == 2 and {e["outcome"] for e in body["results"]} == {"valid"}


# --- durability: asynchronous commit for the one statement, in autocommit only ------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_in_autocommit_the_event_is_committed_and_the_async_commit_does_not_leak(anon_client, certificate):
    with CaptureQueriesContext(connection) as queries:
        assert _get(anon_client, certificate.verification_id).status_code == 200
    assert "SET LOCAL synchronous_commit TO off; " in queries[0]["sql"]
    assert VerificationEvent.objects.filter(certificate=certificate).count() == 1  # committed, visible
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"  # SET LOCAL ended with the statement's own transaction


@pytest.mark.postgres
def test_inside_a_callers_transaction_its_durability_is_left_alone(anon_client, certificate):
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        _get(anon_client, certificate.verification_id)
    assert queries and all("synchronous_commit" not in q["sql"] for q in queries)


@pytest.mark.postgres
def test_the_statement_is_prepared_once_per_connection(anon_client, certificate):
    _get(anon_client, certificate.verification_id)
    with CaptureQueriesContext(connection) as queries:
        _get(anon_client, certificate.verification_id)
        _get(anon_client, "0" * 26)
    assert [q["sql"].split(" (")[0] for q in queries] == [queries[0]["sql"].split(" (")[0]] * 2
    assert queries[0]["sql"].startswith("EXECUTE verification_lookup_")
    assert VerificationEvent.objects.count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lost", ["deallocated", "flag"])
def test_a_prepared_statement_lost_or_already_there_is_recovered(anon_client, certificate, lost):
    assert _get(anon_client, certificate.verification_id).status_code == 200
    if lost == "deallocated":  # as DISCARD ALL, or a pooler's other server connection, would leave it
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
    else:  # the session has it, but this process does not know (a pooler's server connection)
        connection._verification_prepared_on = None
    body = _get(anon_client, certificate.verification_id).json()
    assert body["outcome"] == "valid"
    assert VerificationEvent.objects.filter(certificate=certificate).count() == 2  # logged once each, no more
    assert _get(anon_client, certificate.verification_id).status_code == 200


# --- the signature memo --------------------------------------------------------------------------------------


def test_status_is_read_on_every_verification_even_with_the_signature_memoised(anon_client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(signature_mac="")  # checked with the key: memoised
    assert _get(anon_client, certificate.verification_id).json()["valid"] is True
    assert len(signature_memo) == 1
    certificate_revoke(actor=None, certificate=certificate, reason_code="fraud", reference="X")
    body = _get(anon_client, certificate.verification_id).json()
    assert body["outcome"] == "revoked" and _checks(body)["status"] == ("failed", "status_revoked")
    assert _checks(body)["signature"] == ("ok", "signature_valid")


@pytest.mark.parametrize("field", ["snapshot", "signature", "serial_number"])
def test_an_altered_row_is_checked_anew_not_answered_from_the_memo(anon_client, certificate, field):
    assert _checks(_get(anon_client, certificate.verification_id).json())["signature"][0] == "ok"
    if field == "snapshot":
        altered = {**certificate.snapshot, "holder": {**certificate.snapshot["holder"], "full_name": "Someone Else"}}
    elif field == "signature":
        altered = "B" * 86
    else:
        altered = certificate.serial_number + "9"
    Certificate.objects.filter(pk=certificate.pk).update(**{field: altered})  # as a tampered database would
    body = _get(anon_client, certificate.verification_id).json()
    assert _checks(body)["signature"][0] == "failed" and body["valid"] is False


def test_a_new_keyring_empties_the_memo(anon_client, certificate, settings, tmp_path):
    assert _checks(_get(anon_client, certificate.verification_id).json())["signature"] == ("ok", "signature_valid")
    settings.SIGNING_KEYS_DIR = tmp_path / "other-keys"  # a keyring without the key that signed it
    generate_signing_key()
    body = _get(anon_client, certificate.verification_id).json()
    assert _checks(body)["signature"] == ("failed", "signature_invalid")


def test_the_memo_is_bounded_and_keeps_the_most_recently_used():
    memo = SignatureMemo(maxsize=2)
    computed = []

    def entry(key):
        def compute():
            computed.append(key)
            return {}, key

        return memo.get_or_compute(key, compute)

    entry("a"), entry("b"), entry("a"), entry("c")  # "b" is the least recently used when "c" comes
    assert len(memo) == 2 and computed == ["a", "b", "c"]
    entry("a")
    assert computed == ["a", "b", "c"]  # still there
    entry("b")
    assert computed == ["a", "b", "c", "b"] and len(memo) == 2  # evicted, computed again


# --- callers without credentials: the same answer as DRF's path -----------------------------------------------


def test_the_anonymous_answer_is_the_authenticated_answer(anon_client, client_for, verifier_user, certificate):
    anonymous = _get(anon_client, certificate.verification_id)
    with_token = _get(client_for(verifier_user), certificate.verification_id)
    assert anonymous.status_code == with_token.status_code == 200
    assert {**anonymous.json(), "verified_at": None} == {**with_token.json(), "verified_at": None}
    for header in ("Content-Type", "Cache-Control", "X-Robots-Tag", "Referrer-Policy", "Allow", "Vary"):
        assert anonymous[header] == with_token[header], header
    unknown = _get(anon_client, "0" * 26)
    unknown_with_token = _get(client_for(verifier_user), "0" * 26)
    assert unknown.status_code == unknown_with_token.status_code == 404
    assert {**unknown.json()["error"], "request_id": None} == {**unknown_with_token.json()["error"], "request_id": None}


def test_other_methods_still_go_through_drf(anon_client, certificate):
    assert anon_client.options(f"/api/v1/verifications/{certificate.verification_id}").status_code == 200
    refused = anon_client.delete(f"/api/v1/verifications/{certificate.verification_id}")
    assert refused.status_code == 405 and refused.json()["error"]["code"] == "method_not_allowed"
    assert anon_client.head(f"/api/v1/verifications/{certificate.verification_id}").status_code == 200
    assert VerificationEvent.objects.count() == 1  # the HEAD; OPTIONS and DELETE verified nothing


def test_a_bad_token_is_refused_not_treated_as_anonymous(anon_client, certificate):
    response = _get(anon_client, certificate.verification_id, HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 401 and response.json()["error"]["code"] == "authentication_failed"
    assert VerificationEvent.objects.count() == 0


# --- the throttle's packed log -------------------------------------------------------------------------------


def test_the_throttle_allows_n_in_any_window_and_says_when_to_retry(anon_client, certificate, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"verify_anon": "3/min", "verify_verifier": "100/min", "verify_user": "100/min"},
    }
    statuses = [_get(anon_client, certificate.verification_id).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = _get(anon_client, certificate.verification_id)
    assert 1 <= int(refused["Retry-After"]) <= 60 and refused.json()["error"]["code"] == "throttled"
    assert refused["Cache-Control"] == "no-store"
    assert VerificationEvent.objects.count() == 3


def test_the_throttle_reads_a_log_left_in_drfs_own_format(rf, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"verify_anon": "3/min", "verify_verifier": "100/min", "verify_user": "100/min"},
    }
    now = time.time()
    cache.set("throttle_verify_anon_192.0.2.9", [now - 1, now - 2, now - 120], 60)  # newest first; one expired
    request = rf.get("/", REMOTE_ADDR="192.0.2.9")
    assert VerificationRateThrottle().allow_request(request, None) is True
    assert VerificationRateThrottle().allow_request(request, None) is False


def _throttle_at(moment: float, rate: str, settings) -> VerificationRateThrottle:
    rates = {"verify_anon": rate, "verify_verifier": rate, "verify_user": rate}
    if settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] != rates:  # each override nests: 5,000 would recurse
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    throttle = VerificationRateThrottle()
    throttle.timer = lambda: moment
    return throttle


def test_the_throttle_window_slides_and_a_request_leaves_it_at_most_one_slice_late(rf, settings):
    request = rf.get("/", REMOTE_ADDR="192.0.2.10")
    base = 1_700_000_000.0

    def allowed(at):
        return _throttle_at(base + at, "3/min", settings).allow_request(request, None)

    assert [allowed(0.2), allowed(10), allowed(20), allowed(30)] == [True, True, True, False]
    assert allowed(60.5) is False  # the request of 0.2 s is still in the window (its second ends at 1 s)
    assert allowed(61.0) is True  # now it has left
    assert allowed(62) is False  # 10, 20 and 61 are in the window


def test_the_throttle_log_stays_small_whatever_the_rate(rf, settings):
    request = rf.get("/", REMOTE_ADDR="192.0.2.11")
    for step in range(5_000):
        assert _throttle_at(1_700_000_000.0 + step * 0.05, "1000000/min", settings).allow_request(request, None)
    stored = cache.get("throttle_verify_anon_192.0.2.11")
    assert len(stored) <= (60 + 1) * 2 * 8  # at most 61 (slice, count) pairs of doubles


def test_verified_at_is_now(anon_client, certificate):
    before = timezone.now()
    body = _get(anon_client, certificate.verification_id).json()
    assert before <= datetime.datetime.fromisoformat(body["verified_at"]) <= timezone.now()
