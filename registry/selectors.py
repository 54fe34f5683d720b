"""Reads of the catalogue, each owning its joins so lists cost a constant number of queries."""

from django.db import connection
from django.db.models import Prefetch, QuerySet

from registry.models import (
    Accreditation,
    AuditEntry,
    Competence,
    Curriculum,
    CurriculumModule,
    Duty,
    Equivalency,
    Municipality,
    OccupationalStandard,
    Organisation,
    Qualification,
)


def municipality_list() -> QuerySet[Municipality]:
    return Municipality.objects.all()


def organisation_list() -> QuerySet[Organisation]:
    return Organisation.objects.select_related("municipality")


def occupational_standard_list() -> QuerySet[OccupationalStandard]:
    return OccupationalStandard.objects.prefetch_related(
        Prefetch(
            "duties",
            queryset=Duty.objects.prefetch_related(
                Prefetch("competences", queryset=Competence.objects.order_by("order", "code"))
            ).order_by("order", "code"),
        )
    )


def qualification_list() -> QuerySet[Qualification]:
    return Qualification.objects.select_related("owner", "awarding_body", "supersedes").prefetch_related(
        Prefetch("standards", queryset=OccupationalStandard.objects.only("id"))
    )


def curriculum_list() -> QuerySet[Curriculum]:
    return Curriculum.objects.select_related("qualification").prefetch_related(
        Prefetch(
            "modules",
            queryset=CurriculumModule.objects.order_by("order", "code").prefetch_related(
                "learning_outcomes", Prefetch("competences", queryset=Competence.objects.only("id"))
            ),
        )
    )


def accreditation_list() -> QuerySet[Accreditation]:
    return Accreditation.objects.select_related("provider", "agent", "qualification").prefetch_related(
        "conditions", Prefetch("municipalities", queryset=Municipality.objects.only("id", "slug"))
    )


def equivalency_list() -> QuerySet[Equivalency]:
    return Equivalency.objects.select_related("qualification", "equivalent_to", "decided_by")


def audit_entry_list() -> QuerySet[AuditEntry]:
    return AuditEntry.objects.select_related("actor", "organisation")


def write_version(model) -> str:
    """Changes whenever a row of `model`, or one a list of it filters through, may have changed: the newest audit
    entry (every service write is audited) and the newest row of `model` (a row written without one). Two
    probes of primary keys."""
    quote = connection.ops.quote_name
    audit, table = quote(AuditEntry._meta.db_table), quote(model._meta.db_table)
    pk = quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT MAX(id) FROM {audit}), (SELECT MAX({pk}) FROM {table})")  # noqa: S608 - our tables
        return ".".join(str(value) for value in cursor.fetchone())
