"""The public feed of catalogue changes, read from the audit trail (ADR 0011), so that registers can harvest
increments (GET /api/v1/catalogue-changes?since=, docs/datasets.md, ADR 0014).

Only catalogue records appear (organisations, municipalities, occupational standards, qualifications, curricula,
accreditations, equivalencies) and of each only the fields the public catalogue API shows anyway: never who made
the change, from which organisation or request, nor the reason typed with it; never a learner, a certificate, a
user or anything else the audit trail holds.

Pages follow the audit entries' ids. `since` is an opaque cursor (the id of the last entry a page gave, signed so
that only cursors the feed gave are accepted). An entry is served only once it is `CATALOGUE_CHANGES_SETTLE_SECONDS`
old: ids are taken when a row is inserted, not when its transaction commits, so a write still open when a page was
read could otherwise get an id below that page's cursor and never be seen. Catalogue writes are single short
transactions; the settle time covers them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, from_one_to
from registry.models import AuditEntry

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
_SIGNER = signing.Signer(salt="registry.catalogue-changes", algorithm="sha256")

# audit object type -> (the type the feed names, its public fields as the audit trail keys them, its API route).
# A relation's key ends in _id; the feed names it without (`owner`) and gives the related record's id.
CATALOGUE: dict[str, tuple[str, tuple[str, ...], str]] = {
    "registry.organisation": (
        "organisation",
        ("slug", "kind", "name", "short_name", "registration_number", "country", "municipality_id", "website",
         "status", "signatory_name", "signatory_title"),
        "organisations",
    ),
    "registry.municipality": (
        "municipality", ("slug", "name_sq", "name_sr", "name_sr_cyrl", "name_en"), "municipalities"
    ),
    "registry.occupationalstandard": (
        "occupational_standard",
        ("code", "title", "version", "isco08_code", "esco_uri", "status", "approved_on", "review_on",
         "developed_by", "duties"),
        "occupational-standards",
    ),
    "registry.qualification": (
        "qualification",
        ("code", "serial_prefix", "title_sq", "title_sr", "title_en", "type", "nqf_level", "eqf_level", "credits",
         "isced_f_code", "hours_theory", "hours_practice", "owner_id", "awarding_body_id", "standards", "status",
         "operational_start", "operational_end", "certification_end", "supersedes_id", "supersedes_is_equivalent"),
        "qualifications",
    ),
    "registry.curriculum": (
        "curriculum",
        ("qualification_id", "version", "title", "delivery_modes", "developed_by", "status", "approved_on",
         "modules"),
        "curricula",
    ),
    "registry.accreditation": (
        "accreditation",
        ("provider_id", "qualification_id", "nqf_level", "agent_id", "kind", "extent", "decision_number",
         "valid_from", "valid_until", "municipalities", "sites", "status", "status_reason", "conditions"),
        "accreditations",
    ),
    "registry.equivalency": (
        "equivalency",
        ("qualification_id", "equivalent_to_id", "decided_by_id", "decision_number", "decided_on", "valid_from",
         "valid_until", "status", "status_reason", "notes"),
        "equivalencies",
    ),
}  # fmt: skip
# Routes whose records are named by slug, not by id.
_SLUG_ROUTES = {"registry.organisation": "organisations", "registry.municipality": "municipalities"}


@dataclass(frozen=True)
class Change:
    changed_at: datetime.datetime
    action: str
    object_type: str
    object_id: str
    url: str | None
    fields: dict


@dataclass(frozen=True)
class ChangesPage:
    changes: list[Change]
    next_since: str
    has_more: bool


def encode_cursor(entry_id: int) -> str:
    return _SIGNER.sign(str(entry_id))


def decode_cursor(since: str | None) -> int:
    """The audit entry id a cursor stands for (0: from the start). Anything the feed did not give is a 400."""
    if since in (None, ""):
        return 0
    try:
        value = int(_SIGNER.unsign(since))
    except (signing.BadSignature, ValueError):
        raise DomainError(
            "invalid_since",
            _("`since` is a cursor this feed gave (`next_since` of a page); leave it out to start from the beginning."),
            fields={"since": ["Not a cursor of this feed."]},
        ) from None
    return value


def parse_limit(value: str | None) -> int:
    if value in (None, ""):
        return DEFAULT_LIMIT
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise DomainError(
            "invalid_limit",
            format_lazy(_("`limit` is a whole number from 1 to {max}."), max=MAX_LIMIT),
            fields={"limit": [from_one_to(MAX_LIMIT)]},
        )
    return int(value)


def settle_seconds() -> float:
    return float(getattr(settings, "CATALOGUE_CHANGES_SETTLE_SECONDS", 5))


def catalogue_changes(*, since: str | None, limit: int = DEFAULT_LIMIT) -> ChangesPage:
    """The catalogue changes after the cursor `since`, oldest first, at most `limit` of them."""
    after = decode_cursor(since)
    horizon = timezone.now() - datetime.timedelta(seconds=settle_seconds())
    entries = list(
        AuditEntry.objects.filter(object_type__in=CATALOGUE, id__gt=after, created_at__lte=horizon)
        .order_by("id")
        .only("id", "created_at", "action", "object_type", "object_id", "after")[: limit + 1]
    )
    has_more = len(entries) > limit
    entries = entries[:limit]
    slugs = _current_slugs(entries)
    changes = [_change(entry, slugs) for entry in entries]
    next_since = encode_cursor(entries[-1].id) if entries else (since or encode_cursor(0))
    return ChangesPage(changes=changes, next_since=next_since, has_more=has_more)


def _current_slugs(entries: list[AuditEntry]) -> dict[tuple[str, str], str]:
    """The slugs of the organisations and municipalities on the page, as they are now (one query each)."""
    from registry.models import Municipality, Organisation

    found: dict[tuple[str, str], str] = {}
    for object_type, model in (("registry.organisation", Organisation), ("registry.municipality", Municipality)):
        ids = {e.object_id for e in entries if e.object_type == object_type and e.object_id.isdigit()}
        if ids:
            for pk, slug in model.objects.filter(pk__in=ids).values_list("pk", "slug"):
                found[(object_type, str(pk))] = slug
    return found


def _change(entry: AuditEntry, slugs: dict[tuple[str, str], str]) -> Change:
    name, public, route = CATALOGUE[entry.object_type]
    after = entry.after if isinstance(entry.after, dict) else {}
    fields = {_field_name(key): after[key] for key in public if key in after}
    return Change(
        changed_at=entry.created_at,
        action=entry.action,
        object_type=name,
        object_id=entry.object_id,
        url=_url(entry, route, slugs),
        fields=fields,
    )


def _field_name(key: str) -> str:
    return key[: -len("_id")] if key.endswith("_id") else key


def _url(entry: AuditEntry, route: str, slugs: dict[tuple[str, str], str]) -> str | None:
    if entry.object_type in _SLUG_ROUTES:
        slug = slugs.get((entry.object_type, entry.object_id))
        return f"{settings.PUBLIC_BASE_URL}/api/v1/{route}/{slug}" if slug else None
    return f"{settings.PUBLIC_BASE_URL}/api/v1/{route}/{entry.object_id}"
