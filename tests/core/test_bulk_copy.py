"""COPY writes what bulk_create would (core/bulk_copy.py): every value read back equal, whatever characters it
holds, NULL apart from the text "\\N"; primary keys from the table's sequence; a constraint violation is Django's
IntegrityError and writes nothing."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from core.bulk_copy import copy_insert
from credentials.models import Certificate
from credentials.services import cohort_issue_certificates
from credentials.signing import verify_snapshot
from registry.models import AuditEntry
from tests import factories
from tests.factories import TODAY

pytestmark = pytest.mark.django_db

AWKWARD = [
    "plain",
    "",
    "tab\there",
    "line\nbreak",
    "carriage\rreturn",
    "back\\slash",
    "\\N",  # the text, not NULL
    "\\.",
    "\\x41",
    'quote " and comma ,',
    "Ђорђе Đorđe Shpëtim",
]


def _entries(actor):
    return [
        AuditEntry(
            actor=actor,
            organisation_id=actor.organisation_id,
            action="update",
            object_type="registry.test",
            object_id=str(n),
            object_repr=text[:255],
            before=None if n % 2 else {"text": text, "nested": [text, None, 1, True]},
            after={"text": text, "n": n},
            reason=text,
            request_id="req\t1",
        )
        for n, text in enumerate(AWKWARD)
    ]


COMPARED = ["actor_id", "organisation_id", "action", "object_type", "object_id", "object_repr", "before", "after"]
COMPARED += ["reason", "request_id"]


def test_copy_reads_back_what_bulk_create_writes(db):
    actor = factories.UserFactory()
    created = AuditEntry.objects.bulk_create(_entries(actor))
    copied = copy_insert(_entries(actor))

    assert [e.pk for e in copied] == sorted(e.pk for e in copied)
    assert min(e.pk for e in copied) > max(e.pk for e in created)  # the table's own sequence
    by_copy = AuditEntry.objects.filter(pk__in=[e.pk for e in copied]).order_by("pk").values(*COMPARED)
    by_insert = AuditEntry.objects.filter(pk__in=[e.pk for e in created]).order_by("pk").values(*COMPARED)
    assert list(by_copy) == list(by_insert)
    assert [row["reason"] for row in by_copy] == AWKWARD
    assert AuditEntry.objects.filter(pk__in=[e.pk for e in copied], before__isnull=True).count() == len(AWKWARD) // 2
    assert all(not e._state.adding and e.created_at is not None for e in copied)


def test_a_null_in_a_not_null_column_is_refused_before_writing(db):
    entry = _entries(factories.UserFactory())[0]
    entry.object_type = None
    before = AuditEntry.objects.count()

    with pytest.raises(ValueError, match="object_type"):
        copy_insert([entry])

    assert AuditEntry.objects.count() == before


def test_instances_with_a_primary_key_are_refused(db):
    entry = _entries(factories.UserFactory())[0]
    entry.pk = 123456
    with pytest.raises(ValueError, match="primary key"):
        copy_insert([entry])
    assert not AuditEntry.objects.filter(pk=123456).exists()


def _issued_cohort(count: int = 3):
    provider = factories.OrganisationFactory()
    user = factories.UserFactory(organisation=provider)
    curriculum = factories.CurriculumFactory()
    cohort = factories.CohortFactory(provider=provider, curriculum=curriculum)
    for _ in range(count):
        factories.issuable_enrolment(provider=provider, cohort=cohort, curriculum=curriculum)
    return cohort_issue_certificates(actor=user, cohort=cohort, awarded_on=TODAY).issued


def test_bulk_issued_certificates_read_back_as_they_were_built(db):
    issued = _issued_cohort()

    assert len(issued) == 3
    for certificate in issued:
        stored = Certificate.objects.get(pk=certificate.pk)
        for field in Certificate._meta.concrete_fields:
            value, built = getattr(stored, field.attname), getattr(certificate, field.attname)
            if field.get_internal_type() == "BinaryField":  # read back as a memoryview
                value, built = bytes(value), bytes(built)
            assert value == built, field.name
        assert len(certificate.qr_symbol) > 100
        assert verify_snapshot(stored.snapshot, stored.signature, stored.key_id)


def test_a_constraint_violation_is_an_integrity_error_and_writes_nothing(db):
    (first, *_rest) = _issued_cohort(2)
    total = Certificate.objects.count()
    duplicate = Certificate.objects.get(pk=first.pk)
    duplicate.pk = duplicate.id = None
    duplicate.status = "superseded"  # not the live-certificate rule: the serial number's unique index
    duplicate.verification_id = "0" * 26
    duplicate.snapshot = first.snapshot

    with pytest.raises(IntegrityError), transaction.atomic():
        copy_insert([duplicate])

    assert Certificate.objects.count() == total
    assert connection.is_usable()
