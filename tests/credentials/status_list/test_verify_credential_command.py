"""manage.py verify_certificate with a verifiable credential file: online, and offline with the DID document and
the status lists saved as files."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from credentials.services import certificate_revoke, certificate_suspend
from credentials.status_list import bitstring
from tests.credentials.status_list.credential_fixtures import minimal_credential, tampered

pytestmark = pytest.mark.django_db


def _save(tmp_path, name, data) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def _run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_certificate", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def saved(tmp_path, client, certificate):
    """save(credential=None) -> (credential file, did file, [revocation list file, suspension list file]), as a
    verifier would have saved them from the registry now."""

    def save(credential=None):
        credential = credential or minimal_credential(certificate)
        lists = [
            _save(tmp_path, f"{purpose}.json", client.get(f"/status/1/{purpose}").json())
            for purpose in ("revocation", "suspension")
        ]
        return (
            _save(tmp_path, "credential.json", credential),
            _save(tmp_path, "did.json", client.get("/.well-known/did.json").json()),
            lists,
        )

    return save


def _offline(credential, did, lists) -> list[str]:
    args = [credential, "--did", did]
    for path in lists:
        args += ["--status-list", path]
    return args


def test_offline_a_valid_credential(saved):
    credential, did, lists = saved()
    out = _run(*_offline(credential, did, lists))
    assert "VALID (offline" in out
    assert "issuer" in out and "proof" in out and "status" in out


def test_offline_a_revoked_credential_fails_loudly(saved, certificate):
    document = minimal_credential(certificate)
    certificate_revoke(actor=None, certificate=certificate, reason_code="fraud", reference="Case 1")
    credential, did, lists = saved(document)
    with pytest.raises(CommandError, match="status_revoked"):
        _run(*_offline(credential, did, lists))


def test_offline_a_suspended_credential_fails_loudly(saved, certificate):
    document = minimal_credential(certificate)
    certificate_suspend(actor=None, certificate=certificate, reason_code="other", reference="Inquiry")
    credential, did, lists = saved(document)
    with pytest.raises(CommandError, match="status_suspended"):
        _run(*_offline(credential, did, lists))


def test_offline_a_tampered_credential_fails_its_proof(saved, certificate):
    credential, did, lists = saved(tampered(minimal_credential(certificate)))
    with pytest.raises(CommandError, match="proof_invalid"):
        _run(*_offline(credential, did, lists))


def test_offline_a_did_document_without_the_key_fails_the_issuer_check(saved, tmp_path):
    credential, did, lists = saved()
    document = json.loads(Path(did).read_text())
    document["verificationMethod"], document["assertionMethod"] = [], []
    with pytest.raises(CommandError, match="status list"):  # the lists are signed by the same key
        _run(*_offline(credential, _save(tmp_path, "did2.json", document), lists))
    with pytest.raises(CommandError, match="issuer_key_unknown"):
        _run(credential, "--did", _save(tmp_path, "did2.json", document))


def test_offline_a_forged_status_list_is_refused(saved, tmp_path):
    credential, did, lists = saved()
    forged = json.loads(Path(lists[0]).read_text())
    forged["credentialSubject"]["encodedList"] = bitstring.encode_list(range(0, 131_072, 2), 131_072)
    with pytest.raises(CommandError, match="proof does not verify"):
        _run(*_offline(credential, did, [_save(tmp_path, "forged.json", forged), lists[1]]))


def test_offline_a_list_shorter_than_the_spec_minimum_is_refused(saved, settings, certificate, client, tmp_path):
    from credentials.models import StatusList

    StatusList.objects.filter(number=1).update(size=64)  # as a list opened with STATUS_LIST_SIZE=64 would be
    credential, did, lists = saved()
    with pytest.raises(CommandError, match="fewer than the 131072"):
        _run(*_offline(credential, did, lists))


def test_offline_without_status_lists_says_the_status_was_not_checked(saved):
    credential, did, _ = saved()
    out = _run(credential, "--did", did)
    assert "Status not checked" in out and "VALID (offline" not in out.replace("PROOF VALID (offline", "")


def test_offline_a_list_for_another_purpose_or_list_is_not_used(saved, tmp_path):
    credential, did, lists = saved()
    with pytest.raises(CommandError, match="status_list_unavailable"):
        _run(*_offline(credential, did, [lists[1]]))  # only the suspension list: revocation unknown


def test_online_a_credential_file(saved, certificate):
    credential, _, _ = saved()
    assert "VALID." in _run(credential)
    certificate_revoke(actor=None, certificate=certificate, reason_code="fraud", reference="Case 1")
    with pytest.raises(CommandError, match="status_revoked"):
        _run(credential)


def test_credential_options_are_refused_for_other_sources(certificate, tmp_path):
    with pytest.raises(CommandError, match="--did"):
        _run(certificate.verification_id, "--did", "did.json")


def test_a_json_file_that_is_not_a_credential_is_not_taken_for_one(certificate, tmp_path):
    path = _save(tmp_path, "other.json", {"hello": "world"})
    with pytest.raises(CommandError):
        _run(path)
