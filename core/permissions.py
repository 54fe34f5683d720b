"""DRF's side of the access policy: a view names the permission each of its actions needs, and a view that
names none is refused (deny by default). Object-level scoping is the querysets' (core.policy.readable)."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from core import policy


class PolicyPermission(BasePermission):
    """`view.policy` is a permission name of `core.policy.PERMISSIONS`, or a mapping to one from a viewset
    action, an HTTP method (lower case), "read" (safe methods) / "write" (the others), or "default", tried in
    that order. Anything undeclared is refused."""

    def has_permission(self, request, view):
        if not hasattr(view, request.method.lower()):
            return True  # no handler: the view answers 405 and runs nothing
        name = self.permission_name(request, view)
        return name is not None and policy.may(request.user, name)

    @staticmethod
    def permission_name(request, view) -> str | None:
        declared = getattr(view, "policy", None)
        if declared is None or isinstance(declared, str):
            return declared
        action = getattr(view, "action", None)
        kind = "read" if request.method in SAFE_METHODS else "write"
        for key in (action, request.method.lower(), kind, "default"):
            if key in declared:
                return declared[key]
        return None
