"""The API's OpenAPI schema class: drf-spectacular's, plus what it cannot see in our access policy.

- **Public operations list `{}` in `security`.** drf-spectacular marks an operation as callable without
  credentials only for DRF's `AllowAny`-style permission classes; ours is `core.permissions.PolicyPermission`,
  so every operation claimed a token or a session, and a generated client refused to verify a certificate
  without one. Here an operation whose permission (core/policy.py) anonymous callers hold also lists `{}`
  (then moved to the root's `security` by `api_docs.hooks.optional_credentials_at_the_root`, for generators).
- **Descriptions are written for API users.** drf-spectacular falls back on docstrings, inherited ones too, so
  operations were described by our base classes' notes for developers ("A ModelViewSet whose writes go through
  services..."). Only a docstring the view class or its action writes itself describes an operation; the
  building blocks in core/ and DRF's own classes never do.
"""

from __future__ import annotations

import inspect

from django.contrib.auth.models import AnonymousUser
from django.utils import translation
from drf_spectacular.openapi import AutoSchema

from core import policy
from core.permissions import PolicyPermission


class _Call:
    """The little of a request `PolicyPermission.permission_name` reads."""

    def __init__(self, method: str):
        self.method = method.upper()


IMPLEMENTATION_MODULES = ("core.", "rest_framework.", "django.", "drf_spectacular.")


def _own_doc(function) -> str:
    if function is None or getattr(function, "__module__", "").startswith(IMPLEMENTATION_MODULES):
        return ""
    return inspect.getdoc(function) or ""


class RegistrySchema(AutoSchema):
    def get_description(self):
        action_name = getattr(self.view, "action", None)
        action = getattr(self.view, action_name or self.method.lower(), None)
        view_doc = type(self.view).__dict__.get("__doc__") or ""
        return _own_doc(action) or inspect.cleandoc(view_doc) or self._standard_description(action_name)

    def _standard_description(self, action: str | None) -> str:
        """What a standard action of a catalogue or records endpoint does, said once for all of them."""
        queryset = getattr(self.view, "queryset", None)
        model = getattr(queryset, "model", None)
        if model is None:
            try:
                model = self.view.get_queryset().model
            except Exception:  # noqa: BLE001 - a view without a queryset has no standard action
                return ""
        with translation.override("en"):  # the schema is written in English
            one, many = str(model._meta.verbose_name), str(model._meta.verbose_name_plural)
        lookup = getattr(self.view, "lookup_field", "pk")
        key = "id" if lookup in ("pk", "id") else lookup
        return {
            "list": f"The {many} you may read, paged, filtered and ordered by the parameters below.",
            "retrieve": f"One {one}, by its {key} (404 when it does not exist or is not yours to read).",
            "create": f"Record a new {one}. The answer is the {one} as stored.",
            "update": f"Replace the fields of one {one}. Every change is audited.",
            "partial_update": f"Change some fields of one {one}: send only those. Every change is audited.",
            "destroy": f"Delete one {one}.",
        }.get(action or "", "")

    def get_auth(self):
        auths = super().get_auth()
        if {} not in auths and self._anonymous_may():
            auths.append({})
        return auths

    def _anonymous_may(self) -> bool:
        name = PolicyPermission.permission_name(_Call(self.method), self.view)
        return name is not None and policy.may(AnonymousUser(), name)
