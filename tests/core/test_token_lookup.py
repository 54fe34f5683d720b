"""The token look-up every API client's request starts with (core/authentication.py): one statement built once
per process, whose instances must be exactly what the ORM's `select_related("user__organisation")` gives."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.authentication import token_with_user
from registry.choices import OrganisationStatus
from tests import factories as f

pytestmark = pytest.mark.django_db


def _values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def _same_as_the_orm(key: str) -> Token:
    expected = Token.objects.select_related("user__organisation").get(key=key)
    token = token_with_user(Token, key)
    assert _values(token) == _values(expected)
    assert _values(token.user) == _values(expected.user)
    # the values' types too: an aware datetime stays aware, a boolean a boolean
    for name, value in _values(token.user).items():
        assert type(value) is type(_values(expected.user)[name]), name
    if expected.user.organisation_id is None:
        assert token.user.organisation is None
    else:
        assert _values(token.user.organisation) == _values(expected.user.organisation)
    assert not token._state.adding and token._state.db == "default"
    return token


def test_a_providers_token_loads_its_user_and_organisation_as_the_orm_does(django_assert_num_queries):
    user = f.UserFactory(organisation=f.OrganisationFactory(), email="ana@example.org")
    key = Token.objects.create(user=user).key
    _same_as_the_orm(key)
    with django_assert_num_queries(1):  # the token, its user and the organisation in one statement
        token = token_with_user(Token, key)
        assert token.user.organisation.name == user.organisation.name  # no query: the related cache is filled
    assert token.user.check_password("correct-horse-battery-staple")  # the password hash came along, intact


def test_an_account_without_an_organisation_has_none():
    user = get_user_model().objects.create_superuser("root-token", "root@example.org", "x" * 20)
    token = _same_as_the_orm(Token.objects.create(user=user).key)
    assert token.user.organisation_id is None


def test_an_unknown_key_finds_nothing_and_the_api_answers_401():
    assert token_with_user(Token, "0" * 40) is None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = client.get("/api/v1/certificates/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.parametrize("key", ["x" * 5000, "ключ-токена", "' OR '1'='1", "a\\b%_"])
def test_a_hostile_key_is_an_ordinary_refusal(key):
    user = f.UserFactory(organisation=f.OrganisationFactory())
    Token.objects.create(user=user)
    client = APIClient()
    # as a WSGI server passes it: the header's bytes (UTF-8 here) decoded as ISO-8859-1
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}".encode().decode("iso-8859-1"))
    assert client.get("/api/v1/certificates/").status_code == 401


def test_the_policy_still_refuses_an_inactive_account_or_organisation():
    user = f.UserFactory(organisation=f.OrganisationFactory())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    assert client.get("/api/v1/certificates/").status_code == 200
    user.organisation.status = OrganisationStatus.INACTIVE
    user.organisation.save()
    assert client.get("/api/v1/certificates/").status_code == 401
    user.organisation.status = OrganisationStatus.ACTIVE
    user.organisation.save()
    user.is_active = False
    user.save()
    assert client.get("/api/v1/certificates/").status_code == 401
