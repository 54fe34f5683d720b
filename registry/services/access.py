"""Who may act: checked in the services so every caller (API, admin, commands) meets the same rules.

`actor=None` means the system itself (seeding, management commands run by an operator).
"""

from __future__ import annotations

from core.errors import NotAllowed
from registry.choices import Role


def require_role(actor, *roles: str) -> None:
    if actor is None or getattr(actor, "is_superuser", False):
        return
    if not getattr(actor, "is_authenticated", False) or not actor.has_role(*roles):
        raise NotAllowed(f"This needs the role {' or '.join(roles)}.")


def is_ministry(actor) -> bool:
    return actor is None or getattr(actor, "is_superuser", False) or actor.has_role(Role.MINISTRY)


def require_acts_for(actor, organisation_id: int | None, *, ministry_too: bool = True) -> None:
    """The actor must belong to `organisation_id` (or be the ministry when `ministry_too`)."""
    if ministry_too and is_ministry(actor):
        return
    if actor is None or getattr(actor, "organisation_id", None) != organisation_id:
        raise NotAllowed("This belongs to another organisation.")
