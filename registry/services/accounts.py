"""Users and API tokens."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token

from core.errors import DomainError
from registry.choices import AuditAction
from registry.models import Organisation, User

from .audit import audit_record
from .base import create_audited


@transaction.atomic
def api_client_onboard(*, actor, username: str, organisation_slug: str, role: str, rotate: bool = False) -> str:
    """Create (or find) the user of an API client and return its token.

    An existing user must already belong to the same organisation with the same role: a token never moves
    a user between organisations. `rotate` replaces an existing token.
    """
    organisation = Organisation.objects.filter(slug=organisation_slug).first()
    if organisation is None:
        raise DomainError(
            "unknown_organisation",
            format_lazy(_("No organisation with the slug {slug}."), slug=repr(organisation_slug)),
        )
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, organisation=organisation, role=role)
        user.set_unusable_password()
        create_audited(actor=actor, instance=user)
    elif user.organisation_id != organisation.pk or user.role != role:
        raise DomainError(
            "user_exists_elsewhere",
            format_lazy(_("The user {username} exists with another organisation or role."), username=repr(username)),
        )
    if rotate and Token.objects.filter(user=user).delete()[0]:
        audit_record(
            actor=actor,
            action=AuditAction.TOKEN_REVOKED,
            instance=user,
            before={"api_token": "issued"},
            reason="rotated",
        )
    token, created = Token.objects.get_or_create(user=user)
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.TOKEN_ISSUED,
            instance=user,
            after={"organisation": organisation.slug, "role": role},
        )
    return token.key
