"""Reads of the tracer study, scoped to who asks. Each owns its joins, so lists cost a constant
number of queries whatever the page size."""

from __future__ import annotations

from django.db.models import QuerySet

from outcomes.models import EmployerSurvey, TracerInvitation, TracerResponse
from registry.choices import Role
from registry.services.access import is_ministry


def _organisation_id(actor):
    return getattr(actor, "organisation_id", None)


def _anonymous(actor) -> bool:
    return actor is not None and not getattr(actor, "is_authenticated", False)


def tracer_responses_for(actor) -> QuerySet[TracerResponse]:
    """The ministry reads every response; a provider, those about its own certificates."""
    qs = TracerResponse.objects.select_related("certificate", "certificate__provider", "employer", "work_municipality")
    if _anonymous(actor):
        return qs.none()
    if is_ministry(actor):
        return qs
    if actor.has_role(Role.PROVIDER):
        return qs.filter(certificate__provider_id=_organisation_id(actor))
    return qs.none()


def tracer_invitations_for(actor) -> QuerySet[TracerInvitation]:
    qs = TracerInvitation.objects.select_related("certificate")
    if _anonymous(actor):
        return qs.none()
    if is_ministry(actor):
        return qs
    if actor.has_role(Role.PROVIDER):
        return qs.filter(certificate__provider_id=_organisation_id(actor))
    return qs.none()


def employer_surveys_for(actor) -> QuerySet[EmployerSurvey]:
    """The ministry reads all; an employer or municipality its own; a provider those about its graduates."""
    qs = EmployerSurvey.objects.select_related("employer", "certificate", "certificate__provider")
    if _anonymous(actor):
        return qs.none()
    if is_ministry(actor):
        return qs
    if actor.has_role(Role.VERIFIER):
        return qs.filter(employer_id=_organisation_id(actor))
    if actor.has_role(Role.PROVIDER):
        return qs.filter(certificate__provider_id=_organisation_id(actor))
    return qs.none()
