"""The OpenAPI schema as API users and client generators read it (ADR 0022): public operations accept `{}` (they
inherit the root's `security`, or list none), descriptions speak to users (no developer notes inherited from our
base classes), file answers are also `application/octet-stream`, JSON bodies are documented as JSON only."""

from __future__ import annotations

import re

import pytest
import yaml

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(anon_client) -> dict:
    return yaml.safe_load(anon_client.get("/api/schema/").content)


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield path, method, operation


def effective_security(schema: dict, operation: dict) -> list:
    """What an operation accepts: its own `security` list, else the root's (OpenAPI 3)."""
    return operation["security"] if "security" in operation else schema.get("security", [])


def test_public_operations_accept_anonymous_callers_and_the_others_do_not(schema):
    security = {(method, path): effective_security(schema, op) for path, method, op in _operations(schema)}
    public = [("post", "/api/v1/verifications/"), ("get", "/api/v1/qualifications/"), ("get", "/api/v1/curricula/")]
    for key in public:
        assert {} in security[key], key
    assert {} in security[("get", "/api/v1/verifications/{verification_id}/")]
    for key in [("get", "/api/v1/learners/"), ("post", "/api/v1/certificates/"), ("get", "/api/v1/audit-entries/")]:
        assert {} not in security[key] and security[key], key


def test_public_operations_inherit_optional_credentials_so_generators_type_them_as_public(schema):
    """openapi-python-client types `client: AuthenticatedClient` wherever an operation's own `security` is not
    empty (`{}` in it or not): public operations inherit the root's "token, session or nothing" instead, and
    those that take no credentials at all say so with an empty list."""
    assert schema["security"] == [{"tokenAuth": []}, {"cookieAuth": []}, {}]
    for path, method, operation in _operations(schema):
        own, effective = operation.get("security"), effective_security(schema, operation)
        if not effective or {} in effective:  # anyone may call it
            assert not own, (method, path, own)  # absent (inherits the root's) or [] (no credentials)
        else:
            assert own and {} not in own, (method, path, own)  # its own list overrides the root's
    assert schema["paths"]["/api/v1/tracer-answers/"]["post"]["security"] == []
    assert "security" not in schema["paths"]["/api/v1/verifications/"]["post"]


def test_descriptions_are_written_for_api_users(schema):
    jargon = re.compile(r"ViewSet|DESIGN\.md|rule \d|selector|through a service|create_instance|Honour an", re.I)
    for path, method, operation in _operations(schema):
        description = operation.get("description", "")
        assert description, (method, path)
        assert not jargon.search(description), (method, path, description[:120])


def test_file_answers_are_typed_as_binary_for_generators(schema):
    content = schema["paths"]["/api/v1/certificates/{id}/pdf"]["get"]["responses"]["200"]["content"]
    assert set(content) >= {"application/pdf", "application/octet-stream"}
    zipped = schema["paths"]["/api/v1/cohorts/{id}/certificates.zip"]["get"]["responses"]["200"]["content"]
    assert "application/octet-stream" in zipped


def test_a_json_body_is_documented_as_json_only_and_a_file_upload_keeps_its_form(schema):
    body = schema["paths"]["/api/v1/verifications/"]["post"]["requestBody"]["content"]
    assert list(body) == ["application/json"]
    upload = schema["paths"]["/api/v1/learners/import/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload


def test_the_file_download_answers_the_same_file_to_an_octet_stream_client(ministry_client):
    from tests import factories  # noqa: PLC0415

    certificate = factories.CertificateFactory()
    response = ministry_client.get(f"/api/v1/certificates/{certificate.pk}/pdf", HTTP_ACCEPT="application/octet-stream")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
