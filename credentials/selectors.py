"""Reads of training records and certificates, scoped to who asks; each owns its joins, so a list costs
the same number of queries whatever its length.

Object-level rule: a provider never sees another provider's learners, enrolments or certificates. Views
look objects up in these scoped querysets, so another provider's object answers 404, not 403.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from credentials.models import Certificate, Cohort, Enrolment, Learner, ModuleResult
from registry.choices import Role


def _reads_everything(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_role(Role.MINISTRY)))


def _provider_id(user) -> int | None:
    if user and user.is_authenticated and user.has_role(Role.PROVIDER):
        return user.organisation_id
    return None


def _scoped(queryset: QuerySet, user, provider_path: str) -> QuerySet:
    if _reads_everything(user):
        return queryset
    provider_id = _provider_id(user)
    if provider_id is None:
        return queryset.none()
    return queryset.filter(**{provider_path: provider_id})


def learners_visible_to(user) -> QuerySet[Learner]:
    """Learners (personal data): the ministry reads all; a provider its own; nobody else any."""
    return _scoped(Learner.objects.select_related("provider", "municipality"), user, "provider_id")


def cohorts_visible_to(user) -> QuerySet[Cohort]:
    """Cohorts: the ministry reads all; a provider its own; nobody else any."""
    return _scoped(
        Cohort.objects.select_related("provider", "curriculum", "municipality"),
        user,
        "provider_id",
    )


def enrolments_visible_to(user) -> QuerySet[Enrolment]:
    """Enrolments: the ministry reads all; a provider those of its own cohorts; nobody else any."""
    return _scoped(Enrolment.objects.select_related("learner", "cohort"), user, "cohort__provider_id")


def module_results_visible_to(user) -> QuerySet[ModuleResult]:
    """Module results (personal data): as enrolments."""
    return _scoped(
        ModuleResult.objects.select_related("enrolment__cohort", "module", "recorded_by"),
        user,
        "enrolment__cohort__provider_id",
    )


def certificates_visible_to(user) -> QuerySet[Certificate]:
    """Certificates a signed-in user may read in full (holder, learner, snapshot with results).

    - ministry (and superusers): every certificate;
    - provider: the certificates it issued (`provider` is its organisation);
    - awarding body: the certificates issued under accreditations it granted (`accreditation.agent` is its
      organisation), whichever provider issued them;
    - verifiers, the public and anyone else: none (they use the public verification endpoints, which
      show only the printed public facts).

    Reuse this for every non-public certificate read (PDF download, detail) so the rule lives in one place.
    """
    queryset = Certificate.objects.select_related(
        "provider", "awarding_body", "qualification", "superseded_by", "supersedes"
    )
    if _reads_everything(user):
        return queryset
    if not (user and user.is_authenticated and user.organisation_id):
        return queryset.none()
    if user.has_role(Role.PROVIDER):
        return queryset.filter(provider_id=user.organisation_id)
    if user.has_role(Role.AWARDING_BODY):
        return queryset.filter(accreditation__agent_id=user.organisation_id)
    return queryset.none()


def enrolment_with_results(queryset: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """Enrolments with what the eligibility read needs (curriculum modules and results) preloaded."""
    return queryset.select_related(
        "cohort__provider", "cohort__curriculum__qualification__awarding_body", "learner"
    ).prefetch_related(Prefetch("results", queryset=ModuleResult.objects.all()), "cohort__curriculum__modules")
