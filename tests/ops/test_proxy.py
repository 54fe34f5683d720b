"""deploy/Caddyfile, the reverse proxy docker-compose.yml puts in front of the web replicas, run by Caddy itself
(Debian's package, .ci/install-caddy) in front of a gunicorn server with compose's settings: TLS ends at the
proxy, the application sees HTTPS and the client's own address, and nothing the proxy does changes a page's
headers. Skipped where caddy is not installed; tests/ops/test_compose.py reads the same file."""

# ruff: noqa: S310, S603 - loopback URLs and a fixed binary

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import socket
import ssl
import subprocess
import time

import pytest
from django.conf import settings
from django.db import connection

from bench.harness import Server
from tests import factories
from tests.conftest import REDIS_TEST_URL
from tests.ops.deployment import CADDYFILE
from tests.ops.test_shared_limits import redis_keys, redis_prefix  # noqa: F401 - fixtures

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

HOST = "registry.test"
QUOTA = 3


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Proxy:
    """Caddy running deploy/Caddyfile on loopback ports, its upstream one gunicorn server, `tls internal`."""

    def __init__(self, upstream_port: int, home):
        self.https_port, self.http_port, self.health_port = _free_port(), _free_port(), _free_port()
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(home),
            "XDG_DATA_HOME": str(home),
            "XDG_CONFIG_HOME": str(home),
            # compose's values: the host and a certificate choice .env.example offers
            "REGISTRY_HOST": HOST,
            "PROXY_TLS": "tls internal",
            # only where this machine differs from the compose network: ports, the upstream, no admin API
            "PROXY_HTTPS_PORT": str(self.https_port),
            "PROXY_HTTP_PORT": str(self.http_port),
            "PROXY_HEALTH_PORT": str(self.health_port),
            "PROXY_ADMIN": "off",
            "WEB_SERVICE": "127.0.0.1",
            "WEB_SERVICE_PORT": str(upstream_port),
        }
        self.process = None

    def __enter__(self) -> _Proxy:
        self.process = subprocess.Popen(
            [shutil.which("caddy"), "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "caddy exited"
            with contextlib.suppress(OSError, http.client.HTTPException):
                if self.health().status == 200:
                    return self
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("caddy did not answer its health check within 30 s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def health(self) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", self.health_port, timeout=10)
        conn.request("GET", "/healthz", headers={"Host": "localhost"})
        response = conn.getresponse()
        response.read()
        return response

    def https(self, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
        """GET over TLS to REGISTRY_HOST (its name sent in SNI and Host), connecting to the loopback port."""
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # `tls internal`: the proxy's own CA
        port = self.https_port

        class Connection(http.client.HTTPSConnection):
            def connect(self):
                raw = socket.create_connection(("127.0.0.1", port), timeout=10)
                self.sock = context.wrap_socket(raw, server_hostname=HOST)

        conn = Connection(HOST, port, timeout=30)
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        response.body = response.read()
        return response

    def plain_http(self, path: str) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=10)
        conn.request("GET", path, headers={"Host": HOST})
        response = conn.getresponse()
        response.read()
        return response


@pytest.fixture
def behind_the_proxy(redis_prefix, tmp_path):  # noqa: F811 - the fixture
    """One gunicorn server with compose's proxy settings (BEHIND_TLS_PROXY=1, TRUSTED_PROXY_DEPTH=1, HTTPS
    redirect on), reached through Caddy."""
    if shutil.which("caddy") is None:
        pytest.skip("caddy is not installed (.ci/install-caddy installs Debian's package)")
    with (
        Server(
            database=connection.settings_dict["NAME"],
            keys_dir=str(settings.SIGNING_KEYS_DIR),
            workers=1,
            settings_module="config.settings",
            redis_url=REDIS_TEST_URL,
            env={
                "REDIS_KEY_PREFIX": redis_prefix,
                "ALLOWED_HOSTS": f"{HOST},localhost,127.0.0.1",  # as compose; 127.0.0.1: the harness's readiness check
                "PUBLIC_BASE_URL": f"https://{HOST}",
                "BEHIND_TLS_PROXY": "1",
                "TRUSTED_PROXY_DEPTH": "1",
                "SECURE_SSL_REDIRECT": "1",
                "THROTTLE_VERIFY_ANON": f"{QUOTA}/hour",
            },
        ) as server,
        _Proxy(server.port, tmp_path) as proxy,
    ):
        yield proxy


def test_through_the_proxy_the_application_sees_https_and_keeps_its_own_headers(behind_the_proxy):
    certificate = factories.CertificateFactory()

    page = behind_the_proxy.https(f"/v/{certificate.verification_id}")

    # X-Forwarded-Proto https: no redirect loop, and the application's HSTS (sent on secure requests only).
    assert page.status == 200, page.body[:300]
    assert certificate.serial_number in page.body.decode()
    # One policy, the page's own (its nonce), and no header the proxy made up.
    [policy] = page.headers.get_all("Content-Security-Policy")
    assert "nonce-" in policy
    assert len(page.headers.get_all("Strict-Transport-Security")) == 1
    assert page.headers["Referrer-Policy"] == "no-referrer" and "no-store" in page.headers["Cache-Control"]
    # Port 80 only sends browsers to HTTPS.
    redirect = behind_the_proxy.plain_http(f"/v/{certificate.verification_id}")
    assert redirect.status == 308 and redirect.headers["Location"].startswith(f"https://{HOST}")


def test_behind_the_proxy_no_forwarded_header_buys_a_new_quota(behind_the_proxy, redis_keys):  # noqa: F811
    """The proxy replaces a client's X-Forwarded-For with the address it saw, and TRUSTED_PROXY_DEPTH=1 reads that
    one: a client naming a new address in every request still spends one quota, its own."""
    certificate = factories.CertificateFactory()
    path = f"/api/v1/verifications/{certificate.verification_id}"
    statuses = []
    for n in range(QUOTA + 2):
        forged = {"X-Forwarded-For": f"198.51.100.{n + 1}", "X-Real-IP": f"198.51.100.{n + 1}"}
        statuses.append(behind_the_proxy.https(path, forged).status)

    assert statuses == [200] * QUOTA + [429, 429]
    throttles = [key for key in redis_keys() if key.startswith("throttle_verify_anon_")]
    assert throttles == ["throttle_verify_anon_127.0.0.1:slices"], "counted for the proxy's client, nobody else"
