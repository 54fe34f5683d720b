"""Authentication that honours the access policy's `may_sign_in`: a user of an inactive organisation (or an
inactive account) is refused on every request, by session, password or token, from the moment it is set."""

from __future__ import annotations

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections, router
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from core import policy


class PolicyModelBackend(ModelBackend):
    """Django's password and session backend; the user's organisation is loaded with the user (one query),
    so the policy's checks cost nothing more on each request."""

    def user_can_authenticate(self, user):
        return policy.may_sign_in(user)

    def get_user(self, user_id):
        user = get_user_model()._default_manager.select_related("organisation").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class PolicyTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing tokens of users the policy no longer lets sign in."""

    def authenticate_credentials(self, key):
        token = token_with_user(self.get_model(), key)
        if token is None or not policy.may_sign_in(token.user):
            raise exceptions.AuthenticationFailed("Invalid token.")
        return token.user, token


# --- the token's look-up -------------------------------------------------------------------------------------
#
# Every request of an API client (a provider's system, a verifier's token) starts here. The ORM would compile
# `Token.objects.select_related("user__organisation").get(key=key)` anew each time: ~30 columns over two joins,
# about as much CPU as the rest of a cached PDF download. The same statement is built once per process from the
# models' metadata, and its rows become the same instances (`Model.from_db`, each column through the converters
# the ORM applies); `tests/core/test_token_lookup.py` compares them field by field with the ORM's.


@cache
def _token_statement(token_model, alias: str) -> tuple[str, list[tuple]]:
    """The SELECT, and for each model (token, user, organisation) its fields with their converters."""
    connection = connections[alias]
    user_model = get_user_model()
    organisation_model = user_model._meta.get_field("organisation").related_model
    quote = connection.ops.quote_name
    parts, columns = [], []
    for alias, model in (("t", token_model), ("u", user_model), ("o", organisation_model)):
        fields = list(model._meta.concrete_fields)
        converters = []
        for field in fields:
            column = field.get_col(alias)
            converters.append((column, connection.ops.get_db_converters(column) + column.get_db_converters(connection)))
            columns.append(f"{alias}.{quote(field.column)}")
        attnames = [field.attname for field in fields]
        parts.append((model, attnames, attnames.index(model._meta.pk.attname), converters))
    token_user = quote(token_model._meta.get_field("user").column)
    user_organisation = quote(user_model._meta.get_field("organisation").column)
    token_key = quote(token_model._meta.get_field("key").column)
    tables = [quote(model._meta.db_table) for model in (token_model, user_model, organisation_model)]
    user_pk, organisation_pk = quote(user_model._meta.pk.column), quote(organisation_model._meta.pk.column)
    # Names from the models' metadata, quoted; the key is the one parameter.
    sql = (
        f"SELECT {', '.join(columns)} FROM {tables[0]} t JOIN {tables[1]} u ON u.{user_pk} = t.{token_user}"  # noqa: S608
        f" LEFT JOIN {tables[2]} o ON o.{organisation_pk} = u.{user_organisation} WHERE t.{token_key} = %s"
    )
    return sql, parts


def token_with_user(token_model, key: str):
    """The token with this key, its user and the user's organisation loaded (None: no such token): what
    `token_model.objects.select_related("user__organisation").get(key=key)` returns, in one statement."""
    alias = router.db_for_read(token_model)  # where the ORM would read it
    connection = connections[alias]
    sql, parts = _token_statement(token_model, alias)
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
    if row is None:
        return None
    instances, start = [], 0
    for model, attnames, pk_index, converters in parts:
        values = list(row[start : start + len(attnames)])
        start += len(attnames)
        for index, (column, column_converters) in enumerate(converters):
            for converter in column_converters:
                values[index] = converter(values[index], column, connection)
        instances.append(None if values[pk_index] is None else model.from_db(alias, attnames, values))
    token, user, organisation = instances
    user.organisation = organisation  # the related caches, as select_related fills them (None: no organisation)
    token.user = user
    return token
