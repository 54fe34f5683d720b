import io
import re

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from registry.models import Accreditation, AuditEntry, Curriculum, Organisation, Qualification, User


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_loads_the_real_catalogue_and_is_idempotent():
    _run("seed_demo")
    counts = (
        Organisation.objects.count(),
        Qualification.objects.count(),
        Curriculum.objects.count(),
        Accreditation.objects.count(),
        User.objects.count(),
        AuditEntry.objects.count(),
    )
    _run("seed_demo")
    assert (
        Organisation.objects.count(),
        Qualification.objects.count(),
        Curriculum.objects.count(),
        Accreditation.objects.count(),
        User.objects.count(),
    ) == counts[:5]
    assert {"mesti", "nqa", "ocn-london", "pearson", "qpgj"} <= set(Organisation.objects.values_list("slug", flat=True))
    sen = Qualification.objects.get(code="NQA-L5-SEN")
    assert (sen.eqf_level, sen.hours_theory, sen.hours_practice) == (5, 600, 600)
    for curriculum in Curriculum.objects.all():
        mandatory = curriculum.modules.filter(mandatory=True)
        assert sum(m.hours_theory for m in mandatory) == 600
        assert sum(m.hours_practice for m in mandatory) == 600
    qpgj = Accreditation.objects.get(provider__slug="qpgj")
    assert qpgj.agent.slug == "ocn-london" and qpgj.municipalities.count() == 8

    welcome = _run("welcome", "--base", "http://127.0.0.1:8000")
    assert "http://127.0.0.1:8000/api/docs/" in welcome and "demo-pass-2026" in welcome
    assert re.search(r"valid\s+http://127\.0\.0\.1:8000/v/[0-9A-Z]{26}", welcome)


@pytest.mark.django_db
def test_issue_api_token_prints_only_the_token_and_the_token_works(client):
    Organisation.objects.create(slug="qpgj", kind="provider", name="QPGJ")
    out = _run("issue_api_token", "qpgj-sis", "--organisation", "qpgj", "--role", "provider").strip()
    assert re.fullmatch(r"[0-9a-f]{40}", out)
    assert Token.objects.get(user__username="qpgj-sis").key == out
    assert _run("issue_api_token", "qpgj-sis", "--organisation", "qpgj", "--role", "provider").strip() == out
    response = client.get("/api/v1/organisations/", HTTP_AUTHORIZATION=f"Token {out}")
    assert response.status_code == 200


@pytest.mark.django_db
def test_issue_api_token_refuses_a_role_that_does_not_fit_the_organisation():
    Organisation.objects.create(slug="qpgj", kind="provider", name="QPGJ")
    with pytest.raises(CommandError):
        _run("issue_api_token", "x", "--organisation", "qpgj", "--role", "ministry")
    with pytest.raises(CommandError):
        _run("issue_api_token", "x", "--organisation", "nowhere", "--role", "provider")
    assert not User.objects.filter(username="x").exists()


@pytest.mark.django_db
def test_openapi_schema_validates_and_docs_load_no_external_asset(client):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for name in (
        "municipalities",
        "organisations",
        "occupational-standards",
        "qualifications",
        "curricula",
        "accreditations",
        "equivalencies",
        "audit-entries",
    ):
        assert any(p.startswith(f"/api/v1/{name}") for p in paths), name
    for url in ("/api/docs/", "/api/redoc/"):
        html = client.get(url).content.decode()
        external = [u for u in re.findall(r"""(?:src|href)=["']([^"']+)""", html) if u.startswith(("http", "//"))]
        assert external == [], (url, external)


@pytest.mark.django_db
def test_every_operation_documents_the_shared_error_shape(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    error = schema["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["required"] == ["code", "message", "fields", "request_id"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in ("get", "post", "put", "patch", "delete"):
                for status in ("400", "401", "403"):
                    assert status in operation["responses"], (method, path, status)
