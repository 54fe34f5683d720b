"""Rule 2 and 3 under real concurrency, on PostgreSQL: several threads, each with its own connection,
issue at once. Serial numbers must be unique and gap-free; one enrolment never gets two certificates."""

import threading

import pytest
from django.db import connection

from credentials.models import Certificate, SerialCounter
from credentials.services import certificate_issue, cohort_issue_certificates
from tests import factories
from tests.credentials.conftest import AWARD

THREADS = 8

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_at_once(jobs):
    """Run each job in its own thread (own DB connection), released together by a barrier."""
    barrier = threading.Barrier(len(jobs))
    results, errors = [None] * len(jobs), []

    def run(i, job):
        try:
            barrier.wait(timeout=30)
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    assert errors == []
    return results


def test_concurrent_issuance_gives_unique_gap_free_serials():
    provider = factories.OrganisationFactory()
    curriculum = factories.CurriculumFactory()
    enrolments = [factories.issuable_enrolment(provider=provider, curriculum=curriculum) for _ in range(THREADS)]
    assert not SerialCounter.objects.exists(), "the threads race to create the counter row too"

    results = _run_at_once(
        [lambda e=e: certificate_issue(actor=None, enrolment=e, awarded_on=AWARD) for e in enrolments]
    )

    assert all(created for _cert, created in results)
    prefix = curriculum.qualification.serial_prefix
    serials = sorted(Certificate.objects.values_list("serial_number", flat=True))
    assert serials == [f"{prefix}-2026-{n:06d}" for n in range(1, THREADS + 1)]
    assert SerialCounter.objects.get().last_value == THREADS


def test_concurrent_issuance_of_one_enrolment_gives_one_certificate(provider):
    enrolment = factories.issuable_enrolment(provider=provider)

    results = _run_at_once(
        [lambda: certificate_issue(actor=None, enrolment=enrolment, awarded_on=AWARD) for _ in range(THREADS)]
    )

    assert Certificate.objects.filter(enrolment=enrolment).count() == 1
    assert len({cert.pk for cert, _created in results}) == 1
    assert sorted(created for _cert, created in results) == [False] * (THREADS - 1) + [True]
    assert SerialCounter.objects.get().last_value == 1


def test_bulk_and_single_issuance_at_once_share_one_gap_free_sequence(provider):
    curriculum = factories.CurriculumFactory()
    cohort = factories.CohortFactory(provider=provider, curriculum=curriculum)
    in_cohort = [
        factories.issuable_enrolment(provider=provider, cohort=cohort, curriculum=curriculum) for _ in range(5)
    ]
    singles = [factories.issuable_enrolment(provider=provider, curriculum=curriculum) for _ in range(THREADS - 2)]

    jobs = [lambda: cohort_issue_certificates(actor=None, cohort=cohort, awarded_on=AWARD)] * 2
    jobs += [lambda e=e: certificate_issue(actor=None, enrolment=e, awarded_on=AWARD) for e in singles]
    _run_at_once(jobs)

    total = len(in_cohort) + len(singles)
    prefix = curriculum.qualification.serial_prefix
    serials = sorted(Certificate.objects.values_list("serial_number", flat=True))
    assert serials == [f"{prefix}-2026-{n:06d}" for n in range(1, total + 1)]
    assert Certificate.objects.filter(enrolment__cohort=cohort).count() == len(in_cohort)
