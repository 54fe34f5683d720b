"""The published lists: `/status/{n}/revocation` and `/status/{n}/suspension` as signed
`BitstringStatusListCredential`s, built on read and cached per version.

A list is built from the certificates' statuses (one indexed query: the entries of list n whose certificate is
revoked or superseded, or suspended), encoded, signed (Data Integrity, eddsa-rdfc-2022, credentials.vc.proof)
and kept in the cache under (list, purpose, version, signing key, public URL). Every status change bumps the
version in its own transaction (services.py), so the first fetch after the commit misses the cache and builds
the list anew: no fetch ever sees a list older than the last committed change. The proof's `created` and the
credential's `validFrom` are the time of that change, so a rebuild of the same version (another worker, an
evicted cache entry) gives the same bytes and the same ETag.

`bit_is_set` answers the registry's own verifier from the same source (the statuses), without building a list.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import OuterRef, Subquery

from credentials.models import StatusList, StatusListEntry
from credentials.signing import active_key_id
from credentials.vc.did import issuer_did
from credentials.vc.proof import add_proof

from .bitstring import encode_list
from .entries import PURPOSES, status_list_url
from .services import statuses_setting

DEFAULT_TTL_SECONDS = 300
CACHE_SECONDS = 24 * 3600  # a version's list never changes; the cache only bounds how long an idle one is kept
MEDIA_TYPE = "application/ld+json"


def ttl_seconds() -> int:
    """How long a verifier may keep a list before fetching it again: the credential's `ttl` (in ms) and the
    response's `Cache-Control: max-age` (in s) both say this (`STATUS_LIST_TTL`)."""
    return int(getattr(settings, "STATUS_LIST_TTL", DEFAULT_TTL_SECONDS))


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def find_list(number: int) -> StatusList | None:
    return StatusList.objects.filter(number=number).first()


def changed_at(status_list: StatusList, purpose: str) -> datetime.datetime:
    return getattr(status_list, f"{purpose}_changed_at")


def version(status_list: StatusList, purpose: str) -> int:
    return getattr(status_list, f"{purpose}_version")


def set_indexes(status_list: StatusList, purpose: str) -> list[int]:
    """The indexes whose bit is 1: the list's certificates whose status sets this purpose's bit."""
    return list(
        StatusListEntry.objects.filter(
            status_list=status_list, certificate__status__in=statuses_setting(purpose)
        ).values_list("index", flat=True)
    )


def unsigned_list_credential(status_list: StatusList, purpose: str, indexes: list[int]) -> dict:
    url = status_list_url(status_list.number, purpose)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did(),
        "validFrom": _iso(changed_at(status_list, purpose)),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode_list(indexes, status_list.size),
            "ttl": ttl_seconds() * 1000,
        },
    }


@dataclass(frozen=True)
class PublishedList:
    etag: str
    body: bytes


def etag(status_list: StatusList, purpose: str) -> str:
    """Names one version of one list, as signed by one key for one public URL: a status change, a key rotation
    or a new PUBLIC_BASE_URL each give another, and so does a list made anew (a restored database, a test), whose
    version numbers start again."""
    origin = f"{settings.PUBLIC_BASE_URL}|{active_key_id()}|{status_list.created_at.isoformat()}|{status_list.size}"
    digest = hashlib.sha256(origin.encode()).hexdigest()[:16]
    return f'"{status_list.number}-{purpose}-{version(status_list, purpose)}-{digest}"'


def _cache_key(tag: str) -> str:
    return "status-list:" + hashlib.sha256(tag.encode()).hexdigest()[:40]


def published_list(status_list: StatusList, purpose: str) -> PublishedList:
    """The signed list credential of this version (built once per version, then from the cache)."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    tag = etag(status_list, purpose)
    key = _cache_key(tag)
    body = cache.get(key)
    if body is None:
        document = unsigned_list_credential(status_list, purpose, set_indexes(status_list, purpose))
        signed = add_proof(document, created=changed_at(status_list, purpose))
        body = json.dumps(signed, ensure_ascii=False, separators=(",", ":")).encode()
        cache.set(key, body, CACHE_SECONDS)
    return PublishedList(etag=tag, body=body)


def status_at(number: int, index: int) -> tuple[bool, str | None]:
    """(whether list `number` exists and covers `index`, the status of the certificate at that index or None when
    the index is free): one query, whatever the purpose."""
    holder = StatusListEntry.objects.filter(status_list=OuterRef("pk"), index=index).values("certificate__status")
    row = (
        StatusList.objects.filter(number=number).annotate(status=Subquery(holder[:1])).values("size", "status").first()
    )
    if row is None or not 0 <= index < row["size"]:
        return False, None
    return True, row["status"]


def bit_from_status(purpose: str, status: str | None) -> bool:
    return status is not None and status in statuses_setting(purpose)


def bit_is_set(purpose: str, number: int, index: int) -> bool | None:
    """The bit the published list `number` of `purpose` has at `index`, read from the statuses (one query):
    True or False; None when the registry has no such list or the index lies outside it."""
    if purpose not in PURPOSES:
        return None
    covered, status = status_at(number, index)
    return bit_from_status(purpose, status) if covered else None
