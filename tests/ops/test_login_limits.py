"""Password sign-in is limited (django-axes, config/settings.py): after LOGIN_FAILURE_LIMIT wrong passwords for
one username from one address, that pair is refused, the right password included, until the cool-off has
passed. The address is the one core.client_ip decides (no header buys a fresh count); attempts are database
rows, so every worker sees them; the log lines hold neither the password nor the username."""

from __future__ import annotations

import datetime
import logging

import pytest
from axes.models import AccessAttempt
from django.conf import settings

from tests import factories
from tests.ops.test_client_ip import SPOOFED

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"  # the factory's
WRONG = "Tr0ub4dor&3-wrong"
LOGIN_PAGES = ["/admin/login/", "/api-auth/login/"]


@pytest.fixture
def staff_user():
    user = factories.UserFactory(ministry=True, username="ministry.officer", is_staff=True, is_superuser=True)
    assert user.check_password(PASSWORD)
    return user


def _login(client, url, username, password, **extra):
    return client.post(url, {"username": username, "password": password, "next": "/admin/"}, **extra)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _fail_to_the_limit(client, url, username, **extra) -> list[int]:
    return [_login(client, url, username, WRONG, **extra).status_code for _ in range(settings.AXES_FAILURE_LIMIT)]


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_repeated_failures_lock_the_login_even_for_the_right_password(client, staff_user, url):
    statuses = _fail_to_the_limit(client, url, staff_user.username)
    assert statuses[:-1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)  # the form again, with its error
    assert statuses[-1] == 429  # the limit reached
    refused = _login(client, url, staff_user.username, PASSWORD)
    assert refused.status_code == 429
    assert not _signed_in(client)


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_a_client_supplied_header_does_not_buy_a_fresh_count(client, staff_user, url):
    _fail_to_the_limit(client, url, staff_user.username)
    for name, value in SPOOFED.items():
        assert _login(client, url, staff_user.username, PASSWORD, **{name: value}).status_code == 429, name
    assert not _signed_in(client)


def test_the_lock_holds_for_that_username_and_address_only(client, staff_user):
    _fail_to_the_limit(client, "/admin/login/", staff_user.username)
    # The same page from another address: the officer can still sign in there (no lock-out of a real user
    # by anyone who knows the username).
    elsewhere = _login(client, "/admin/login/", staff_user.username, PASSWORD, REMOTE_ADDR="203.0.113.20")
    assert elsewhere.status_code == 302 and _signed_in(client)


def test_the_lock_is_shared_by_both_login_pages(client, staff_user):
    _fail_to_the_limit(client, "/admin/login/", staff_user.username)
    assert _login(client, "/api-auth/login/", staff_user.username, PASSWORD).status_code == 429


def test_the_lock_lifts_after_the_cool_off(client, staff_user):
    _fail_to_the_limit(client, "/admin/login/", staff_user.username)
    assert _login(client, "/admin/login/", staff_user.username, PASSWORD).status_code == 429
    # The cool-off counts from the last try; move that try back past it instead of waiting.
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(tz=datetime.UTC) - settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=1)
    )
    assert _login(client, "/admin/login/", staff_user.username, PASSWORD).status_code == 302
    assert _signed_in(client)
    assert not AccessAttempt.objects.exists()  # a success clears the count


def test_a_success_before_the_limit_starts_the_count_again(client, staff_user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "/admin/login/", staff_user.username, WRONG)
    assert _login(client, "/admin/login/", staff_user.username, PASSWORD).status_code == 302
    client.logout()
    assert _login(client, "/admin/login/", staff_user.username, WRONG).status_code == 200


def test_login_limit_logs_hold_no_password_and_no_username(client, staff_user, caplog):
    caplog.set_level(logging.DEBUG, logger="axes")
    _fail_to_the_limit(client, "/admin/login/", staff_user.username)
    _login(client, "/admin/login/", staff_user.username, PASSWORD)
    lines = "\n".join(record.getMessage() for record in caplog.records if record.name.startswith("axes"))
    assert "Locking out" in lines  # the lines were written
    for secret in (WRONG, PASSWORD, staff_user.username, "127.0.0.1"):
        assert secret not in lines, secret
    stored = AccessAttempt.objects.get()
    assert WRONG not in stored.post_data and PASSWORD not in stored.post_data
