"""Bodies built to break the parser: a 400 in the API's error shape, never a 500, and nothing written.

Python's JSON parser recurses once per level: 100,000 levels (200 kB, well under the upload limit) raised
RecursionError, a 500 on every endpoint that reads a body (core/api/parsers.py, core/json_depth.py).
"""

from __future__ import annotations

import json
import os
import re
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token

from core import json_depth
from registry.models import User

pytestmark = pytest.mark.django_db

LEVELS = 100_000
DEEP_BODIES = {
    "arrays": "[" * LEVELS + "]" * LEVELS,
    "objects": '{"a":' * LEVELS + "1" + "}" * LEVELS,
}
# The demo users (registry/demo.py) per role; None is the anonymous caller.
ROLES = {"ministry": "ministry", "awarding_body": "ocn", "provider": "qpgj", "verifier": "prishtina", "anonymous": None}
WRITE_METHODS = ("post", "put", "patch")
FORM = "application/x-www-form-urlencoded"


# --- the depth measure --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("{}", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('["[[[[", "{{{{", "\\"[[[["]', 1),  # brackets inside strings, escaped quotes included
        ('"\\\\"' + "[" * 3, 3),  # an escaped backslash closes nothing: the string ends at its quote
        ('"never closed [[[[[[', 0),
        ("]]]" + "[" * 5, 5),  # stray closers (a parse error anyway) never hide what follows
    ],
)
def test_nesting_is_measured_outside_strings(text, depth):
    assert not json_depth.nesting_exceeds(text, max_depth=depth)
    if "[" in text or "{" in text:
        assert json_depth.nesting_exceeds(text, max_depth=depth - 1) == (depth > 0)


def test_json_nested_deeper_than_the_limit_is_refused_before_parsing():
    limit = json_depth.MAX_DEPTH
    assert json_depth.loads("[" * limit + "]" * limit) is not None
    with pytest.raises(json_depth.TooDeeplyNested):
        json_depth.loads("[" * (limit + 1) + "]" * (limit + 1))
    with pytest.raises(json_depth.TooDeeplyNested):
        json_depth.loads(DEEP_BODIES["objects"])
    # A long string full of brackets is not nesting, however many of them.
    assert json_depth.loads(json.dumps({"text": "[{" * LEVELS})) == {"text": "[{" * LEVELS}


def test_an_unclosed_string_full_of_quotes_is_measured_in_linear_time():
    """`"` then 500,000 escaped quotes, never closed: a pattern that retried from each quote would take hours."""
    assert not json_depth.nesting_exceeds("[" * 100 + '"' + '\\"' * 500_000, max_depth=100)
    assert json_depth.nesting_exceeds("[" * 101 + '"' + '\\"' * 500_000, max_depth=100)


# --- every endpoint that reads a body -----------------------------------------------------------------------


@pytest.fixture
def demo_tokens(db) -> dict[str, str | None]:
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - closed with the process
    return {
        role: None if username is None else Token.objects.get_or_create(user=User.objects.get(username=username))[0].key
        for role, username in ROLES.items()
    }


def _client(token: str | None) -> Client:
    headers = {"Authorization": f"Token {token}"} if token else {}
    return Client(raise_request_exception=False, headers=headers)


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def _request_fields(schema: dict, operation: dict, media_type: str) -> list[str]:
    body = operation["requestBody"]["content"][media_type]["schema"]
    if "$ref" in body:
        body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    return list(body.get("properties", {}))


def _real_path(client: Client, path: str) -> str | None:
    """`path` with each `{name}` replaced by the first value this caller sees in the resource's list."""
    names = re.findall(r"{(\w+)}", path)
    if not names:
        return path
    listing = client.get(path.split("{", 1)[0])
    body = listing.json() if listing.status_code == 200 else None
    results = body.get("results") if isinstance(body, dict) else body
    if not results or any(name not in results[0] for name in names):
        return None
    for name in names:
        path = path.replace(f"{{{name}}}", str(results[0][name]))
    return path


def test_deeply_nested_json_is_a_400_on_every_endpoint_and_writes_nothing(demo_tokens):
    """Each operation with a body, as each role: a JSON body of 100,000 levels (arrays, objects), and a form whose
    every field holds that JSON as text (DRF reads a JSON field of a form as JSON)."""
    schema = Client().get("/api/schema/?format=json").json()
    operations = [
        (method, path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if method in WRITE_METHODS and "requestBody" in operation
    ]
    assert len(operations) > 30, "the schema lost its request bodies, or this test its way of finding them"
    before = _row_counts()
    failures, unreached = [], []
    for method, path, operation in operations:
        media_types = set(operation["requestBody"]["content"])
        bodies = [("application/json", shape, body) for shape, body in DEEP_BODIES.items()]
        if FORM in media_types:
            fields = _request_fields(schema, operation, FORM)
            bodies.append((FORM, "form", urlencode({field: DEEP_BODIES["arrays"] for field in fields})))
        answers = set()  # (status, code) of each caller that got past authentication and permissions
        for role, token in demo_tokens.items():
            client = _client(token)
            url = _real_path(client, path)
            if url is None:
                continue
            for content_type, shape, body in bodies:
                cache.clear()  # the anonymous verification quota would otherwise answer 429
                response = getattr(client, method)(url, data=body, content_type=content_type)
                label = f"{method.upper()} {url} as {role} ({shape})"
                if response.status_code >= 500:
                    failures.append(f"{label}: {response.status_code}")
                    continue
                error = response.json().get("error", {}) if response.status_code >= 400 else {}
                if response.status_code < 400 or not error.get("code"):
                    failures.append(f"{label}: {response.status_code} {response.content[:200]!r}")
                answers.add((response.status_code, error.get("code")))
        # Some caller reached the parser: DRF's JSON parser refused the body, or (an import) none accepts JSON.
        expected = (400, "too_deeply_nested") if "application/json" in media_types else (415, "unsupported_media_type")
        if expected not in answers:
            unreached.append(f"{method.upper()} {path}: {sorted(answers)}")
    assert not failures, "\n".join(failures)
    assert not unreached, "no role reached the parser of:\n" + "\n".join(unreached)
    assert _row_counts() == before


def _request_fields(schema: dict, operation: dict, media_type: str) -> list[str]:
    body = operation["requestBody"]["content"][media_type]["schema"]
    if "$ref" in body:
        body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    return list(body.get("properties", {}))


def test_a_body_not_in_its_declared_charset_is_a_400(ministry_client):
    before = _row_counts()
    for content_type in ("application/json", "application/json; charset=utf-8"):
        response = ministry_client.post(
            "/api/v1/organisations/", data=b'{"name": "Q\xe8ndra"}', content_type=content_type
        )
        assert response.status_code == 400, response.content
        assert response.json()["error"]["code"] == "malformed_request"
        assert "UTF-8" in response.json()["error"]["message"] or "utf-8" in response.json()["error"]["message"]
    response = ministry_client.post(
        "/api/v1/organisations/", data=b"{}", content_type="application/json; charset=bz2_codec"
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "malformed_request"
    assert _row_counts() == before


def test_a_body_over_the_upload_limit_is_a_400_in_the_error_shape(settings, anon_client):
    """Django refuses it before the API runs (RequestDataTooBig): its HTML 400 page answered an API client."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 100
    cases = {
        "too_large": ('{"qr": "' + "x" * 20_000 + '"}', "application/json"),
        "too_many_fields": ("&".join(f"f{i}=1" for i in range(200)), FORM),
    }
    for code, (body, content_type) in cases.items():
        response = anon_client.post("/api/v1/verifications", data=body, content_type=content_type)
        assert response.status_code == 400 and response["Content-Type"] == "application/json", response.content[:200]
        assert response.json()["error"]["code"] == code
    page = anon_client.post("/impact/", data="x" * 20_000, content_type="text/plain")
    assert page["Content-Type"].startswith("text/html")  # outside the API, Django's own page


def test_a_csv_body_that_is_not_utf8_is_a_400(ministry_client):
    before = _row_counts()
    response = ministry_client.generic(
        "POST",
        "/api/v1/tracer-responses/import/?dry_run=1",
        data="serial_number,wave,employer_name\nL5-SEN-OCN-2026-000001,6,Komuna e Gjakov\u00eb\n".encode("cp1252"),
        content_type="text/csv",
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "malformed_request"
    assert _row_counts() == before
