"""Object-level checks for training records and certificates: a provider acts only for itself."""

from __future__ import annotations

from core.errors import NotAllowed
from registry.choices import Role
from registry.services.access import is_ministry, require_role


def require_provider_of(actor, provider_id: int | None, *, code: str = "not_your_provider") -> None:
    """The actor must be a provider user of `provider_id`. `actor=None` (the system: seeding, commands)
    and superusers may act for any provider; the ministry reads training records but does not write them."""
    if actor is None or getattr(actor, "is_superuser", False):
        return
    require_role(actor, Role.PROVIDER)
    if actor.organisation_id != provider_id:
        raise NotAllowed("This belongs to another provider.", code=code)


def require_provider_or_ministry(actor, provider_id: int | None, *, code: str = "not_your_certificate") -> None:
    """The ministry (or the system) may act on any certificate; a provider only on its own."""
    if is_ministry(actor):
        return
    require_provider_of(actor, provider_id, code=code)
