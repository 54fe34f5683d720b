"""`manage.py verify_certificate credential.json ...`: a verifiable credential file, checked online against this
registry, or offline against the DID document and the status lists saved as files:

    manage.py verify_certificate credential.json
    manage.py verify_certificate credential.json --did did.json \
        --status-list revocation.json --status-list suspension.json

Offline, each status list must itself be signed by the DID document's subject and hold at least 131,072 entries
(as a verifier must check); accreditation and equivalency need the registry and are skipped. Without status lists
the status is skipped and the command says so."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from core import json_depth
from credentials.choices import VerificationChannel

from .checks import FAILED, SKIPPED
from .credential_document import (
    StatusListFileError,
    looks_like_credential,
    offline_checks,
    read_status_list,
    verify_credential,
)
from .events import Caller
from .parsing import VerificationInputError

MAX_FILE_BYTES = 1024 * 1024


def read_json_file(path: str, what: str):
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {what} {path}: {exc.__class__.__name__}") from exc
    if len(data) > MAX_FILE_BYTES:
        raise CommandError(f"{what} {path} is larger than {MAX_FILE_BYTES} bytes")
    try:
        return json_depth.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, json_depth.TooDeeplyNested) as exc:
        raise CommandError(f"{what} {path} is not JSON: {exc.__class__.__name__}") from exc


def credential_file(source: str):
    """The credential document in `source` if it is a JSON file holding one, else None."""
    path = Path(source)
    try:
        if len(source) >= 4096 or not path.is_file():
            return None
        head = path.read_bytes()[:1].strip()
    except (OSError, ValueError):
        return None
    if head not in (b"{", b"\xef"):
        return None
    document = read_json_file(source, "the credential")
    return document if looks_like_credential(document) else None


def add_credential_arguments(parser) -> None:
    parser.add_argument(
        "--did", help="offline, for a credential file: the registry's DID document (/.well-known/did.json) saved"
    )
    parser.add_argument(
        "--status-list",
        action="append",
        default=[],
        dest="status_lists",
        metavar="FILE",
        help="offline, for a credential file: a status list (/status/{n}/revocation or /suspension) saved; repeat",
    )


def _describe(command, document: dict) -> None:
    subject = document.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    name = achievement.get("name") if isinstance(achievement, dict) else document.get("name")
    command.stdout.write(str(document.get("id")))
    if isinstance(name, str):
        command.stdout.write(name)
    command.stdout.write(f"valid from {document.get('validFrom')}")


def verify_credential_file(command, document: dict, *, did: str | None, status_lists: list[str]) -> None:
    if did is None:
        if status_lists:
            raise CommandError("--status-list is for offline checks: give --did too")
        return _online(command, document)
    return _offline(command, document, did, status_lists)


def _online(command, document: dict) -> None:
    report = verify_credential(
        document=document, caller=Caller(user_agent_family="cli"), channel=VerificationChannel.API
    )
    if report.error is not None:
        raise CommandError(f"{report.error.code}: {report.error.message}")
    facts = report.public_facts()
    command.stdout.write(f"{facts['serial_number']}  {facts['holder_name']}")
    command.stdout.write(f"{facts['qualification']['title'].get('en')} (EQF {facts['qualification']['eqf_level']})")
    for check in report.checks:
        command.line(check.name, check.result, check.message)
    if not report.valid:
        raise CommandError(f"NOT VALID: {', '.join(c.code for c in report.checks if c.result == FAILED)}")
    command.stdout.write(command.style.SUCCESS("VALID. Compare the holder's name with their ID card."))


def _offline(command, document: dict, did_path: str, list_paths: list[str]) -> None:
    did_document = read_json_file(did_path, "the DID document")
    if not isinstance(did_document, dict) or not isinstance(did_document.get("id"), str):
        raise CommandError(f"{did_path} is not a DID document")
    lists = []
    for path in list_paths:
        try:
            lists.append(read_status_list(read_json_file(path, "the status list"), did_document=did_document))
        except StatusListFileError as exc:
            raise CommandError(f"status list {path}: {exc}") from exc
    try:
        checks = offline_checks(document, did_document=did_document, status_lists=lists)
    except VerificationInputError as exc:
        raise CommandError(f"{exc.code}: {exc.message}") from exc
    _describe(command, document)
    for check in checks:
        command.line(check.name, check.result, check.message)
    failed = [c.code for c in checks if c.result == FAILED]
    if failed:
        raise CommandError(f"NOT VALID: {', '.join(failed)}")
    if any(c.name == "status" and c.result == SKIPPED for c in checks):
        command.stdout.write(
            command.style.WARNING("PROOF VALID (offline). Status not checked: pass --status-list for each list.")
        )
        return
    command.stdout.write(command.style.SUCCESS("VALID (offline, as of the status lists given)."))
