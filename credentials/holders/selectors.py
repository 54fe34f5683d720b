"""Reads for the holder's private page: their own certificates and who checked them. Everything is filtered by the
learner the link belongs to; nothing here takes a certificate id from the request without that filter."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from credentials.choices import VerificationChannel
from credentials.models import Certificate, HolderPreference, ShareLink, VerificationEvent

# Organisations' checks shown per certificate (the newest); the counts cover every check.
ORGANISATION_CHECKS_SHOWN = 50


@dataclass
class Checks:
    organisations: list[tuple[str, object]] = field(default_factory=list)  # (organisation name, when), newest first
    organisation_total: int = 0
    anonymous: int = 0
    shared: int = 0


def holder_certificates(learner_id: int) -> list[Certificate]:
    return list(
        Certificate.objects.filter(learner_id=learner_id)
        .select_related("qualification", "provider")
        .order_by("-issued_on", "-id")
    )


def checks_of(certificate_ids: list[int]) -> dict[int, Checks]:
    """Who checked each certificate: the organisations (by name, with the time), the number of anonymous checks and
    of checks through share links. Never an address, a user agent or a user: the event log keeps no address, and
    this shows neither its hash nor anything else of the caller."""
    result: dict[int, Checks] = defaultdict(Checks)
    if not certificate_ids:
        return result
    counts = (
        VerificationEvent.objects.filter(certificate_id__in=certificate_ids)
        .values("certificate_id")
        .annotate(
            organisations=Count("id", filter=Q(verifier_organisation__isnull=False)),
            shared=Count("id", filter=Q(verifier_organisation__isnull=True, channel=VerificationChannel.SHARE)),
            anonymous=Count("id", filter=Q(verifier_organisation__isnull=True) & ~Q(channel=VerificationChannel.SHARE)),
        )
        .order_by()
    )
    for row in counts:
        checks = result[row["certificate_id"]]
        checks.organisation_total, checks.shared, checks.anonymous = (
            row["organisations"],
            row["shared"],
            row["anonymous"],
        )
    for certificate_id in certificate_ids:
        if not result[certificate_id].organisation_total:
            continue
        events = (
            VerificationEvent.objects.filter(certificate_id=certificate_id, verifier_organisation__isnull=False)
            .order_by("-created_at", "-id")
            .values_list("verifier_organisation__name", "created_at")[:ORGANISATION_CHECKS_SHOWN]
        )
        result[certificate_id].organisations = list(events)
    return result


def share_links_of(certificate_ids: list[int]) -> dict[int, list[ShareLink]]:
    """Each certificate's share links still working, newest first."""
    links: dict[int, list[ShareLink]] = defaultdict(list)
    now = timezone.now()
    for share in ShareLink.objects.filter(
        certificate_id__in=certificate_ids, withdrawn_at__isnull=True, expires_at__gt=now
    ).order_by("-created_at", "-id"):
        links[share.certificate_id].append(share)
    return links


def hidden_certificate_ids(certificate_ids: list[int]) -> set[int]:
    return set(
        HolderPreference.objects.filter(certificate_id__in=certificate_ids, hidden_from_lookup=True).values_list(
            "certificate_id", flat=True
        )
    )
