"""Pages of the API's lists (core/api/pagination.py): the lists that reach millions (audit trail, verification
events) go by cursor and a walk through them meets every row once, in order, forwards and backwards, ties of
the timestamp included; the page-number lists read their later pages from the other end of a total order and
still give every row once, in the same order as reading from the start."""

from __future__ import annotations

import base64
import datetime
import json

import pytest
from django.utils import timezone

from credentials.models import Learner, VerificationEvent
from registry.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

AUDIT = "/api/v1/audit-entries/"
EVENTS = "/api/v1/verification-events"


def _tied_rows(model, make, count: int) -> list[int]:
    """`count` rows, a third of them sharing one timestamp (a bulk write in one transaction), the rest a
    second apart; their ids newest first, the list's order."""
    rows = model.objects.bulk_create([make(n) for n in range(count)])
    moment = timezone.now() - datetime.timedelta(hours=1)
    for n, row in enumerate(rows):
        at = moment if n % 3 == 0 else moment + datetime.timedelta(seconds=n)
        model.objects.filter(pk=row.pk).update(created_at=at)  # the audit trail's save() refuses updates
    return list(model.objects.order_by("-created_at", "-id").values_list("id", flat=True))


def _audit_rows(count: int) -> list[int]:
    def make(n):
        return AuditEntry(action="update", object_type="registry.organisation", object_id=str(n), object_repr=f"o{n}")

    return _tied_rows(AuditEntry, make, count)


def _event_rows(count: int) -> list[int]:
    def make(n):
        return VerificationEvent(outcome="not_found", channel="api", verification_id_tried=f"X{n}")

    return _tied_rows(VerificationEvent, make, count)


def _walk(client, url: str, params: dict, link: str = "next") -> list[list[int]]:
    pages, response = [], client.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        assert "count" not in body and set(body) == {"next", "previous", "results"}
        pages.append([row["id"] for row in body["results"]])
        if not body[link]:
            return pages
        response = client.get(body[link])


@pytest.mark.parametrize(("url", "rows"), [(AUDIT, _audit_rows), (EVENTS, _event_rows)])
def test_a_cursor_walk_meets_every_entry_once_in_order(ministry_client, url, rows):
    expected = rows(23)
    if url == AUDIT:
        expected = list(AuditEntry.objects.order_by("-created_at", "-id").values_list("id", flat=True))

    forwards = _walk(ministry_client, url, {"page_size": 4})
    assert [len(page) for page in forwards] == [4, 4, 4, 4, 4, len(expected) - 20]
    assert sum(forwards, []) == expected

    # From the last page back to the first, by the `previous` links.
    last = ministry_client.get(url, {"page_size": 4})
    while last.json()["next"]:
        last = ministry_client.get(last.json()["next"])
    backwards = [[row["id"] for row in last.json()["results"]]]
    backwards += _walk(ministry_client, last.json()["previous"], {}, link="previous")
    assert sum(reversed(backwards), []) == expected

    # Oldest first.
    assert sum(_walk(ministry_client, url, {"page_size": 5, "ordering": "created_at"}), []) == expected[::-1]


@pytest.mark.parametrize("url", [AUDIT, EVENTS])
@pytest.mark.parametrize(
    "cursor",
    [
        "not-base64!",
        base64.urlsafe_b64encode(b"not json").decode(),
        base64.urlsafe_b64encode(json.dumps({"at": "yesterday", "id": 1}).encode()).decode(),
        base64.urlsafe_b64encode(json.dumps({"at": "2026-01-01T00:00:00", "id": 1}).encode()).decode(),
        base64.urlsafe_b64encode(json.dumps({"at": "2026-01-01T00:00:00+00:00", "id": "x"}).encode()).decode(),
        base64.urlsafe_b64encode(json.dumps([1, 2]).encode()).decode(),
    ],
)
def test_a_cursor_the_api_did_not_give_is_a_404(ministry_client, url, cursor):
    response = ministry_client.get(url, {"cursor": cursor})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("page_size", [1, 100])
def test_an_audit_page_costs_constant_queries(ministry_client, django_assert_max_num_queries, page_size):
    _audit_rows(30)
    first = ministry_client.get(AUDIT, {"page_size": page_size}).json()
    with django_assert_max_num_queries(2):  # token, page: no count
        response = ministry_client.get(first["next"]) if first["next"] else ministry_client.get(AUDIT)
    assert response.status_code == 200


def test_the_pages_of_a_numbered_list_give_every_row_once_whichever_end_they_are_read_from(client_for):
    provider = factories.OrganisationFactory()
    for n in range(11):  # namesakes: the name orders nothing among them, the id does
        factories.LearnerFactory(provider=provider, given_name="Ardita", family_name="Krasniqi" if n % 2 else "Berisha")
    client = client_for(factories.UserFactory(organisation=provider))
    expected = list(Learner.objects.filter(provider=provider).values_list("id", flat=True))  # Meta.ordering

    for ordering in ({}, {"ordering": "-family_name"}, {"ordering": "given_name"}):
        pages = []
        for page in range(1, 5):
            body = client.get("/api/v1/learners", {"page_size": 3, "page": page, **ordering}).json()
            assert body["count"] == 11
            pages.append([row["id"] for row in body["results"]])
        assert [len(page) for page in pages] == [3, 3, 3, 2]
        assert sorted(sum(pages, [])) == sorted(expected)  # every learner once
        if not ordering:
            assert sum(pages, []) == expected
        elif ordering["ordering"] == "-family_name":
            ties_by_id = list(
                Learner.objects.filter(provider=provider).order_by("-family_name", "-pk").values_list("id", flat=True)
            )
            assert sum(pages, []) == ties_by_id
    assert client.get("/api/v1/learners", {"page_size": 3, "page": 5}).status_code == 404


@pytest.fixture
def long_lists(monkeypatch):
    """Lists longer than three count as long (the production threshold is COUNT_AT_ONCE rows)."""
    from core.api import pagination

    monkeypatch.setattr(pagination, "COUNT_AT_ONCE", 3)


def test_the_count_of_a_long_list_is_recounted_after_every_write(client_for, long_lists):
    from credentials.services import certificate_revoke, learner_create

    provider = factories.OrganisationFactory()
    user = factories.UserFactory(organisation=provider)
    client = client_for(user)
    for _ in range(5):
        factories.LearnerFactory(provider=provider)

    def count(url="/api/v1/learners", **params):
        return client.get(url, params).json()["count"]

    assert count() == 5
    assert count() == 5  # from the cache
    learner_create(
        actor=user,
        provider=provider,
        data={
            "given_name": "Drita",
            "family_name": "Gashi",
            "date_of_birth": datetime.date(1990, 1, 1),
            "personal_number": "1234567890",
        },
    )
    assert count() == 6  # a service write (audited)
    factories.LearnerFactory(provider=provider)
    assert count() == 7  # a row written without an audit entry

    # A write that moves a row out of a filter: a revocation.
    enrolments = [factories.issuable_enrolment(provider=provider) for _ in range(5)]
    certificates = [factories.CertificateFactory(enrolment=enrolment) for enrolment in enrolments]
    assert count("/api/v1/certificates", status="valid") == 5
    certificate_revoke(actor=user, certificate=certificates[0], reason_code="issued_in_error", reference="x")
    assert count("/api/v1/certificates", status="valid") == 4
    assert count("/api/v1/certificates", status="revoked") == 1
