"""Who may see and do what: the registry's one access policy.

Every scoped read (lists, details, PDFs, ZIPs, serializer fields, the verification event log, tracer data)
and every refusal in the services is built from the functions here; nothing re-derives a scope elsewhere.
Views declare a permission name (`core.permissions.PolicyPermission`, deny by default), querysets go
through `readable()` / `actionable()`, services call `require()` and `require_act()`.

Who the actor is:
- `None` is the system itself (seeding, migrations, an operator's management command): it may do anything
  the services allow; the services' own rules still hold.
- a superuser of an active account may do what the system may (the operator's own account);
- a user whose account or organisation is inactive is nobody: no role, no scope (`may_sign_in` also stops
  their sessions and tokens at authentication);
- everyone else acts through the one role they hold in their organisation.

Scopes are written as lookups from a record to the organisation through which a role reaches it, keyed by
the model's label, so this module imports no domain app (arrows point from the apps to core, never back).
"""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import status

from core.errors import DomainError, NotAllowed
from core.roles import Role

ALL = "*"  # the role reaches every record of the kind
PUBLIC = frozenset({"public"})  # a permission anyone has, signed in or not

ACTIVE = "active"  # Organisation.status of an organisation whose users may act


# --- who is acting ------------------------------------------------------------------------------


def may_sign_in(user) -> bool:
    """An account may authenticate (password, session, token) only while it and its organisation are
    active: setting an organisation inactive ends its users' sessions and tokens at the next request."""
    if user is None or not getattr(user, "is_active", False):
        return False
    if user.organisation_id is None:
        return True  # a superuser or an account without a role: no organisation to be inactive
    return user.organisation.status == ACTIVE


def role_of(actor) -> str | None:
    """The role `actor` acts in (superusers: the ministry's), or None for anyone without a working role."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return None
    if actor.is_superuser:
        return Role.MINISTRY
    if not actor.organisation_id or not actor.role or actor.organisation.status != ACTIVE:
        return None
    return actor.role


def is_unrestricted(actor) -> bool:
    """The system (`None`) and active superusers: every permission, every record."""
    return actor is None or (
        getattr(actor, "is_superuser", False) and actor.is_active and getattr(actor, "is_authenticated", False)
    )


def acts_as_ministry(actor) -> bool:
    """The system, superusers and the ministry (MESTI, NQA): the top authority rank."""
    return is_unrestricted(actor) or role_of(actor) == Role.MINISTRY


# Authority ranks on a certificate's state (DESIGN.md "Authority"): the ministry outranks the provider.
MINISTRY_RANK, PROVIDER_RANK = "ministry", "provider"


def authority_rank(actor) -> str:
    """The rank a decision by `actor` carries: the ministry's for the ministry, superusers and the system."""
    return MINISTRY_RANK if acts_as_ministry(actor) else PROVIDER_RANK


def acting_organisation_id(actor, *roles: str) -> int | None:
    """The organisation `actor` acts for in one of `roles` (any role when none is named), or None."""
    role = role_of(actor)
    if role is None or actor.is_superuser or (roles and role not in roles):
        return None
    return actor.organisation_id


def acting_provider(actor):
    """The provider a training record is written for: the actor's own organisation. Refuses everyone else."""
    if acting_organisation_id(actor, Role.PROVIDER) is None:
        raise DomainError(
            "provider_required",
            "Training records are written by a provider's user.",
            status_code=status.HTTP_403_FORBIDDEN,
        )
    return actor.organisation


def verifier_organisation_id(actor) -> int | None:
    """The verifier organisation (municipality, employer) behind a verification, for its quota and its log."""
    return acting_organisation_id(actor, Role.VERIFIER)


# --- what each role may do (role-level, before any object is looked at) -------------------------

MINISTRY, AWARDING_BODY, PROVIDER, VERIFIER = Role.MINISTRY, Role.AWARDING_BODY, Role.PROVIDER, Role.VERIFIER

PERMISSIONS: dict[str, frozenset] = {
    "catalogue.read": PUBLIC,
    "catalogue.write": frozenset({MINISTRY}),
    "accreditation.record": frozenset({MINISTRY, AWARDING_BODY}),
    "equivalency.decide": frozenset({MINISTRY}),
    "audit.read": frozenset({MINISTRY}),
    "training.read": frozenset({MINISTRY, PROVIDER}),
    "training.write": frozenset({PROVIDER}),
    "certificate.read": frozenset({MINISTRY, PROVIDER, AWARDING_BODY}),
    "certificate.issue": frozenset({PROVIDER}),
    "certificate.change_status": frozenset({MINISTRY, PROVIDER}),  # revoke, suspend, reinstate
    # A certificate's transcript (its module results, printed on the PDF's second page) is a training record: those
    # who keep the training records read it. An awarding body reads the certificates issued under its
    # accreditations (status, holder, award, decisions), never the learner's results (ADR 0023).
    "certificate.transcript": frozenset({MINISTRY, PROVIDER}),
    "certificate.reissue": frozenset({PROVIDER}),
    "verification.verify": PUBLIC,
    "verification.batch": frozenset({VERIFIER, MINISTRY}),
    "verification.history": frozenset({MINISTRY, PROVIDER, AWARDING_BODY, VERIFIER}),
    "tracer.read": frozenset({MINISTRY, PROVIDER, AWARDING_BODY}),
    "tracer.write": frozenset({MINISTRY, PROVIDER}),
    "tracer.answer_by_link": PUBLIC,  # a graduate's one-time link is the credential
    "employer_survey.read": frozenset({MINISTRY, PROVIDER, VERIFIER}),
    "employer_survey.write": frozenset({MINISTRY, VERIFIER}),
    "statistics.read": PUBLIC,
    "task.read": frozenset({MINISTRY, AWARDING_BODY, PROVIDER, VERIFIER}),  # background work (ADR 0009)
    # Holders and notifications (credentials/holders, credentials/notifications): the provider (or the ministry)
    # sends a holder their private link; a verifier organisation follows the certificates it checked.
    "holder_link.send": frozenset({MINISTRY, PROVIDER}),
    "holder.read": frozenset({MINISTRY, PROVIDER}),  # private links, share links, e-mails sent (back office)
    "notification.read": frozenset({MINISTRY, VERIFIER}),
    "notification.manage": frozenset({VERIFIER}),
}


def may(actor, permission: str) -> bool:
    roles = PERMISSIONS[permission]
    if roles is PUBLIC or is_unrestricted(actor):
        return True
    return role_of(actor) in roles


def require(actor, permission: str) -> None:
    if not may(actor, permission):
        raise NotAllowed(format_lazy(_("Your role may not do this ({permission})."), permission=permission))


# --- which records each role reaches --------------------------------------------------------------
# {model label: {role: lookup from the record to the organisation, or ALL}}. A role not listed reaches
# nothing. Read scopes say what an organisation may see; act scopes what it may change.

_CERTIFICATE = {MINISTRY: ALL, PROVIDER: "provider", AWARDING_BODY: "accreditation__agent"}


def _through(relation: str, scope: dict) -> dict:
    """The scope of records that belong to another record (an event of a certificate ...)."""
    return {role: path if path == ALL else f"{relation}__{path}" for role, path in scope.items()}


READ: dict[str, dict] = {
    "credentials.learner": {MINISTRY: ALL, PROVIDER: "provider"},
    "credentials.cohort": {MINISTRY: ALL, PROVIDER: "provider"},
    "credentials.enrolment": {MINISTRY: ALL, PROVIDER: "cohort__provider"},
    "credentials.moduleresult": {MINISTRY: ALL, PROVIDER: "enrolment__cohort__provider"},
    "credentials.certificate": _CERTIFICATE,
    # Whoever reads a certificate reads its verification history; a verifier, its own verifications.
    "credentials.verificationevent": {**_through("certificate", _CERTIFICATE), VERIFIER: "verifier_organisation"},
    "outcomes.tracerresponse": _through("certificate", _CERTIFICATE),
    "outcomes.tracerinvitation": _through("certificate", _CERTIFICATE),
    "outcomes.employersurvey": {**_through("certificate", _CERTIFICATE), VERIFIER: "employer"},
    "registry.auditentry": {MINISTRY: ALL},
    # A holder's links and preferences: the provider of the learner or certificate, and the ministry. The holder
    # acts through the link itself (its token is the credential), never through an account.
    "credentials.holderaccess": {MINISTRY: ALL, PROVIDER: "learner__provider"},
    "credentials.sharelink": _through("certificate", {MINISTRY: ALL, PROVIDER: "provider"}),
    "credentials.holderpreference": _through("certificate", {MINISTRY: ALL, PROVIDER: "provider"}),
    "credentials.outboundemail": {MINISTRY: ALL, PROVIDER: "learner__provider", VERIFIER: "organisation"},
    # A verifier organisation's own subscriptions, notification endpoint and webhook deliveries.
    "credentials.certificatesubscription": {MINISTRY: ALL, VERIFIER: "organisation"},
    "credentials.notificationendpoint": {MINISTRY: ALL, VERIFIER: "organisation"},
    "credentials.webhookdelivery": {MINISTRY: ALL, VERIFIER: "organisation"},
    # Background work: the organisation that started it, and the ministry.
    "registry.taskrecord": {
        MINISTRY: ALL,
        PROVIDER: "organisation",
        AWARDING_BODY: "organisation",
        VERIFIER: "organisation",
    },
}

# The public catalogue: anyone reads these, signed in or not.
PUBLIC_RECORDS = frozenset(
    {
        "registry.municipality",
        "registry.organisation",
        "registry.occupationalstandard",
        "registry.qualification",
        "registry.curriculum",
        "registry.accreditation",
        "registry.equivalency",
    }
)

ACT: dict[str, dict] = {
    "credentials.learner": {PROVIDER: "provider"},
    "credentials.cohort": {PROVIDER: "provider"},
    "credentials.enrolment": {PROVIDER: "cohort__provider"},
    "credentials.moduleresult": {PROVIDER: "enrolment__cohort__provider"},
    # The ministry annuls any certificate; a provider acts on its own (the services rank the two).
    "credentials.certificate": {MINISTRY: ALL, PROVIDER: "provider"},
    "outcomes.tracerresponse": {MINISTRY: ALL, PROVIDER: "certificate__provider"},
    "outcomes.employersurvey": {MINISTRY: ALL, VERIFIER: "employer"},
    # An accrediting agent records only its own decisions; the ministry records any (party rules aside).
    "registry.accreditation": {MINISTRY: ALL, AWARDING_BODY: "agent"},
    "credentials.certificatesubscription": {VERIFIER: "organisation"},
    "credentials.notificationendpoint": {VERIFIER: "organisation"},
}


def _path(scopes: dict, label: str, actor) -> str | None:
    """ALL, a lookup to the actor's organisation, or None (nothing). The system reaches everything."""
    if is_unrestricted(actor) or (scopes is READ and label in PUBLIC_RECORDS):
        return ALL
    role = role_of(actor)
    if role is None:
        return None
    return scopes[label].get(role)


def _restrict(scopes: dict, actor, queryset: QuerySet) -> QuerySet:
    path = _path(scopes, queryset.model._meta.label_lower, actor)
    if path is None:
        return queryset.none()
    if path == ALL:
        return queryset
    return queryset.filter(**{f"{path}_id": actor.organisation_id})


def readable(actor, queryset: QuerySet) -> QuerySet:
    """`queryset` narrowed to the records `actor` may see."""
    return _restrict(READ, actor, queryset)


def actionable(actor, queryset: QuerySet) -> QuerySet:
    """`queryset` narrowed to the records `actor` may change."""
    return _restrict(ACT, actor, queryset)


def _organisation_id_of(obj: Model, path: str):
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id")


def _reaches(scopes: dict, actor, obj: Model) -> bool:
    path = _path(scopes, obj._meta.label_lower, actor)
    if path is None:
        return False
    return path == ALL or _organisation_id_of(obj, path) == actor.organisation_id


def may_read(actor, obj: Model) -> bool:
    return _reaches(READ, actor, obj)


def may_act(actor, obj: Model) -> bool:
    return _reaches(ACT, actor, obj)


def not_found(what: str = "record") -> DomainError:
    """The one answer for "does not exist" and "not yours": nothing tells them apart. `what` names the record for
    whoever reads the code; the message is the same for every kind of record, in the request's language."""
    return DomainError("not_found", _("No such record among those you may see."), status_code=status.HTTP_404_NOT_FOUND)


def require_for(actor, permission: str, organisation_id: int | None) -> None:
    """`actor` may use `permission` on behalf of `organisation_id`, which must be its own organisation."""
    require(actor, permission)
    if not is_unrestricted(actor) and actor.organisation_id != organisation_id:
        raise NotAllowed("This belongs to another organisation.")


def require_act(actor, obj: Model, *, what: str | None = None) -> None:
    """Refuse unless `actor` may change `obj`. A record the actor cannot even read answers exactly as a
    missing one does; one it reads but may not change answers 403."""
    if may_act(actor, obj):
        return
    if may_read(actor, obj):
        raise NotAllowed("This belongs to another organisation.")
    raise not_found(what or obj._meta.verbose_name)
