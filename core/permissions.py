"""DRF permission classes: a first, cheap refusal by role. The services check again (and object-level),
so admin actions and management commands meet the same rules."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from registry.choices import Role


def user_has_role(user, *roles: str) -> bool:
    if not user or not user.is_authenticated:
        return False
    return user.is_superuser or user.has_role(*roles)


class CatalogueAccess(BasePermission):
    """Anyone reads the public catalogue; only the ministry writes it."""

    write_roles: tuple[str, ...] = (Role.MINISTRY,)

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return user_has_role(request.user, *getattr(view, "write_roles", self.write_roles))


class MinistryOnly(BasePermission):
    def has_permission(self, request, view):
        return user_has_role(request.user, Role.MINISTRY)


class HasRole(BasePermission):
    """`view.allowed_roles` for every method."""

    def has_permission(self, request, view):
        return user_has_role(request.user, *view.allowed_roles)
