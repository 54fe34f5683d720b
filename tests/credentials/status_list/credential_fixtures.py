"""A signed credential document of a certificate, for the verification tests.

`registry_credential` is the registry's own (credentials.vc.credential, the OpenBadgeCredential /credentials/{id}
serves); `minimal_credential` a small W3C VC 2.0 with the same id, issuer, status entries and proof, so the
verification path is tested on its own terms."""

from __future__ import annotations

import copy

from django.conf import settings

from credentials.status_list.entries import status_entries
from credentials.vc.did import issuer_did
from credentials.vc.loader import VC_V2
from credentials.vc.proof import add_proof


def unsigned_minimal_credential(certificate) -> dict:
    return {
        "@context": [VC_V2],
        "id": f"{settings.PUBLIC_BASE_URL}/credentials/{certificate.verification_id}",
        "type": ["VerifiableCredential"],
        "issuer": issuer_did(),
        "validFrom": f"{certificate.awarded_on.isoformat()}T00:00:00Z",
        "name": certificate.serial_number,
        "credentialSubject": {"name": "test subject"},
        "credentialStatus": status_entries(certificate),
    }


def minimal_credential(certificate) -> dict:
    return add_proof(unsigned_minimal_credential(certificate), created="2026-06-02T10:00:00Z")


def registry_credential(certificate) -> dict:
    from credentials.vc.credential import build_credential

    return build_credential(certificate)


def tampered(document: dict) -> dict:
    changed = copy.deepcopy(document)
    changed["name"] = str(changed.get("name", "")) + " (edited)"
    return changed
