"""Reads of training records and certificates, scoped to who asks; each owns its joins, so a list costs
the same number of queries whatever its length.

The scoping is the access policy's (core.policy); these add the joins. Views look objects up in these
querysets, so another provider's object answers exactly as a missing one (404).
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from core import policy
from credentials.models import Certificate, Cohort, Enrolment, Learner, ModuleResult
from credentials.tokens import QR_FIELDS


def learners_visible_to(user) -> QuerySet[Learner]:
    """Learners (personal data), as the access policy lets `user` read them."""
    return policy.readable(user, Learner.objects.select_related("provider", "municipality"))


def learners_actionable_by(user) -> QuerySet[Learner]:
    return policy.actionable(user, Learner.objects.all())


def cohorts_actionable_by(user) -> QuerySet[Cohort]:
    return policy.actionable(user, Cohort.objects.all())


def cohorts_visible_to(user) -> QuerySet[Cohort]:
    return policy.readable(user, Cohort.objects.select_related("provider", "curriculum", "municipality"))


def enrolments_visible_to(user) -> QuerySet[Enrolment]:
    return policy.readable(user, Enrolment.objects.select_related("learner", "cohort"))


def enrolments_actionable_by(user) -> QuerySet[Enrolment]:
    """Enrolments `user` may act on (issue a certificate for, record results of): its own cohorts'."""
    return policy.actionable(user, Enrolment.objects.select_related("learner", "cohort"))


def module_results_visible_to(user) -> QuerySet[ModuleResult]:
    """Module results (personal data)."""
    return policy.readable(user, ModuleResult.objects.select_related("enrolment__cohort", "module", "recorded_by"))


def certificates_visible_to(user) -> QuerySet[Certificate]:
    """Certificates `user` may read in full (holder, learner, snapshot with results): the ministry all, a
    provider those it issued, an awarding body those issued under accreditations it granted (core.policy).
    Verifiers and the public use the public verification endpoints instead."""
    return policy.readable(
        user,
        Certificate.objects.select_related("provider", "awarding_body", "qualification", "superseded_by", "supersedes"),
    )


# What a print reads: the cache key (id, verification id, status, the QR's URL), the file name, the stored QR symbol
# and, for a render, the snapshot. A record from before symbols were stored reads its other columns when its QR is
# made (deferred; once).
PRINT_FIELDS = ("id", "serial_number", "verification_id", "status", "provider_id", "snapshot", *QR_FIELDS)


def certificates_to_print(user) -> QuerySet[Certificate]:
    """The certificates `user` may read in full (the same scope as `certificates_visible_to`), with the columns a
    print reads: no joins, 9 columns of 32 (the ORM's compilation is most of a cached download's cost)."""
    return policy.readable(user, Certificate.objects.only(*PRINT_FIELDS))


def enrolment_with_results(queryset: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """Enrolments with what the eligibility read needs (curriculum modules and results) preloaded."""
    return queryset.select_related(
        "cohort__provider", "cohort__curriculum__qualification__awarding_body", "learner"
    ).prefetch_related(Prefetch("results", queryset=ModuleResult.objects.all()), "cohort__curriculum__modules")
