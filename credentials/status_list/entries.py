"""The two `BitstringStatusListEntry` objects a certificate's verifiable credential carries (its
`credentialStatus`): one for revocation, one for suspension, at the same random index of list {n}."""

from __future__ import annotations

from django.conf import settings

from credentials.models import Certificate

from .allocation import entry_for

REVOCATION, SUSPENSION = "revocation", "suspension"
PURPOSES = (REVOCATION, SUSPENSION)


def status_list_url(number: int, purpose: str) -> str:
    """The list credential's URL, which is also its `id`: `{PUBLIC_BASE_URL}/status/{n}/{purpose}`."""
    return f"{settings.PUBLIC_BASE_URL}/status/{number}/{purpose}"


def status_entry(number: int, index: int, purpose: str) -> dict:
    url = status_list_url(number, purpose)
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def status_entries(certificate: Certificate) -> list[dict]:
    """[revocation entry, suspension entry] for the certificate (allocating its index if it has none yet)."""
    entry = entry_for(certificate)
    return [status_entry(entry.status_list.number, entry.index, purpose) for purpose in PURPOSES]
