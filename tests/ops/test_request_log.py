"""The access log: one JSON line per request with what an operator needs and no personal data."""

import io
import json
import logging

import pytest

from core.logging import JsonFormatter
from tests import factories

pytestmark = pytest.mark.django_db

PERSONAL_NUMBER = "1234567890"


@pytest.fixture
def access_log(caplog):
    caplog.set_level(logging.INFO, logger="registry.request")

    def lines() -> list[dict]:
        formatter = JsonFormatter()
        return [json.loads(formatter.format(r)) for r in caplog.records if r.name == "registry.request"]

    return lines


def test_one_line_per_request_with_status_duration_and_request_id(client, access_log):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="req-0123456789")
    [line] = access_log()
    assert line["method"] == "GET"
    assert line["route"] == "healthz"
    assert line["msg"] == "GET healthz 200"
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
    assert line["request_id"] == response["X-Request-ID"] == "req-0123456789"
    assert line["user_id"] is None and line["org_id"] is None
    assert line["level"] == "INFO" and line["logger"] == "registry.request" and line["ts"].endswith("+00:00")


def test_query_strings_and_bodies_never_reach_the_log(client, access_log, ministry_client):
    client.get(f"/healthz?personal_number={PERSONAL_NUMBER}&date_of_birth=1995-04-12")
    ministry_client.post(
        "/api/v1/organisations/",
        {"slug": "x", "name": PERSONAL_NUMBER, "registration_number": PERSONAL_NUMBER, "email": "a@b.invalid"},
        format="json",
    )
    lines = access_log()
    assert [line["route"] for line in lines] == ["healthz", "api/v1/organisations/?$"]
    text = "\n".join(json.dumps(line) for line in lines)
    assert PERSONAL_NUMBER not in text and "1995" not in text and "a@b.invalid" not in text


@pytest.mark.parametrize(
    ("path", "route"),
    [
        (f"/v/{PERSONAL_NUMBER}", "v/<str:verification_id>"),
        (f"/api/v1/verifications/{PERSONAL_NUMBER}", "api/v1/verifications/(?P<verification_id>[^/]+)/?$"),
        (f"/api/v1/learners/{PERSONAL_NUMBER}/", "api/v1/learners/(?P<pk>[0-9]{1,18})/?$"),
        (f"/no-such-page/{PERSONAL_NUMBER}", ""),
    ],
)
def test_the_access_log_records_the_route_not_a_personal_number_typed_as_an_id(
    path, route, client, ministry_client, access_log
):
    """Someone types a personal number where an id belongs: the line names the route pattern, never the path."""
    (ministry_client if "learners" in path else client).get(path)
    [line] = access_log()
    assert line["route"] == route
    assert PERSONAL_NUMBER not in json.dumps(line)
    assert "path" not in line


def test_djangos_own_request_warnings_name_the_route_not_the_path(client, caplog):
    """django.request logs "Not Found: <raw path>" for every 404 ("Bad Request: ..." for a 400): the console
    handler's filter puts the route in its place, in the line an operator's log shipper actually receives."""
    [console] = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler) and h.filters]
    stream = io.StringIO()
    previous = console.setStream(stream)
    try:
        caplog.set_level(logging.WARNING, logger="django.request")
        assert client.get(f"/v/{PERSONAL_NUMBER}").status_code == 400  # not the shape of a verification id
        assert client.get(f"/no-such-page/{PERSONAL_NUMBER}").status_code == 404
    finally:
        console.setStream(previous)
    written = stream.getvalue()
    assert "Bad Request: v/<str:verification_id>" in written
    assert "Not Found: (no route)" in written
    assert PERSONAL_NUMBER not in written


def test_token_caller_is_identified_by_ids(client_for, access_log):
    user = factories.UserFactory(ministry=True)
    client_for(user).get("/api/v1/organisations/?search=" + PERSONAL_NUMBER)
    [line] = access_log()
    assert line["status"] == 200
    assert line["user_id"] == user.pk
    assert line["org_id"] == user.organisation_id
    assert line["org"] in (None, user.organisation.slug)


def test_the_access_log_adds_no_query(client, access_log, django_assert_num_queries):
    user = factories.UserFactory(ministry=True)
    client.force_login(user)
    with django_assert_num_queries(1):  # the health check's SELECT 1; the session's user stays unloaded
        client.get("/healthz")
    assert access_log()[-1]["user_id"] is None


def test_off_unless_enabled(client, caplog):
    caplog.set_level(logging.WARNING, logger="registry.request")
    client.get("/healthz")
    assert [r for r in caplog.records if r.name == "registry.request"] == []


def test_json_formatter_drops_objects_that_could_carry_a_query_string():
    record = logging.makeLogRecord(
        {"name": "django.request", "msg": "Not Found: %s", "args": ("/x",), "levelname": "WARNING"}
    )
    record.request = object()
    record.status_code = 404
    data = json.loads(JsonFormatter().format(record))
    assert data["msg"] == "Not Found: /x"
    assert data["status_code"] == 404
    assert "request" not in data
