"""Fixtures for holders and notifications: certificates issued with the holder's e-mail, a real local SMTP server
(aiosmtpd, started here) and a local HTTP server that receives webhooks."""

from __future__ import annotations

import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from credentials import services as svc
from tests import factories

LINK = re.compile(r"/my/([A-Za-z0-9_-]{43})")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttles and per-address caps count in the cache: each test starts from none. Only this process's own
    cache is emptied, never a shared Redis (a test marked `redis` has its own key prefix, deleted by its fixture)."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    def clear():
        if isinstance(caches["default"], LocMemCache):
            caches["default"].clear()

    clear()
    yield
    clear()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def issue(provider_user, django_capture_on_commit_callbacks):
    """issue(email=..., **learner fields) -> a certificate issued through the service, its commit hooks run (the
    holder's e-mail is sent at once: tests run tasks in-process)."""

    def _issue(*, email="ardita@example.org", language="", **learner):
        learner = factories.LearnerFactory(
            provider=provider_user.organisation, email=email, language=language, **learner
        )
        enrolment = factories.issuable_enrolment(provider=provider_user.organisation, learner=learner)
        with django_capture_on_commit_callbacks(execute=True):
            certificate, _created = svc.certificate_issue(actor=provider_user, enrolment=enrolment)
        return certificate

    return _issue


def link_in(message) -> str:
    match = LINK.search(message.body)
    assert match, "no private link in the message"
    return match.group(1)


class SmtpSink:
    """aiosmtpd handler: keeps each message; answers 451 (try later) to the first `refuse` messages."""

    def __init__(self):
        self.messages, self.refuse = [], 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 Try again later"
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1, and Django's SMTP backend pointed at it."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield sink
    finally:
        controller.stop()


class WebhookReceiver:
    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        self.url = ""


@pytest.fixture
def webhook_server(settings):
    """A local HTTP server that records each POST (headers, raw body) and answers `receiver.status`."""
    receiver = WebhookReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            self.send_response(receiver.status)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/registry"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def body_json(request: dict) -> dict:
    return json.loads(request["body"])
