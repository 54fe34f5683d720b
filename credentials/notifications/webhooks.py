"""Signed webhooks to verifier organisations: `POST {webhook_url}` with a JSON body naming the certificate by its
serial number only, signed with the organisation's secret, retried with backoff.

Signature (docs/notifications.md): headers `X-Registry-Timestamp` (Unix seconds) and `X-Registry-Signature:
v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. A receiver recomputes it over the raw body, compares in constant
time, and refuses a timestamp more than 5 minutes old (a replayed delivery). Each attempt is signed afresh.

Server-side request forgery: a webhook URL may be any address its organisation types, so the registry must not be
made to call its own network. The host is resolved once per attempt and every address it resolves to must be public
(not private, loopback, link-local, multicast, reserved or unspecified), else the attempt fails without connecting;
the connection is then made to the address that was checked (no second lookup a DNS rebinding could answer
differently), redirects are not followed, and only http(s) on any port is accepted (https only in production).
`WEBHOOK_ALLOW_PRIVATE_ADDRESSES` turns the address check off for tests and closed networks.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import time
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.errors import DomainError
from credentials.models import Certificate, DeliveryState, NotificationEndpoint, WebhookDelivery

from .mail import BACKOFF_MINUTES

logger = logging.getLogger("registry.webhooks")
TIMEOUT_SECONDS = 10
USER_AGENT = "kosovo-credential-registry-webhook/1"


class WebhookRefused(Exception):
    """The URL may not be called (scheme, or an address that is not public)."""


def new_secret() -> str:
    return secrets.token_hex(32)


def allow_private() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False))


def max_attempts() -> int:
    return int(getattr(settings, "WEBHOOK_MAX_ATTEMPTS", len(BACKOFF_MINUTES) + 1))


def check_webhook_url(url: str) -> str:
    """Refuse, at registration, a URL the registry would never call: not http(s) (https only with DEBUG off), with
    credentials in it, or naming an address that is not public. The address is checked again at every attempt."""
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    allowed = ("https",) if not settings.DEBUG and not allow_private() else ("https", "http")
    if parts.scheme not in allowed or not parts.hostname:
        raise DomainError("invalid_webhook_url", "Give an https URL.", fields={"webhook_url": ["Must be https."]})
    if parts.username or parts.password:
        raise DomainError(
            "invalid_webhook_url", "No credentials in the URL.", fields={"webhook_url": ["Remove user:password@."]}
        )
    try:
        ipaddress.ip_address(parts.hostname)
    except ValueError:
        return url  # a host name: resolved and checked at each attempt
    try:
        _check_address(parts.hostname)
    except WebhookRefused:
        raise DomainError(
            "invalid_webhook_url",
            "That address is not reachable from the internet.",
            fields={"webhook_url": ["Use a public address."]},
        ) from None
    return url


def _check_address(address: str) -> None:
    if allow_private():
        return
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local:
        raise WebhookRefused("not a public address")


def _resolve(host: str, port: int) -> str:
    """The first address `host` resolves to, after checking that every one of them is public."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise WebhookRefused("no address")
    for address in addresses:
        _check_address(address)
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "v1=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def webhook_queue(*, endpoint: NotificationEndpoint, certificate: Certificate, event: str) -> WebhookDelivery:
    payload = {
        "id": str(uuid.uuid4()),
        "type": f"certificate.{event}",
        "created": timezone.now().isoformat(),
        "certificate": {
            "serial_number": certificate.serial_number,
            "status": certificate.status,
            "status_changed_at": certificate.status_changed_at.isoformat() if certificate.status_changed_at else None,
        },
    }
    delivery = WebhookDelivery.objects.create(
        organisation=endpoint.organisation,
        certificate=certificate,
        event=event[:32],
        payload=payload,
        url=endpoint.webhook_url,
    )
    transaction.on_commit(lambda: _enqueue(delivery.pk))
    return delivery


def _enqueue(delivery_id: int, *, run_after: datetime.datetime | None = None) -> None:
    from .tasks import deliver_webhook_task

    task = deliver_webhook_task
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=run_after)
    task.enqueue(delivery_id)


def _post(url: str, body: bytes, headers: dict) -> int:
    parts = urlsplit(url)
    https = parts.scheme == "https"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookRefused("scheme")
    port = parts.port or (443 if https else 80)
    address = _resolve(parts.hostname, port)
    connection_class = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
    connection = connection_class(parts.hostname, port, address=address, timeout=TIMEOUT_SECONDS)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)  # a bounded read: the answer's body is not kept
        return response.status
    finally:
        connection.close()


def webhook_deliver(delivery_id: int) -> WebhookDelivery | None:
    """One attempt. 2xx delivers; anything else (an error status, a refused or timed-out connection, an address that
    is not public) waits for the next attempt, up to `max_attempts()`. Safe to run twice."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=delivery_id, state__in=(DeliveryState.QUEUED, DeliveryState.RETRYING))
            .select_related("organisation__notification_endpoint")
            .first()
        )
        if delivery is None:
            return None
        if delivery.next_attempt_at and delivery.next_attempt_at > now:
            return delivery
        endpoint = getattr(delivery.organisation, "notification_endpoint", None)
        delivery.attempts += 1
        status, error = None, ""
        if endpoint is None or not endpoint.secret:
            error = "NoEndpoint"
        else:
            body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
            timestamp = str(int(time.time()))
            headers = {
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "X-Registry-Event": delivery.payload["type"],
                "X-Registry-Delivery": delivery.payload["id"],
                "X-Registry-Timestamp": timestamp,
                "X-Registry-Signature": signature(endpoint.secret, timestamp, body),
            }
            try:
                status = _post(delivery.url, body, headers)
            except (OSError, http.client.HTTPException, WebhookRefused, ValueError) as exc:
                error = type(exc).__name__
        delivery.last_status, delivery.last_error = status, error[:64]
        if status is not None and 200 <= status < 300:
            delivery.state, delivery.delivered_at, delivery.next_attempt_at = DeliveryState.SENT, timezone.now(), None
            delivery.save()
            logger.info("webhook %s delivered (%s)", delivery.pk, status)
            return delivery
        if delivery.attempts >= max_attempts():
            delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
            delivery.save()
            logger.warning("webhook %s failed %d times; given up", delivery.pk, delivery.attempts)
            return delivery
        wait = BACKOFF_MINUTES[min(delivery.attempts - 1, len(BACKOFF_MINUTES) - 1)]
        delivery.state = DeliveryState.RETRYING
        delivery.next_attempt_at = now + datetime.timedelta(minutes=wait)
        delivery.save()
        logger.warning("webhook %s not delivered (%s %s); retry in %d min", delivery.pk, status, error, wait)
        when = delivery.next_attempt_at
        transaction.on_commit(lambda: _enqueue(delivery.pk, run_after=when))
        return delivery
