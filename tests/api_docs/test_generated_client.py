"""A client generated from /api/schema/ by a standard generator (openapi-python-client, a dev dependency) works
against a live server: every public operation without credentials (typed `Client | AuthenticatedClient`: they
inherit the root's optional `security`, or list none), a certificate
verified by its scanned QR, and the PDF typed as a file (application/pdf is also documented as
application/octet-stream, which generators type)."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from credentials.pdf.documents import certificate_pdf
from credentials.tokens import verification_url
from registry.choices import Role
from registry.services.accounts import api_client_onboard
from tests import factories

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture
def schema_file(tmp_path, anon_client) -> Path:
    path = tmp_path / "schema.yaml"
    path.write_bytes(anon_client.get("/api/schema/").content)
    return path


@pytest.fixture
def generated(tmp_path, schema_file, monkeypatch):
    """The client package, generated into tmp_path and importable as `registry_client`."""
    if not GENERATOR.exists():
        pytest.fail("openapi-python-client is not installed (pip install -e '.[dev]')")
    output = tmp_path / "registry_client"
    result = subprocess.run(  # noqa: S603 - our own schema file, a pinned dev tool
        [str(GENERATOR), "generate", "--path", str(schema_file), "--meta", "none", "--output-path", str(output)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m == "registry_client" or m.startswith("registry_client.")]:
        del sys.modules[name]
    yield importlib.import_module("registry_client"), result.stdout + result.stderr
    shutil.rmtree(output, ignore_errors=True)


def _operations(schema: dict):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield method, path, operation


def _public(schema: dict) -> set:
    """(method, path) of each operation that accepts a caller without credentials: its own security list, else the
    root's, is empty or holds `{}`."""
    public = set()
    for method, path, operation in _operations(schema):
        security = operation.get("security", schema.get("security", []))
        if not security or {} in security:
            public.add((method, path))
    return public


def test_the_schema_lists_anonymous_access_on_every_public_operation_and_only_there(schema_file):
    public = _public(yaml.safe_load(schema_file.read_text()))
    assert ("post", "/api/v1/verifications/") in public or ("post", "/api/v1/verifications") in public
    assert any(path.startswith("/api/v1/verifications/{") and method == "get" for method, path in public)
    assert ("get", "/api/v1/qualifications/") in public
    assert not any(method != "get" and "certificates" in path for method, path in public)  # issuing needs a token
    assert ("get", "/api/v1/learners/") not in public


def _generated_function(client_package, operation: dict):
    """The generated module's `sync_detailed` for an operation (by its operationId, under its first tag)."""
    from openapi_python_client.strings import PythonIdentifier  # noqa: PLC0415 - the generator's own naming

    tag = PythonIdentifier(operation.get("tags", ["default"])[0], prefix="tag")
    name = PythonIdentifier(operation["operationId"], prefix="field_")
    module = importlib.import_module(f"{client_package.__name__}.api.{tag}.{name}")
    return module.sync_detailed


def test_every_public_operation_takes_a_plain_client_and_the_others_an_authenticated_one(generated, schema_file):
    """The type says what the server does: a function for an operation anyone may call takes `Client |
    AuthenticatedClient` (openapi-python-client types `AuthenticatedClient` alone wherever an operation's own
    security list is not empty, `{}` in it or not)."""
    import typing  # noqa: PLC0415

    client_package, _ = generated
    schema = yaml.safe_load(schema_file.read_text())
    public = _public(schema)
    plain, authenticated = client_package.Client, client_package.AuthenticatedClient
    checked = 0
    for method, path, operation in _operations(schema):
        function = _generated_function(client_package, operation)
        accepted = set(typing.get_args(typing.get_type_hints(function)["client"])) or {
            typing.get_type_hints(function)["client"]
        }
        if (method, path) in public:
            assert accepted == {plain, authenticated}, (method, path, accepted)
        else:
            assert accepted == {authenticated}, (method, path, accepted)
        checked += 1
    assert len(public) >= 20 and checked > len(public)


def test_a_generated_client_verifies_a_certificate_without_credentials(generated, live_server, settings):
    client_package, output = generated
    assert "Cannot parse response" not in output  # the PDF, ZIP and CSV answers are typed
    settings.PUBLIC_BASE_URL = live_server.url
    certificate = factories.CertificateFactory()
    certificate_pdf(certificate)  # stores the QR of this address
    certificate.refresh_from_db()

    from registry_client import Client  # noqa: PLC0415 - generated in this test
    from registry_client.api.verification import verifications_create, verifications_retrieve  # noqa: PLC0415
    from registry_client.models import VerificationRequestInputRequest  # noqa: PLC0415

    # A plain Client: no token, no cookie, as the functions' annotations say.
    client = Client(base_url=live_server.url, raise_on_unexpected_status=True)
    body = VerificationRequestInputRequest.from_dict({"qr": verification_url(certificate)})
    scanned = verifications_create.sync_detailed(client=client, body=body)
    assert scanned.status_code == 200, scanned.content
    answer = scanned.parsed
    assert (answer.outcome, answer.valid) == ("valid", True)
    assert [check.code for check in answer.checks][-1] == "token_matches"

    by_id = verifications_retrieve.sync_detailed(client=client, verification_id=certificate.verification_id)
    assert by_id.status_code == 200 and by_id.parsed.certificate.serial_number == certificate.serial_number


def test_a_generated_client_reads_the_public_catalogue_and_gets_the_pdf_as_a_file(generated, live_server):
    client_package, _ = generated
    certificate = factories.CertificateFactory()
    token = api_client_onboard(
        actor=None, username="sis", organisation_slug=certificate.provider.slug, role=Role.PROVIDER
    )

    from registry_client import AuthenticatedClient, Client  # noqa: PLC0415
    from registry_client.api.certificates import certificates_pdf  # noqa: PLC0415
    from registry_client.api.qualifications import qualifications_list  # noqa: PLC0415
    from registry_client.types import File  # noqa: PLC0415

    anonymous = Client(base_url=live_server.url)
    listed = qualifications_list.sync_detailed(client=anonymous)
    assert listed.status_code == 200 and listed.parsed.count >= 1

    refused = certificates_pdf.sync_detailed(client=anonymous, id=certificate.pk)
    assert refused.status_code == 401

    signed_in = AuthenticatedClient(base_url=live_server.url, token=token, prefix="Token")
    pdf = certificates_pdf.sync_detailed(client=signed_in, id=certificate.pk)
    assert pdf.status_code == 200 and isinstance(pdf.parsed, File)
    assert pdf.parsed.payload.read().startswith(b"%PDF-")
