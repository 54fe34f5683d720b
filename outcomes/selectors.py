"""Reads of the tracer study, scoped to who asks. Each owns its joins, so lists cost a constant
number of queries whatever the page size."""

from __future__ import annotations

from django.db.models import QuerySet

from core import policy
from outcomes.models import EmployerSurvey, TracerInvitation, TracerResponse


def tracer_responses_for(actor) -> QuerySet[TracerResponse]:
    """Tracer answers about the certificates `actor` may read (core.policy)."""
    return policy.readable(
        actor,
        TracerResponse.objects.select_related("certificate", "certificate__provider", "employer", "work_municipality"),
    )


def tracer_invitations_for(actor) -> QuerySet[TracerInvitation]:
    return policy.readable(actor, TracerInvitation.objects.select_related("certificate"))


def employer_surveys_for(actor) -> QuerySet[EmployerSurvey]:
    """The ministry reads all; an employer or municipality its own; who reads a certificate, its surveys."""
    return policy.readable(
        actor, EmployerSurvey.objects.select_related("employer", "certificate", "certificate__provider")
    )
