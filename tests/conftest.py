"""Shared fixtures. Tests hit the real database (PostgreSQL in CI) and mock nothing of our own."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories

REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
# Tests marked `redis` use this server (each with its own key prefix); CI sets REQUIRE_REDIS=1 so they fail,
# never skip, without it.
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/0")
REQUIRE_REDIS = os.environ.get("REQUIRE_REDIS") == "1"


def redis_reachable() -> bool:
    address = urlsplit(REDIS_TEST_URL)
    try:
        socket.create_connection((address.hostname or "127.0.0.1", address.port or 6379), timeout=2).close()
    except OSError:
        return False
    return True


def pytest_sessionstart(session):
    if REQUIRE_POSTGRES:
        from django.conf import settings

        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine:
            raise pytest.UsageError(f"REQUIRE_POSTGRES=1 but the database engine is {engine}")
    if REQUIRE_REDIS and not redis_reachable():
        raise pytest.UsageError(f"REQUIRE_REDIS=1 but no Redis answers at {REDIS_TEST_URL}")


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    if not REQUIRE_REDIS and any("redis" in item.keywords for item in items) and not redis_reachable():
        skip_redis = pytest.mark.skip(
            reason=f"needs Redis (limits shared by all workers): none answers at {REDIS_TEST_URL}; start one "
            "(CI has it and runs these with REQUIRE_REDIS=1)"
        )
        for item in items:
            if "redis" in item.keywords:
                item.add_marker(skip_redis)
    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL (row locks, concurrency, prepared statements); running on SQLite: "
        "set DATABASE_URL or start PostgreSQL on 127.0.0.1:5432 to run it"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def seal_files(tmp_path_factory):
    """One self-signed seal certificate and key (PEM files) for the whole run (ADR 0013)."""
    from credentials.pdf.seal import make_self_signed

    directory = tmp_path_factory.mktemp("seal")
    certificate, key = make_self_signed("Test seal")
    (directory / "seal-certificate.pem").write_bytes(certificate)
    (directory / "seal-key.pem").write_bytes(key)
    return directory / "seal-certificate.pem", directory / "seal-key.pem"


@pytest.fixture(autouse=True)
def _signing_keys(settings, tmp_path_factory, seal_files):
    """Every test gets a fresh key directory with one active key, so no test depends on the developer's
    var/keys or on a key mounted through the environment; the PDFs are sealed with the run's test seal."""
    from credentials.signing import generate_signing_key

    settings.SIGNING_KEYS_DIR = tmp_path_factory.mktemp("keys")
    settings.SIGNING_PRIVATE_KEY_PEM = ""
    settings.SIGNING_PRIVATE_KEY_FILE = ""
    settings.SIGNING_KEY_ID = ""
    settings.SEAL_CERTIFICATE_FILE, settings.SEAL_PRIVATE_KEY_FILE = map(str, seal_files)
    settings.SEAL_CERTIFICATE_PEM = settings.SEAL_PRIVATE_KEY_PEM = settings.SEAL_CHAIN_FILE = ""
    generate_signing_key()
    yield


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Background tasks run inside the request that starts them (django-tasks' immediate backend), so a test sees
    a 202 and then the finished task. tests/core/test_tasks.py runs the real queue and worker too."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    yield


@pytest.fixture
def task_worker_logging():
    """`manage.py db_worker` sets its loggers' levels from --verbosity for the whole process; give them back."""
    import logging

    loggers = [logging.getLogger(name) for name in ("django_tasks", "django_tasks_db")]
    levels = [logger.level for logger in loggers]
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker is not None and marker.kwargs.get("transaction")) or any(
        name in getattr(item, "fixturenames", ()) for name in ("transactional_db", "live_server")
    )


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests flush every table at teardown, the municipalities the migration loaded included: give
    each transactional test its reference data (and see `pytest_runtest_teardown` for the tests after it)."""
    if _transactional(request.node):
        request.getfixturevalue("transactional_db")
        from registry.reference_data import ensure_municipalities

        ensure_municipalities()
    yield


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's flush, load the reference data again, so the tests that run after it in the
    same process find the database as migrated. pytest-django runs transactional tests last, but a worker of
    `make test`'s parallel run (pytest-xdist) gets its tests in another order."""
    result = yield
    if _transactional(item) and nextitem is not None:
        from pytest_django.plugin import blocking_manager_key

        from registry.reference_data import ensure_municipalities

        with item.config.stash[blocking_manager_key].unblock():
            ensure_municipalities()
    return result


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def anon_client() -> APIClient:
    return APIClient()


@pytest.fixture
def ministry_user(db):
    return factories.UserFactory(ministry=True)


@pytest.fixture
def ministry_client(ministry_user) -> APIClient:
    return _client_for(ministry_user)


@pytest.fixture
def client_for():
    return _client_for


@pytest.fixture
def redis_clients_made(monkeypatch):
    """The `redis.Redis` clients made from now on in this test, in a list (the cost a shared client saves)."""
    import redis

    made = []
    original = redis.Redis.__init__

    def counting_init(self, *args, **kwargs):
        made.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting_init)
    return made


@pytest.fixture
def redis_cache(settings):
    """This process's cache is the shared Redis at REDIS_TEST_URL (as REDIS_URL makes it in production), under a
    key prefix of this test's own, deleted afterwards. Yields the prefix. Mark the test `redis`."""
    import uuid

    import redis

    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": REDIS_TEST_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield prefix
    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
