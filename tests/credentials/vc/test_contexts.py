"""The bundled JSON-LD contexts and the guard that every term of what we sign is defined by them."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from credentials.vc import loader
from credentials.vc.credential import build_credential
from credentials.vc.did import did_document
from credentials.vc.loader import ContextIntegrityError, ContextNotBundled, bundled_contexts, undefined_terms
from tests import factories
from tests.credentials.conftest import AWARD
from tests.credentials.vc.conftest import BASE_URL


def test_every_bundled_context_matches_its_recorded_sha256():
    index = json.loads((loader.CONTEXTS_DIR / "index.json").read_text())
    assert set(index) == {
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
        "https://w3id.org/security/data-integrity/v2",
    }
    for entry in index.values():
        assert hashlib.sha256((loader.CONTEXTS_DIR / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]
    assert set(bundled_contexts()) == set(index)


def test_a_changed_context_file_is_refused(tmp_path, monkeypatch):
    copy = tmp_path / "contexts"
    shutil.copytree(loader.CONTEXTS_DIR, copy)
    path = copy / "credentials-v2.jsonld"
    path.write_text(path.read_text().replace('"name": "https://schema.org/name"', '"name": "https://evil.example/n"'))
    monkeypatch.setattr(loader, "CONTEXTS_DIR", copy)
    bundled_contexts.cache_clear()
    try:
        with pytest.raises(ContextIntegrityError, match="credentials-v2.jsonld"):
            bundled_contexts()
    finally:
        monkeypatch.undo()
        bundled_contexts.cache_clear()


def test_any_other_context_url_is_an_error_not_a_fetch():
    document = {"@context": ["https://www.w3.org/ns/credentials/v2", "https://example.org/ctx.jsonld"], "id": "x:y"}
    with pytest.raises(ContextNotBundled) as raised:
        loader.canonize(document)
    assert raised.value.url == "https://example.org/ctx.jsonld"


@pytest.mark.django_db
@pytest.mark.parametrize("variant", ["plain", "no_standards", "no_credits", "optional_module", "reissued"])
def test_every_credential_shape_has_every_term_defined(variant, provider, provider_user):
    from credentials.services import certificate_issue
    from credentials.services.lifecycle import certificate_reissue

    curriculum = factories.CurriculumFactory()
    qualification = curriculum.qualification
    if variant != "no_standards":
        qualification.standards.add(
            factories.OccupationalStandardFactory(esco_uri="http://data.europa.eu/esco/occupation/x")
        )
    if variant == "no_credits":
        qualification.credits = 0
        qualification.save()
    if variant == "optional_module":
        factories.CurriculumModuleFactory(curriculum=curriculum, code="OPT1", mandatory=False, hours_practice=0)
    enrolment = factories.issuable_enrolment(provider=provider, curriculum=curriculum)
    certificate, _ = certificate_issue(actor=None, enrolment=enrolment, awarded_on=AWARD)
    if variant == "reissued":
        certificate = certificate_reissue(
            actor=provider_user,
            certificate=certificate,
            given_name=certificate.snapshot["holder"]["given_name"],
            family_name="Krasniqi-Berisha",
            reason="name as on the ID card",
        )
    credential = build_credential(certificate)
    assert undefined_terms(credential) == []
    if variant == "no_credits":
        assert "creditsAvailable" not in credential["credentialSubject"]["achievement"]
    if variant == "optional_module":
        assert "OPT1" in credential["credentialSubject"]["achievement"]["criteria"]["narrative"]


@pytest.mark.django_db
def test_the_did_document_and_the_status_lists_have_every_term_defined(client, certificate):
    assert undefined_terms(did_document()) == []
    credential = build_credential(certificate)
    for entry in credential["credentialStatus"]:
        response = client.get(entry["statusListCredential"].removeprefix(BASE_URL))
        assert response.status_code == 200
        assert undefined_terms(json.loads(response.content)) == []
