"""Every admin write is audited: users (role, organisation, activity, groups, password), groups and their
permissions, organisations, municipalities, API tokens. Names, e-mail and the password appear by field name
only; a token's key appears nowhere (neither in our audit log nor in Django's admin log)."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from rest_framework.authtoken.models import Token

from core.audit import REDACTED
from registry.choices import AuditAction
from registry.models import AuditEntry, Municipality, User
from tests import factories as f

pytestmark = pytest.mark.django_db

STRONG = "Kr1pt0-e-forte-2026!"


@pytest.fixture
def staff(db):
    return f.UserFactory(organisation=None, role="", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


def _entries(instance, **filters):
    return list(
        AuditEntry.objects.filter(
            object_type=instance._meta.label_lower, object_id=str(instance.pk), **filters
        ).order_by("id")
    )


def _user_form(user, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "organisation": user.organisation_id or "",
        "role": user.role,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_changes_to_a_users_role_and_organisation_are_audited_names_and_email_by_name_only(admin_client, staff):
    provider, ministry = f.OrganisationFactory(), f.OrganisationFactory(ministry=True)
    user = f.UserFactory(organisation=provider, first_name="Arben", last_name="Morina", email="arben@example.org")
    response = admin_client.post(
        f"/admin/registry/user/{user.pk}/change/",
        _user_form(user, organisation=ministry.pk, role="ministry", first_name="Arbër", email="a.morina@example.org"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    (entry,) = _entries(user)
    assert entry.action == AuditAction.UPDATE and entry.actor == staff and entry.reason == "admin"
    assert entry.before["organisation_id"] == provider.pk and entry.after["organisation_id"] == ministry.pk
    assert (entry.before["role"], entry.after["role"]) == ("provider", "ministry")
    assert entry.before["first_name"] == entry.after["first_name"] == REDACTED
    assert entry.before["email"] == entry.after["email"] == REDACTED
    assert "last_name" not in entry.after  # unchanged


def test_admin_deactivating_a_user_and_granting_groups_is_audited(admin_client):
    group = Group.objects.create(name="Registrars")
    user = f.UserFactory()
    response = admin_client.post(
        f"/admin/registry/user/{user.pk}/change/", _user_form(user, is_active=None, groups=[group.pk])
    )
    assert response.status_code == 302
    (entry,) = _entries(user)
    assert (entry.before["is_active"], entry.after["is_active"]) == (True, False)
    assert (entry.before["groups"], entry.after["groups"]) == ([], [group.pk])


def test_an_admin_password_change_is_audited_without_the_hash(admin_client, staff):
    user = f.UserFactory()
    old_hash = user.password
    response = admin_client.post(
        f"/admin/registry/user/{user.pk}/password/",
        {"usable_password": "true", "password1": STRONG, "password2": STRONG},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(STRONG)
    (entry,) = _entries(user)
    assert entry.actor == staff and entry.before == entry.after == {"password": REDACTED}
    text = str(entry.before) + str(entry.after)
    assert old_hash not in text and user.password not in text


def test_a_refused_password_change_writes_nothing(admin_client):
    user = f.UserFactory()
    response = admin_client.post(
        f"/admin/registry/user/{user.pk}/password/", {"usable_password": "true", "password1": STRONG, "password2": "x"}
    )
    assert response.status_code == 200  # the form again, with its errors
    assert _entries(user) == []


@pytest.mark.parametrize("role", ["provider", "awarding_body", "verifier"])
def test_a_user_changing_their_own_password_in_the_back_office_is_audited_without_the_hash(client, role):
    """/admin/password_change/ is open to every role: the change is an account write like any other."""
    kinds = {"provider": {}, "awarding_body": {"awarding_body": True}, "verifier": {"verifier": True}}
    user = f.UserFactory(**kinds[role])
    user.set_password("Old-pass-2026-xyz")
    user.save()
    old_hash = user.password
    client.force_login(user)

    refused = client.post(
        "/admin/password_change/", {"old_password": "wrong", "new_password1": STRONG, "new_password2": STRONG}
    )
    assert refused.status_code == 200 and _entries(user) == []  # the form again; nothing written

    response = client.post(
        "/admin/password_change/",
        {"old_password": "Old-pass-2026-xyz", "new_password1": STRONG, "new_password2": STRONG},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(STRONG)
    (entry,) = _entries(user)
    assert entry.actor == user and entry.action == AuditAction.UPDATE
    assert entry.before == entry.after == {"password": REDACTED}
    assert old_hash not in str(entry.before) + str(entry.after) and user.password not in str(entry.after)


def test_a_user_created_in_the_admin_is_audited_password_by_name(admin_client, staff):
    provider = f.OrganisationFactory()
    response = admin_client.post(
        "/admin/registry/user/add/",
        {
            "username": "new-registrar",
            "usable_password": "true",
            "password1": STRONG,
            "password2": STRONG,
            "organisation": provider.pk,
            "role": "provider",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="new-registrar")
    (entry,) = _entries(user)
    assert entry.action == AuditAction.CREATE and entry.actor == staff
    assert entry.after["password"] == REDACTED and entry.after["role"] == "provider"
    assert user.password not in str(entry.after)


def test_a_user_deleted_in_the_admin_is_audited(admin_client, staff):
    user = f.UserFactory(first_name="Drita", email="drita@example.org")
    response = admin_client.post(f"/admin/registry/user/{user.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    (entry,) = AuditEntry.objects.filter(object_type="registry.user", action=AuditAction.DELETE)
    assert entry.actor == staff and entry.object_id == str(user.pk)
    assert entry.before["first_name"] == entry.before["email"] == REDACTED


def test_group_permission_changes_in_the_admin_are_audited(admin_client):
    group = Group.objects.create(name="Clerks")
    permission = Permission.objects.get(codename="view_organisation")
    response = admin_client.post(
        f"/admin/auth/group/{group.pk}/change/", {"name": "Clerks", "permissions": [permission.pk]}
    )
    assert response.status_code == 302
    (entry,) = _entries(group)
    assert entry.before == {"permissions": []} and entry.after == {"permissions": [permission.pk]}


def test_deactivating_an_organisation_in_the_admin_is_audited(admin_client):
    organisation = f.OrganisationFactory()
    page = admin_client.get(f"/admin/registry/organisation/{organisation.pk}/change/")
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    data.update(status="inactive", municipality="")
    response = admin_client.post(f"/admin/registry/organisation/{organisation.pk}/change/", data)
    assert response.status_code == 302
    (entry,) = _entries(organisation)
    assert entry.before == {"status": "active"} and entry.after == {"status": "inactive"}


def test_municipality_edits_in_the_admin_are_audited(admin_client):
    municipality = Municipality.objects.get(slug="prishtine")
    data = {
        "slug": municipality.slug,
        "name_sq": "Prishtina e re",
        "name_sr": municipality.name_sr,
        "name_sr_cyrl": municipality.name_sr_cyrl,
        "name_en": municipality.name_en,
    }
    response = admin_client.post(f"/admin/registry/municipality/{municipality.pk}/change/", data)
    assert response.status_code == 302
    (entry,) = _entries(municipality)
    assert entry.after == {"name_sq": "Prishtina e re"}


def test_api_tokens_created_and_deleted_in_the_admin_are_audited_never_with_the_key(admin_client, staff):
    user = f.UserFactory()
    response = admin_client.post("/admin/authtoken/tokenproxy/add/", {"user": user.pk})
    assert response.status_code == 302
    key = Token.objects.get(user=user).key
    response = admin_client.post(f"/admin/authtoken/tokenproxy/{user.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Token.objects.filter(user=user).exists()
    issued, revoked = _entries(user)
    assert (issued.action, revoked.action) == (AuditAction.TOKEN_ISSUED, AuditAction.TOKEN_REVOKED)
    assert issued.actor == revoked.actor == staff
    for entry in AuditEntry.objects.all():
        assert key not in f"{entry.object_id} {entry.object_repr} {entry.before} {entry.after} {entry.reason}"
    for log in LogEntry.objects.all():
        assert key not in f"{log.object_id} {log.object_repr} {log.change_message}"


def test_the_ministry_issues_and_revokes_tokens_without_ever_reading_a_key(client):
    """A key is a credential: whoever reads a provider's key acts as that provider. The ministry's pages of a token
    (change, history, delete, the messages after adding and deleting) name it by its user, never by its key."""
    ministry = f.UserFactory(ministry=True)
    client.force_login(ministry)
    holder = f.UserFactory()
    token = Token.objects.create(user=holder)
    pages = [f"/admin/authtoken/tokenproxy/{holder.pk}/{page}/" for page in ("change", "history", "delete")]
    for url in [*pages, "/admin/authtoken/tokenproxy/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert token.key not in response.content.decode(), url
    assert holder.get_username() in client.get(pages[0]).content.decode()  # named by its user

    newcomer = f.UserFactory()
    added = client.post("/admin/authtoken/tokenproxy/add/", {"user": newcomer.pk}, follow=True)
    assert added.status_code == 200 and Token.objects.get(user=newcomer).key not in added.content.decode()
    deleted = client.post(pages[2], {"post": "yes"}, follow=True)
    assert deleted.status_code == 200 and token.key not in deleted.content.decode()
    assert not Token.objects.filter(user=holder).exists()


def test_a_provider_opens_no_token_page(client):
    provider_user = f.UserFactory()
    holder = f.UserFactory()
    Token.objects.create(user=holder)
    client.force_login(provider_user)
    assert client.get(f"/admin/authtoken/tokenproxy/{holder.pk}/change/").status_code == 403
    assert client.post("/admin/authtoken/tokenproxy/add/", {"user": provider_user.pk}).status_code == 403
    assert not Token.objects.filter(user=provider_user).exists()
