import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
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


# --- a newcomer's first try: `make run` on another port, and the README's tour as written -------------------

ROOT = Path(settings.BASE_DIR)


def _make_run_steps(*assignments: str, environ: dict | None = None) -> list[str]:
    """The commands `make run` would run (make -n), the install step taken as done."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("needs make")
    completed = subprocess.run(  # noqa: S603 - fixed arguments
        [make, "-n", "-o", ".venv/.installed-stamp", "run", *assignments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(environ or {})},
    )
    return [line for line in completed.stdout.splitlines() if "manage.py" in line]


def test_make_run_gives_every_step_the_address_it_serves():
    steps = _make_run_steps("PORT=8101")
    assert [step.split("manage.py ")[1].split()[0] for step in steps] == [
        "migrate",
        "ensure_signing_key",
        "seed_demo",
        "welcome",
        "db_worker",  # in the background, beside the server, stopped with it (ADR 0009)
        "runserver",
    ]
    assert all(step.startswith('PUBLIC_BASE_URL="http://127.0.0.1:8101" ') for step in steps), steps
    assert steps[-1].endswith("runserver 127.0.0.1:8101")
    # Set explicitly (a tunnel a phone can reach), it wins.
    steps = _make_run_steps("PORT=8101", environ={"PUBLIC_BASE_URL": "https://registry-demo.example.org"})
    assert all(step.startswith('PUBLIC_BASE_URL="https://registry-demo.example.org" ') for step in steps), steps


@pytest.mark.django_db
def test_make_run_on_another_port_prints_and_encodes_that_port(settings, client):
    """A demo database made by `make run` on 8000, then `make run PORT=8101`: the links, the QR in every PDF and
    the host a scanned QR may name all follow, though the renders of the first run are still in the cache."""
    from credentials.management.commands.verify_certificate import qr_texts_from_pdf
    from credentials.models import Certificate
    from credentials.pdf.documents import certificate_pdf

    _run("seed_demo")
    certificate = Certificate.objects.filter(status="valid").order_by("pk").first()
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    assert qr_texts_from_pdf(certificate_pdf(certificate))[0].startswith("http://127.0.0.1:8000/v/")

    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8101"
    welcome = _run("welcome")
    assert "http://127.0.0.1:8101/api/docs/" in welcome and ":8000" not in welcome
    assert f"valid          http://127.0.0.1:8101/v/{certificate.verification_id}" in welcome
    [scanned] = qr_texts_from_pdf(certificate_pdf(certificate))
    assert scanned.startswith(f"http://127.0.0.1:8101/v/{certificate.verification_id}#")
    answer = client.post("/api/v1/verifications", {"qr": scanned}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["outcome"] == "valid"


def _readme_tour() -> list[str]:
    """The shell commands of the README's tour, continuation lines joined, comments left out."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tour = readme[readme.index("## A short tour of the API") :].split("\n## ", 1)[0]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", tour, re.DOTALL):
        for command in block.replace("\\\n", " ").splitlines():
            if command.strip() and not command.lstrip().startswith("#"):
                commands.append(" ".join(command.split()))
    return commands


def _curl(client, command: str, variables: dict[str, str]):
    """A README curl command, sent through Django's test client."""
    for name, value in variables.items():
        command = command.replace(f"${name}", value)
    words = shlex.split(command)
    assert words[0] == "curl", command
    method, headers, body, output, url = "GET", {}, None, None, None
    words = iter(words[1:])
    for word in words:
        if word == "-X":
            method = next(words)
        elif word == "-H":
            name, value = next(words).split(":", 1)
            headers[name.strip()] = value.strip()
        elif word == "-d":
            body = next(words)
        elif word == "-o":
            output = next(words)
        elif word.startswith("http"):
            url = word
        else:
            assert word == "-s", f"the README uses a curl option this test does not know: {word}"
    assert url and url.startswith("http://127.0.0.1:8000/"), command
    path = url.removeprefix("http://127.0.0.1:8000")
    content_type = headers.pop("Content-Type", "application/octet-stream")
    response = client.generic(method, path, body or "", content_type=content_type, headers=headers)
    assert 200 <= response.status_code < 300, f"{command}\n-> {response.status_code} {response.content[:300]!r}"
    if output:
        assert output.endswith(".pdf") and response["Content-Type"] == "application/pdf", command
    return response


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_the_readme_tour_works_as_written_for_the_user_it_creates(client):
    """Every command of the tour, on the demo as `make run` loads it (fresh ids), as the user it onboards: the
    token it sets, the ids it names and the verification id it reads."""
    _run("seed_demo")
    commands = _readme_tour()
    variables: dict[str, str] = {}
    answers = []
    for command in commands:
        assignment = re.fullmatch(r"(\w+)=\$\((.*)\)", command)
        if assignment is None:
            answers.append(_curl(client, command, variables))
            continue
        name, inner = assignment.groups()
        if inner.startswith(".venv/bin/python manage.py "):
            variables[name] = _run(*shlex.split(inner.removeprefix(".venv/bin/python manage.py "))).strip()
        else:  # curl ... | .venv/bin/python -c '...': the README's own snippet reads the answer
            fetch, reader = (part.strip() for part in inner.split("|", 1))
            snippet = shlex.split(reader)
            assert snippet[:2] == [".venv/bin/python", "-c"], reader
            body = _curl(client, fetch, variables).content
            completed = subprocess.run(  # noqa: S603 - the README's snippet, run as the README runs it
                [sys.executable, "-c", snippet[2]], input=body, capture_output=True, check=True
            )
            variables[name] = completed.stdout.decode().strip()
    assert set(variables) == {"TOKEN", "VID"}, "the tour sets $TOKEN (and $VID) for the commands that use them"
    onboarded = User.objects.get(username="qpgj-sis")
    assert (onboarded.organisation.slug, onboarded.role) == ("qpgj", "provider")
    assert len(answers) >= 5
    assert answers[-1].json()["outcome"] == "valid"  # the verification of the id the tour read
