"""Fuzz the API from its own OpenAPI schema (schemathesis), once per role, against the Django WSGI app.

For every operation in /api/schema/: valid (positive) requests generated from the schema, sent with the
demo data seeded, as the ministry, an awarding body, a provider, a verifier and an anonymous caller;
invalid (negative) ones as the ministry and the anonymous caller. Path ids are both random and real
(the first object of the resource's list), so handlers get past their 404. Checks: no 5xx; every
success response (content type, body) is the one the schema documents; every JSON client error is
the API's one error shape.

Bounded: FUZZ_EXAMPLES generated cases per operation and mode (default 5, derandomized so CI is
reproducible; raise it locally to dig deeper). Each request runs in a savepoint that is rolled back,
so one request cannot change what the next one sees and the demo data stays as seeded.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re

import pytest
import schemathesis
import werkzeug.test
from django.core import signals
from django.core.cache import cache
from django.core.management import call_command
from django.db import DatabaseError, close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from registry.models import User

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
MAX_REPORT = 2500
# Every status an operation answers is one its schema documents (api_docs/hooks.py adds the error statuses:
# 400/401/403/429 everywhere, 404 for an object path or a page past a list's last, 409 on writes); JSON client
# errors are also checked against the API's one error shape (core/api/errors.py).
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# The demo users (registry/demo.py) per role; None is the anonymous caller.
ROLES = {"ministry": "ministry", "awarding_body": "ocn", "provider": "qpgj", "verifier": "prishtina", "anonymous": None}
# Invalid input is sent as the role that gets furthest with it (the ministry may call every endpoint) and as
# the public; the others would be refused before validation, which the positive runs already show.
NEGATIVE_ROLES = {"ministry", "anonymous"}
# Path parameters whose real values cannot be read from a list endpoint.
REAL_VALUE_QUERIES = {
    "verification_id": lambda: _first("credentials.Certificate", "verification_id"),
}


def _first(label: str, field: str):
    from django.apps import apps

    return apps.get_model(label).objects.order_by("pk").values_list(field, flat=True).first()


@pytest.fixture
def wsgi_requests():
    """Let in-process WSGI requests share the test's transaction, as Django's test client does:
    Django otherwise closes a connection that is inside a transaction at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def demo_tokens(db) -> dict[str, str | None]:
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - closed with the process
    tokens = {}
    for role, username in ROLES.items():
        tokens[role] = (
            None if username is None else Token.objects.get_or_create(user=User.objects.get(username=username))[0].key
        )
    return tokens


@pytest.fixture
def api_schema(wsgi_requests, demo_tokens):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    schema.config.output.sanitization.enabled = False  # our reports show the token-less request anyway
    return schema


def _real_path_parameters(operation, headers) -> dict | None:
    """A real value for each path parameter: the first item of the resource's list, as this caller sees it."""
    names = re.findall(r"{(\w+)}", operation.path)
    if not names:
        return None
    values = {}
    for name in names:
        if name in REAL_VALUE_QUERIES:
            values[name] = REAL_VALUE_QUERIES[name]()
            continue
        list_path = operation.full_path.split("{", 1)[0]
        response = _wsgi_get(list_path, headers)
        results = response.get("results", response) if isinstance(response, dict) else response
        if not isinstance(results, list) or not results or name not in results[0]:
            return None
        values[name] = results[0][name]
    return values if all(value is not None for value in values.values()) else None


def _wsgi_get(path: str, headers: dict) -> object:
    # werkzeug's client, like schemathesis: Django's test client would reconnect the signals unhooked above.
    response = werkzeug.test.Client(application).get(path, headers=headers)
    return response.get_json(silent=True) if response.status_code == 200 else None


def _check_error_shape(response) -> None:
    """A JSON client error is the API's one error shape. (Non-JSON 4xx come from Django's URL resolver,
    before the API: a path that matches no route.)"""
    if not 400 <= response.status_code < 500 or "json" not in response.headers.get("Content-Type", ""):
        return
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict) and {"code", "message", "fields", "request_id"} <= set(error), (
        f"{response.status_code} is not the API's error shape: {response.text[:300]}"
    )
    assert isinstance(error["code"], str) and error["code"], response.text[:300]


@contextlib.contextmanager
def _rolled_back():
    """Run one request in a savepoint and roll it back, whatever the request did to the transaction."""
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    except DatabaseError as exc:  # a request left the transaction aborted: the savepoint recovered it
        raise AssertionError(f"the request left the database transaction aborted: {exc}") from exc


def _fuzz_operation(operation, headers, *, mode, path_parameters=None) -> str | None:
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(case=strategy)
    def run(case):
        cache.clear()  # throttling would otherwise answer 429 after the first few dozen requests
        with _rolled_back():
            response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)
        _check_error_shape(response)

    try:
        run()
    except Unsatisfiable:
        return None  # no invalid value exists (e.g. any string is a valid slug): nothing to send
    except (Exception, FailureGroup) as exc:  # noqa: BLE001 - every failure is collected, reported together
        text = re.sub(r"Token [0-9a-f]{40}", "Token <role token>", str(exc))
        return f"{operation.label} [{mode.value}{', real ids' if path_parameters else ''}]\n{text[:MAX_REPORT]}"
    return None


@pytest.mark.parametrize("role", list(ROLES))
def test_api_answers_every_generated_request_as_documented(role, api_schema, demo_tokens, caplog):
    caplog.set_level(logging.CRITICAL, logger="django.request")  # the 4xx warnings would drown the report
    token = demo_tokens[role]
    headers = {"Authorization": f"Token {token}"} if token else {}
    failures = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        runs = [{"mode": GenerationMode.POSITIVE}]
        if role in NEGATIVE_ROLES:
            runs.append({"mode": GenerationMode.NEGATIVE})
        real = _real_path_parameters(operation, headers)
        if real:
            runs.append({"mode": GenerationMode.POSITIVE, "path_parameters": real})
        for run in runs:
            failure = _fuzz_operation(operation, headers, **run)
            if failure:
                failures.append(failure)
    assert not failures, f"{len(failures)} operation(s) failed as {role}:\n\n" + "\n\n".join(failures)


# Edge values random generation reaches only rarely, sent to every filter of their format. Python parses
# UTC offsets up to +/-23:59, PostgreSQL stores only +/-15:59: unconverted, such a filter is a 500.
EDGE_VALUES = {
    "date-time": ["2020-01-01T00:00:00-19:00", "2020-01-01T00:00:00+23:59", "0001-01-01T00:00:00Z"],
    "date": ["0001-01-01", "9999-12-31"],
}


def test_date_filters_answer_edge_values_without_a_server_error(wsgi_requests, demo_tokens):
    schema = werkzeug.test.Client(application).get("/api/schema/?format=json").get_json()
    headers = {"Authorization": f"Token {demo_tokens['ministry']}"}
    failures, tried = [], 0
    for path, operations in schema["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            values = EDGE_VALUES.get(parameter.get("schema", {}).get("format"), [])
            for value in values if parameter.get("in") == "query" and "{" not in path else []:
                with _rolled_back():
                    response = werkzeug.test.Client(application).get(
                        path, query_string={parameter["name"]: value}, headers=headers
                    )
                tried += 1
                if response.status_code >= 500:
                    failures.append(f"GET {path}?{parameter['name']}={value} -> {response.status_code}")
    assert tried > 20, "the schema lost its date filters, or this test its way of finding them"
    assert not failures, "\n".join(failures)


def test_a_page_past_the_last_is_a_documented_404_on_every_list(wsgi_requests, demo_tokens):
    """DRF's pagination answers 404 for ?page=999, and a list paged by cursor for a cursor it did not give; every
    paginated list documents it, in the error shape."""
    schema = werkzeug.test.Client(application).get("/api/schema/?format=json").get_json()
    headers = {"Authorization": f"Token {demo_tokens['ministry']}"}
    lists = [
        (path, operation, parameter)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for parameter in ("page", "cursor")
        if method == "get" and "{" not in path and any(p["name"] == parameter for p in operation.get("parameters", []))
    ]
    assert len(lists) > 15, "the schema lost its paginated lists, or this test its way of finding them"
    assert {path for path, _, parameter in lists if parameter == "cursor"} >= {
        "/api/v1/audit-entries/",
        "/api/v1/verification-events/",
    }
    for path, operation, parameter in lists:
        query = {"page": 999} if parameter == "page" else {"cursor": "bm90IGEgY3Vyc29y"}
        response = werkzeug.test.Client(application).get(path, query_string=query, headers=headers)
        assert response.status_code == 404, (path, response.status_code)
        assert "404" in operation["responses"], f"GET {path}?page=999 answers 404, which its schema does not list"
        error = response.get_json()["error"]
        assert {"code", "message", "fields", "request_id"} <= set(error) and error["code"] == "not_found", path
