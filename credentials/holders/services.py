"""The holder's private link and what it lets the holder do (DESIGN.md "People who are not programmers": holders).

A holder is a learner record: the private link (`/my/{token}`) shows that learner's certificates and nothing
else. The link is a capability URL (credentials/holders/tokens.py): 256 bits, stored as a nonce and a hash, revocable,
expiring after HOLDER_LINK_DAYS and renewed by e-mail to the address on record. It is sent when a certificate is
issued (a task after the issuance commits), when the provider asks (`holder_link_send`), and when the holder asks
(an expired link's page, or `/my/` with their e-mail address): every such request answers the same whether or not
anything was sent, so the form tells nobody which addresses the registry knows.

Writes by the holder are audited with no actor (the system) and the reason "by the holder".
"""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from core import policy
from core.errors import Conflict, DomainError, from_one_to
from core.language import public_tag
from credentials.choices import LIVE_CERTIFICATE_STATUSES
from credentials.models import Certificate, EmailKind, HolderAccess, HolderPreference, Learner, ShareLink
from credentials.notifications.mail import deliverable, email_queue
from registry.choices import AuditAction
from registry.services.base import create_audited, update_audited

from . import tokens

BY_HOLDER = "by the holder"
SHARE_DEFAULT_DAYS = 30
# Link requests by e-mail address per day, whoever asks (on top of the per-address throttle of the form).
LINK_REQUESTS_PER_ADDRESS = 3
# last_used_at is written at most this often per link (a page view is not a write).
TOUCH_EVERY = datetime.timedelta(minutes=10)


def holder_link_days() -> int:
    return int(getattr(settings, "HOLDER_LINK_DAYS", 365))


def share_link_max_days() -> int:
    return int(getattr(settings, "SHARE_LINK_MAX_DAYS", 365))


def holder_url(access: HolderAccess, *, lang: str = "") -> str:
    token = tokens.token_for(tokens.HOLDER, access.nonce)
    url = settings.PUBLIC_BASE_URL + reverse("holder-page", args=[token])
    return f"{url}?lang={public_tag(lang)}" if lang else url


def share_url(share: ShareLink) -> str:
    return settings.PUBLIC_BASE_URL + reverse("share-page", args=[tokens.token_for(tokens.SHARE, share.nonce)])


# --- the private link ------------------------------------------------------------------------------------------


def _new_access(*, actor, learner: Learner) -> HolderAccess:
    nonce = tokens.new_nonce()
    access = HolderAccess(
        learner=learner,
        nonce=nonce,
        token_hash=tokens.hash_token(tokens.token_for(tokens.HOLDER, nonce)),
        expires_at=timezone.now() + datetime.timedelta(days=holder_link_days()),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    return create_audited(actor=actor, instance=access)


def holder_access_current(*, actor, learner: Learner) -> HolderAccess:
    """The learner's newest link still usable, or a new one: the same link goes in every e-mail and on every
    print until it expires or is revoked."""
    access = (
        HolderAccess.objects.filter(learner=learner, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at", "-id")
        .first()
    )
    return access or _new_access(actor=actor, learner=learner)


def holder_link_for_certificate(certificate: Certificate) -> str:
    """The holder's private link for a certificate, as the transcript prints it (text and QR). Made (and audited,
    as the system) the first time; the same link until it expires or is revoked, after which the page it opens
    offers a new one by e-mail."""
    learner = Learner.objects.only("id").get(pk=certificate.learner_id)
    return holder_url(holder_access_current(actor=None, learner=learner))


def _queue_link(*, learner: Learner, access: HolderAccess, certificate: Certificate | None = None, reason: str):
    return email_queue(
        kind=EmailKind.HOLDER_LINK,
        recipient=learner.email,
        language=learner.language,
        learner=learner,
        certificate=certificate,
        context={"access": access.pk, "reason": reason},
    )


@transaction.atomic
def holder_link_send(*, actor, certificate: Certificate, revoke_previous: bool = False):
    """The provider (or the ministry) sends the holder their private link again, by e-mail. `revoke_previous` ends
    every link the holder had first (a lost phone, a link forwarded by mistake). Returns the recorded message."""
    policy.require(actor, "holder_link.send")
    policy.require_act(actor, certificate)
    learner = Learner.objects.select_for_update().get(pk=certificate.learner_id)
    if not deliverable(learner.email):
        raise Conflict(
            "no_email",
            "The learner has no e-mail address on record; add one to the learner first.",
            fields={"email": ["Required to send the private link."]},
        )
    if revoke_previous:
        holder_accesses_revoke(actor=actor, learner=learner, reason="revoked by the provider")
    access = holder_access_current(actor=actor, learner=learner)
    return access, _queue_link(learner=learner, access=access, certificate=certificate, reason="provider")


def holder_accesses_revoke(*, actor, learner: Learner, reason: str) -> int:
    now = timezone.now()
    live = list(HolderAccess.objects.filter(learner=learner, revoked_at__isnull=True, expires_at__gt=now))
    for access in live:
        update_audited(
            actor=actor, instance=access, data={"revoked_at": now}, reason=reason, action=AuditAction.STATUS_CHANGE
        )
    return len(live)


def holders_welcome(*, certificate_ids: list[int]) -> int:
    """After issuance (a task): each new certificate's holder with an e-mail address gets their private link.
    Returns the number of messages queued."""
    certificates = (
        Certificate.objects.filter(pk__in=certificate_ids, status__in=LIVE_CERTIFICATE_STATUSES)
        .select_related("learner")
        .order_by("learner_id", "id")
    )
    queued, seen = 0, set()
    for certificate in certificates:
        learner = certificate.learner
        if learner.pk in seen or not deliverable(learner.email):
            continue
        seen.add(learner.pk)
        with transaction.atomic():
            access = holder_access_current(actor=None, learner=learner)
            if _queue_link(learner=learner, access=access, certificate=certificate, reason="issued"):
                queued += 1
    return queued


class Opened:
    """What a private link's token opened: `state` is "ok", "expired" or "invalid" (unknown, malformed, revoked:
    one answer)."""

    def __init__(self, state: str, access: HolderAccess | None = None):
        self.state, self.access = state, access

    @property
    def ok(self) -> bool:
        return self.state == "ok"


def holder_access_open(token: str | None) -> Opened:
    access = HolderAccess.objects.select_related("learner").filter(token_hash=tokens.lookup_hash(token)).first()
    if access is None or not tokens.well_formed(token) or not tokens.matches(tokens.HOLDER, access.nonce, token):
        return Opened("invalid")
    if access.revoked_at is not None:
        return Opened("invalid")
    now = timezone.now()
    if access.expires_at <= now:
        return Opened("expired", access)
    if access.last_used_at is None or access.last_used_at < now - TOUCH_EVERY:
        HolderAccess.objects.filter(pk=access.pk).update(last_used_at=now)
    return Opened("ok", access)


@transaction.atomic
def holder_access_renew(*, token: str | None) -> None:
    """An expired link's page: a new link goes to the e-mail address on record. Answers nothing either way."""
    opened = holder_access_open(token)
    if opened.state != "expired":
        return
    learner = opened.access.learner
    if deliverable(learner.email) and _address_allowance(learner.email):
        access = holder_access_current(actor=None, learner=learner)
        _queue_link(learner=learner, access=access, reason="renewed")


def _address_allowance(address: str) -> bool:
    """At most LINK_REQUESTS_PER_ADDRESS link e-mails a day to one address on request: nobody can flood a
    graduate's mailbox through the form."""
    key = "holders:link-requests:" + hashlib.sha256(address.strip().lower().encode()).hexdigest()
    if cache.add(key, 1, 24 * 3600):
        return True
    try:
        return cache.incr(key) <= LINK_REQUESTS_PER_ADDRESS
    except ValueError:
        return cache.add(key, 1, 24 * 3600)


def holder_link_request(*, email: str) -> None:
    """`/my/`: "send me my link". Each learner record with this address and a certificate gets its link by e-mail.
    The answer is the same whether the address is known or not, and so is the work done here: one lookup and one
    task enqueued either way (with no ids when nobody has the address); the links are made and sent by the task."""
    address = (email or "").strip()
    learner_ids: list[int] = []
    if deliverable(address) and _address_allowance(address):
        learner_ids = list(
            Learner.objects.filter(email__iexact=address, certificates__isnull=False)
            .distinct()
            .order_by("id")
            .values_list("id", flat=True)[:10]
        )
    from credentials.notifications.tasks import holder_links_send_task

    holder_links_send_task.enqueue(learner_ids)


def holder_links_send(*, learner_ids: list[int]) -> int:
    """The task behind `/my/`: each learner's current link, by e-mail."""
    sent = 0
    for learner in Learner.objects.filter(pk__in=learner_ids).order_by("id"):
        with transaction.atomic():
            access = holder_access_current(actor=None, learner=learner)
            if _queue_link(learner=learner, access=access, reason="requested"):
                sent += 1
    return sent


@transaction.atomic
def holder_access_end(*, access: HolderAccess) -> None:
    """The holder ends their own link (they forwarded it by mistake); a new one comes by e-mail on request."""
    update_audited(
        actor=None,
        instance=access,
        data={"revoked_at": timezone.now()},
        reason=BY_HOLDER,
        action=AuditAction.STATUS_CHANGE,
    )


# --- share links and lookup hiding -----------------------------------------------------------------------------


def _holders_certificate(access: HolderAccess, certificate_id) -> Certificate:
    """One of the link's own certificates; anything else answers as a certificate that does not exist."""
    try:
        certificate_id = int(certificate_id)
    except (TypeError, ValueError):
        raise policy.not_found("certificate") from None
    certificate = Certificate.objects.filter(pk=certificate_id, learner_id=access.learner_id).first()
    if certificate is None:
        raise policy.not_found("certificate")
    return certificate


def _days(raw) -> int:
    try:
        days = int(raw) if raw not in (None, "") else SHARE_DEFAULT_DAYS
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= share_link_max_days():
        raise DomainError(
            "invalid",
            "Choose how long the link works.",
            fields={"days": [from_one_to(share_link_max_days())]},
        )
    return days


@transaction.atomic
def share_link_create(*, access: HolderAccess, certificate_id, days=None) -> ShareLink:
    certificate = _holders_certificate(access, certificate_id)
    days = _days(days)
    nonce = tokens.new_nonce()
    share = ShareLink(
        certificate=certificate,
        access=access,
        nonce=nonce,
        token_hash=tokens.hash_token(tokens.token_for(tokens.SHARE, nonce)),
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    return create_audited(actor=None, instance=share)


@transaction.atomic
def share_link_withdraw(*, access: HolderAccess, share_id) -> ShareLink:
    try:
        share_id = int(share_id)
    except (TypeError, ValueError):
        raise policy.not_found("share link") from None
    share = (
        ShareLink.objects.select_for_update()
        .filter(pk=share_id, certificate__learner_id=access.learner_id, withdrawn_at__isnull=True)
        .first()
    )
    if share is None:
        raise policy.not_found("share link")
    return update_audited(
        actor=None,
        instance=share,
        data={"withdrawn_at": timezone.now()},
        reason=BY_HOLDER,
        action=AuditAction.STATUS_CHANGE,
    )


def share_link_open(token: str | None) -> ShareLink | None:
    """The share link a token opens while it works; None for unknown, malformed, expired and withdrawn alike."""
    share = ShareLink.objects.filter(token_hash=tokens.lookup_hash(token)).first()
    if share is None or not tokens.well_formed(token) or not tokens.matches(tokens.SHARE, share.nonce, token):
        return None
    if share.withdrawn_at is not None or share.expires_at <= timezone.now():
        return None
    return share


def share_link_viewed(share: ShareLink) -> None:
    ShareLink.objects.filter(pk=share.pk).update(views=F("views") + 1, last_viewed_at=timezone.now())


@transaction.atomic
def certificate_lookup_hide(*, access: HolderAccess, certificate_id, hidden: bool) -> HolderPreference:
    """Hide a certificate from anonymous serial number + date of birth lookups (or show it again). A hidden
    certificate answers such a lookup exactly as a date that does not match; signed-in verifiers still find it."""
    certificate = _holders_certificate(access, certificate_id)
    preference = HolderPreference.objects.select_for_update().filter(certificate=certificate).first()
    if preference is None:
        return create_audited(actor=None, instance=HolderPreference(certificate=certificate, hidden_from_lookup=hidden))
    return update_audited(actor=None, instance=preference, data={"hidden_from_lookup": hidden}, reason=BY_HOLDER)
