"""The home page (`/`): what the registry is and where to go, in the reader's language (core/language.py)."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_safe

ROLE_NAMES = {
    "superuser": pgettext_lazy("role", "superuser"),
    "ministry": pgettext_lazy("role", "ministry"),
    "awarding_body": pgettext_lazy("role", "awarding body"),
    "provider": pgettext_lazy("role", "provider"),
    "verifier": pgettext_lazy("role", "verifier"),
}


def _demo_password() -> str:
    from registry.demo import DEMO_PASSWORD

    return DEMO_PASSWORD


def _demo_logins() -> list[dict] | None:
    """The demo logins, on a development or demo server (DEBUG) whose database holds the demo data only."""
    if not settings.DEBUG:
        return None
    from registry.demo import USERS
    from registry.models import Organisation, User

    if not User.objects.filter(username="admin").exists():
        return None
    names = dict(Organisation.objects.filter(slug__in=[u[1] for u in USERS]).values_list("slug", "name"))
    rows = [{"username": "admin", "organisation": "", "role": ROLE_NAMES["superuser"]}]
    rows += [
        {"username": username, "organisation": names.get(slug, slug), "role": ROLE_NAMES.get(str(role), role)}
        for username, slug, role, *_ in USERS
    ]
    return rows


@require_safe
def home(request):
    logins = _demo_logins()
    return render(
        request, "registry/home.html", {"demo_logins": logins, "demo_password": _demo_password() if logins else ""}
    )
