"""The cache on Redis (core/cache.py): one redis-py client per server for every cache call of the process, not
one per call as Django's own backend makes, and the same entries as Django's backend reads and writes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from tests.conftest import REDIS_TEST_URL
from tests.ops.deployment import ROOT

pytestmark = pytest.mark.redis


def test_with_redis_url_the_settings_choose_this_backend():
    code = "import django; django.setup(); from django.core.cache import caches; print(type(caches['default']))"
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "REDIS_URL": REDIS_TEST_URL},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "<class 'core.cache.RedisCache'>", result.stderr


def test_many_cache_calls_make_one_client(redis_cache, request):
    cache.get("warm")  # the client of this process, made here if it was not yet
    made = request.getfixturevalue("redis_clients_made")  # counted from here on
    for index in range(20):
        cache.set(f"k{index}", {"n": index}, 30)
        assert cache.get(f"k{index}") == {"n": index}
    cache.delete_many([f"k{index}" for index in range(20)])
    assert made == []

    # Django's own backend, for comparison, makes one per call: what this backend saves
    DjangoRedisCache(REDIS_TEST_URL, {"KEY_PREFIX": redis_cache}).get("k0")
    assert len(made) == 1


def test_its_entries_are_django_backends_entries(redis_cache):
    theirs = DjangoRedisCache(REDIS_TEST_URL, {"KEY_PREFIX": redis_cache})
    cache.set("shared", b"\x00pdf bytes", 30)
    assert theirs.get("shared") == b"\x00pdf bytes"
    theirs.set("back", [1, "two"], 30)
    assert cache.get("back") == [1, "two"]
    cache.delete_many(["shared", "back"])
    assert theirs.get("shared") is None
