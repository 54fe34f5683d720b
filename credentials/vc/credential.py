"""A certificate as a W3C Verifiable Credential 2.0 that is also an Open Badges 3.0 `OpenBadgeCredential`,
secured with an `eddsa-rdfc-2022` Data Integrity proof (docs/decisions/0015-verifiable-credentials.md).

Made from the certificate's signed snapshot (what was printed), its fixed keys (database ids of the qualification)
and the occupational standards of its qualification (ISCO/ESCO, not printed, so not in the snapshot). Nothing
else: the same certificate gives the same bytes, whenever it is asked for.

Personal data: the holder appears only as a salted sha256 `IdentityObject` of the printed name. No personal
number, date of birth, module results, nor anything of the learner record beyond that hash.
"""

from __future__ import annotations

import datetime
import hashlib
import json

from django.conf import settings

from credentials.models import Certificate
from registry.models import OccupationalStandard
from registry.qdr import ISCED_F, KOSOVO_NQF_LEVELS

from .did import issuer_did
from .loader import OB_V3, VC_V2
from .proof import add_proof, format_datetime

MEDIA_TYPE = "application/vc"
REGISTRY_NAME = "Kosovo Qualification and Credential Registry"
EQF_LEVEL_URL = "http://data.europa.eu/snb/eqf/{level}"
# The Kosovo NQF's levels are concepts of the Europass QDR vocabulary ("KS NQF Level n"): the table of the
# catalogue's QDR export (registry.qdr), one list for both. The scheme itself for a level it does not list.
QDR_SCHEME_URL = "http://data.europa.eu/snb/qdr/25831c2"
ISCO_URL = "http://data.europa.eu/esco/isco/C{code}"
# ISCED-F 2013 detailed fields of the qualifications the catalogue holds (a code without a label is shown as is).
ISCED_F_LABELS = {"0113": "Teacher training without subject specialisation"}


def _base() -> str:
    return settings.PUBLIC_BASE_URL


def credential_url(verification_id: str) -> str:
    return f"{_base()}/credentials/{verification_id}"


def _profile(org: dict, *, kind: str = "Profile") -> dict:
    return {
        "id": f"{_base()}/api/v1/organisations/{org['slug']}/",
        "type": [kind],
        "name": org["name"],
    }


def _midnight(day: str) -> str:
    return f"{day}T00:00:00Z"


def identity_salt(certificate: Certificate) -> str:
    """Per certificate, stable, and nothing secret: derived from the snapshot's signature (which changes with the
    printed name). It keeps precomputed name tables from working across credentials; a verifier who knows the
    holder's name recomputes sha256(name + salt)."""
    return hashlib.sha256(f"kqr-identity-salt:{certificate.signature}".encode()).hexdigest()[:32]


def identity_hash(name: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((name + salt).encode("utf-8")).hexdigest()


def _hours_text(q: dict) -> str:
    return f"{q['hours_theory']} hours of theory and {q['hours_practice']} hours of practice"


def _criteria(snapshot: dict) -> str:
    q = snapshot["qualification"]
    mandatory = [m for m in snapshot["modules"] if m["mandatory"]]
    optional = [m for m in snapshot["modules"] if not m["mandatory"]]

    def line(module):
        return (
            f"- {module['code']} {module['title_en']} ({module['hours_theory']} h theory, "
            f"{module['hours_practice']} h practice)"
        )

    parts = [
        f"Completed the accredited programme of {_hours_text(q)} and passed every mandatory module:",
        *map(line, mandatory),
    ]
    if optional:
        parts += ["Optional modules of the programme:", *map(line, optional)]
    return "\n".join(parts)


def _standards(certificate: Certificate) -> list[OccupationalStandard]:
    return list(
        OccupationalStandard.objects.filter(qualifications=certificate.qualification_id).order_by("code", "version")
    )


def _alignments(snapshot: dict, standards: list[OccupationalStandard], isced_f_code: str) -> list[dict]:
    q = snapshot["qualification"]
    alignments = [
        {
            "type": ["Alignment"],
            "targetType": "ext:EQFLevel",
            "targetFramework": "European Qualifications Framework",
            "targetCode": str(q["eqf_level"]),
            "targetName": f"EQF level {q['eqf_level']}",
            "targetUrl": EQF_LEVEL_URL.format(level=q["eqf_level"]),
        },
        {
            "type": ["Alignment"],
            "targetType": "ext:NQFLevel",
            "targetFramework": "Kosovo National Qualifications Framework",
            "targetCode": str(q["nqf_level"]),
            "targetName": f"Kosovo NQF level {q['nqf_level']}",
            "targetUrl": KOSOVO_NQF_LEVELS.get(q["nqf_level"], QDR_SCHEME_URL),
        },
    ]
    if isced_f_code:
        alignments.append(
            {
                "type": ["Alignment"],
                "targetType": "ext:ISCEDF",
                "targetFramework": "ISCED-F 2013",
                "targetCode": isced_f_code,
                "targetName": ISCED_F_LABELS.get(isced_f_code, f"ISCED-F 2013 {isced_f_code}"),
                "targetUrl": ISCED_F.format(code=isced_f_code),
            }
        )
    for standard in standards:
        alignments.append(
            {
                "type": ["Alignment"],
                "targetType": "ext:ISCO08",
                "targetFramework": "ISCO-08",
                "targetCode": standard.isco08_code,
                "targetName": f"ISCO-08 {standard.isco08_code} ({standard.code} {standard.title})",
                "targetUrl": ISCO_URL.format(code=standard.isco08_code),
            }
        )
        if standard.esco_uri and standard.esco_uri != ISCO_URL.format(code=standard.isco08_code):
            alignments.append(
                {
                    "type": ["Alignment"],
                    "targetType": "ext:ESCOOccupation",
                    "targetFramework": "ESCO",
                    "targetName": f"ESCO occupation ({standard.code} {standard.title})",
                    "targetUrl": standard.esco_uri,
                }
            )
    return alignments


def _isced_f_code(certificate: Certificate) -> str:
    return certificate.qualification.isced_f_code


def _field_of_study(certificate: Certificate, standards: list[OccupationalStandard]) -> str:
    code = _isced_f_code(certificate)
    if code:
        label = ISCED_F_LABELS.get(code)
        return f"{label} (ISCED-F 2013 {code})" if label else f"ISCED-F 2013 {code}"
    return standards[0].title if standards else certificate.snapshot["qualification"]["title"]["en"]


def _status_entries(certificate: Certificate) -> list[dict]:
    try:
        from credentials.status_list.entries import status_entries
    except ModuleNotFoundError as exc:  # the status-list helper's module; without it, no credentialStatus
        if exc.name and exc.name.startswith("credentials.status_list"):
            return []
        raise
    return status_entries(certificate)


def proof_created(certificate: Certificate) -> datetime.datetime:
    """The proof's `created`: the issue time (whole seconds), or the signing key's start if that is later (a
    credential re-signed after a key rotation never claims a proof older than its key)."""
    from credentials.signing import load_keyring

    created = certificate.created_at.astimezone(datetime.UTC).replace(microsecond=0)
    keyring = load_keyring()
    entry = keyring.keys.get(keyring.active_kid or "")
    if entry is not None and entry.not_before and entry.not_before > created:
        created = entry.not_before
    return created


def unsigned_credential(certificate: Certificate) -> dict:
    snapshot = certificate.snapshot
    q = snapshot["qualification"]
    standards = _standards(certificate)
    salt = identity_salt(certificate)
    achievement = {
        "id": f"{_base()}/api/v1/qualifications/{certificate.qualification_id}/",
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "humanCode": q["code"],
        "name": q["title"]["sq"],
        "inLanguage": "sq",
        "description": (
            f"{q['title']['en']}: a qualification at level {q['nqf_level']} of the Kosovo National Qualifications "
            f"Framework (EQF level {q['eqf_level']}), {_hours_text(q)}"
            + (f", {q['credits']} credits." if q.get("credits") else ".")
        ),
        "criteria": {"narrative": _criteria(snapshot)},
        "creator": _profile(snapshot["awarding_body"]),
        "fieldOfStudy": _field_of_study(certificate, standards),
        "alignment": _alignments(snapshot, standards, _isced_f_code(certificate)),
    }
    if q.get("credits"):
        achievement["creditsAvailable"] = q["credits"]
    credential = {
        "@context": [VC_V2, OB_V3],
        "id": credential_url(snapshot["verification_id"]),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_did(), "type": ["Profile"], "name": REGISTRY_NAME, "url": _base() + "/"},
        "validFrom": _midnight(snapshot["awarded_on"]),
        "name": f"{q['title']['sq']} ({snapshot['serial_number']})",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": identity_hash(snapshot["holder"]["full_name"], salt),
                    "identityType": "name",
                    "hashed": True,
                    "salt": salt,
                }
            ],
            "activityEndDate": _midnight(snapshot["awarded_on"]),
            "source": _profile(snapshot["provider"]),
            "achievement": achievement,
        },
    }
    entries = _status_entries(certificate)
    if entries:
        credential["credentialStatus"] = entries
    return credential


def build_credential(certificate: Certificate) -> dict:
    """The signed credential. Deterministic: the same certificate, key and PUBLIC_BASE_URL give the same bytes."""
    return add_proof(unsigned_credential(certificate), created=format_datetime(proof_created(certificate)))


def credential_bytes(credential: dict) -> bytes:
    return json.dumps(credential, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
