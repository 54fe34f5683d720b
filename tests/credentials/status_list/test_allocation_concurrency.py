"""Status-list indexes under real concurrency, on PostgreSQL: issuers of different qualifications (who do not
queue on one serial counter) draw at once, all the same index first; one keeps it, the others draw again inside
their savepoint, and every issuance succeeds."""

import itertools
import threading

import pytest

from credentials.models import Certificate, StatusList, StatusListEntry
from credentials.services import certificate_issue
from credentials.status_list import allocation
from tests import factories
from tests.credentials.conftest import AWARD
from tests.credentials.test_certificate_concurrency import THREADS, _run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_issuers_drawing_the_same_index_each_end_with_their_own(monkeypatch):
    provider = factories.OrganisationFactory()
    enrolments = [
        factories.issuable_enrolment(provider=provider, curriculum=factories.CurriculumFactory())
        for _ in range(THREADS)
    ]
    assert not StatusList.objects.exists(), "the threads race to open list 1 too"
    lock = threading.Lock()
    draws = itertools.chain([777] * THREADS, itertools.count(1000))

    def colliding(n):
        with lock:
            return next(draws)

    monkeypatch.setattr(allocation.secrets, "randbelow", colliding)

    _run_at_once([lambda e=e: certificate_issue(actor=None, enrolment=e, awarded_on=AWARD) for e in enrolments])

    assert Certificate.objects.count() == THREADS
    indexes = list(StatusListEntry.objects.values_list("index", flat=True))
    assert len(indexes) == THREADS and len(set(indexes)) == THREADS
    assert indexes.count(777) == 1
    assert StatusList.objects.count() == 1
