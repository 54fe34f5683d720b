"""The back office has one stylesheet of its own, core/static/core/back-office.css, loaded on every admin page (the
login, the index, an app, a list, a change and add page, the credentials screens, the status confirmation, check
candidates) after Django's own, and no inline <style>: the admin keeps its plain Content-Security-Policy."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from registry.choices import QualificationStatus
from tests import factories

pytestmark = pytest.mark.django_db

OURS = "/static/core/back-office.css"
LINK = re.compile(r"""<link[^>]+rel="stylesheet"[^>]+href="([^"]+)\"""")


def _stylesheets(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return LINK.findall(response.content.decode())


def _assert_one_stylesheet(response, page: str) -> None:
    sheets = _stylesheets(response)
    ours = [href for href in sheets if not href.startswith("/static/admin/")]
    assert ours == [OURS], f"{page}: {ours}"
    # Django's page stylesheets (forms, changelists, login...) come first; its responsive.css always comes last.
    djangos = [i for i, h in enumerate(sheets) if h.startswith("/static/admin/css/") and "responsive" not in h]
    assert sheets.index(OURS) > max(djangos), f"{page}: Django's stylesheets come after ours"
    html = response.content.decode()
    assert "<style" not in html, f"{page}: an inline <style>"
    assert "nonce-" not in response.headers.get("Content-Security-Policy", ""), page


def test_the_stylesheet_is_served_and_the_old_ones_are_gone():
    assert finders.find("core/back-office.css")
    for gone in ("credentials/admin/backoffice.css", "core/admin_language_switch.css"):
        assert not finders.find(gone), gone


def test_every_kind_of_back_office_page_loads_the_one_stylesheet():
    mesti = factories.OrganisationFactory(slug="mesti", ministry=True)
    ministry = Client()
    ministry.force_login(factories.UserFactory(organisation=mesti))
    draft = factories.QualificationFactory(owner=mesti, status=QualificationStatus.DRAFT)
    provider = factories.OrganisationFactory(slug="qpgj")
    cohort = factories.CohortFactory(provider=provider)
    qpgj = Client()
    qpgj.force_login(factories.UserFactory(organisation=provider))
    clerk = Client()
    clerk.force_login(factories.UserFactory(verifier=True))

    _assert_one_stylesheet(Client().get("/admin/login/"), "login")
    for path in (
        "/admin/",
        "/admin/registry/",
        "/admin/registry/qualification/",
        f"/admin/registry/qualification/{draft.pk}/change/",
        "/admin/registry/occupationalstandard/add/",
    ):
        _assert_one_stylesheet(ministry.get(path), path)
    confirm = ministry.post(
        "/admin/registry/qualification/", {"action": "status_approved", "_selected_action": [draft.pk]}
    )
    assert b'name="confirm"' in confirm.content
    _assert_one_stylesheet(confirm, "status confirmation")
    for path in (
        "/admin/credentials/learner/",
        "/admin/credentials/learner/import/",
        f"/admin/credentials/cohort/{cohort.pk}/results/",
        f"/admin/credentials/cohort/{cohort.pk}/issue/",
    ):
        _assert_one_stylesheet(qpgj.get(path), path)
    _assert_one_stylesheet(clerk.get("/admin/credentials/check-candidates/"), "check candidates")
