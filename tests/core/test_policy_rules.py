"""The access policy's own rules: deny by default, inactive organisations, the import arrows."""

from __future__ import annotations

import ast
import pathlib
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from core import policy
from core.api.strict import KnownParameters
from core.permissions import PolicyPermission
from registry.choices import OrganisationStatus
from tests import factories as f

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUR_APPS = ("core", "registry", "credentials", "outcomes", "api_docs", "config")


def _patterns(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _our_api_views():
    for route, callback in _patterns():
        cls = getattr(callback, "cls", None)
        if cls is not None and issubclass(cls, APIView) and cls.__module__.split(".")[0] in OUR_APPS:
            yield route, callback, cls


def test_every_api_view_of_ours_declares_a_permission_for_every_method_it_answers():
    seen = 0
    for route, callback, cls in _our_api_views():
        if route == "api/v1/":  # the API root: a list of links, explicitly public
            continue
        if route == "api/schema/":  # the OpenAPI document (drf-spectacular's view, in English): public by design
            assert cls.permission_classes == [AllowAny], route
            continue
        seen += 1
        # The policy decides first; core.api.strict.KnownParameters then refuses undocumented parameters (ADR 0022).
        assert cls.permission_classes == [PolicyPermission, KnownParameters], route
        actions = getattr(callback, "actions", None) or {
            m: None for m in ("get", "post", "put", "patch") if hasattr(cls, m)
        }
        for method, action in actions.items():
            fake_view = SimpleNamespace(policy=getattr(cls, "policy", None), action=action)
            name = PolicyPermission.permission_name(SimpleNamespace(method=method.upper()), fake_view)
            assert name in policy.PERMISSIONS, (route, method, action)
    assert seen > 20


def test_a_view_that_declares_nothing_is_refused_even_to_the_ministry(db):
    class Undeclared(APIView):
        def get(self, request):  # pragma: no cover - never reached
            raise AssertionError("the policy let an undeclared view run")

    request = APIRequestFactory().get("/x")
    force_authenticate(request, user=f.UserFactory(ministry=True))
    assert Undeclared.as_view()(request).status_code == 403


@pytest.mark.django_db
def test_an_inactive_organisation_loses_its_tokens_and_sessions_at_once(client_for, client):
    user = f.UserFactory(ministry=True)
    token_client = client_for(user)
    client.force_login(user)
    assert token_client.get("/api/v1/audit-entries/").status_code == 200
    assert client.get("/api/v1/audit-entries/").status_code == 200

    user.organisation.status = OrganisationStatus.INACTIVE
    user.organisation.save()

    assert token_client.get("/api/v1/audit-entries/").status_code == 401
    assert client.get("/api/v1/audit-entries/").status_code in (401, 403)
    fresh = Client()
    fresh.post("/api-auth/login/", {"username": user.username, "password": "correct-horse-battery-staple"})
    assert "_auth_user_id" not in fresh.session  # the right password no longer signs in
    assert fresh.get("/api/v1/audit-entries/").status_code in (401, 403)


@pytest.mark.django_db
def test_an_inactive_organisation_cannot_sign_in_to_the_admin(client):
    user = f.UserFactory(ministry=True, is_staff=True)
    user.organisation.status = OrganisationStatus.INACTIVE
    user.organisation.save()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": user.username, "password": "correct-horse-battery-staple"}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 403)


# --- the import arrows: credentials/outcomes -> registry -> core, never back -----------------------

FORBIDDEN = {
    "core": ("registry", "credentials", "outcomes", "api_docs"),
    "registry": ("credentials", "outcomes"),
    "credentials": ("outcomes",),
}


def _imports(path: pathlib.Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
            "import_module",
            "__import__",
        ):
            yield "<dynamic import>"


@pytest.mark.parametrize("app", list(FORBIDDEN))
def test_no_app_imports_upwards(app):
    wrong = []
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for module in _imports(path):
            top = module.split(".")[0]
            if top in FORBIDDEN[app] or module == "<dynamic import>":
                wrong.append(f"{path.relative_to(ROOT)} imports {module}")
    assert wrong == []
