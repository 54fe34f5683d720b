"""Each certificate gets one random index, unique per list, at issuance; a new list opens before one is half full."""

import pytest
from django.db import transaction

from credentials.models import Certificate, StatusList, StatusListEntry
from credentials.services import certificate_issue, certificate_reissue, cohort_issue_certificates
from credentials.status_list import allocation
from credentials.status_list.entries import status_entries
from tests import factories
from tests.credentials.conftest import AWARD

pytestmark = pytest.mark.django_db


def test_issuing_allocates_an_index_in_the_same_transaction(certificate, settings):
    entry = StatusListEntry.objects.get(certificate=certificate)
    assert entry.status_list.number == 1 and entry.status_list.size == 131_072
    assert 0 <= entry.index < entry.status_list.size


def test_a_refused_issuance_allocates_nothing(provider):
    enrolment = factories.issuable_enrolment(provider=provider)
    enrolment.results.all().delete()  # no module passed: refused
    with pytest.raises(Exception):  # noqa: B017 - the refusal's own type is tested elsewhere
        certificate_issue(actor=None, enrolment=enrolment, awarded_on=AWARD)
    assert not StatusListEntry.objects.exists()


def test_status_entries_are_the_two_bitstring_status_list_entries(certificate, settings):
    entry = StatusListEntry.objects.get(certificate=certificate)
    url = f"{settings.PUBLIC_BASE_URL}/status/1"
    assert status_entries(certificate) == [
        {
            "id": f"{url}/revocation#{entry.index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(entry.index),
            "statusListCredential": f"{url}/revocation",
        },
        {
            "id": f"{url}/suspension#{entry.index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "suspension",
            "statusListIndex": str(entry.index),
            "statusListCredential": f"{url}/suspension",
        },
    ]


def test_indexes_are_unique_and_random_not_sequential(provider):
    cohort = factories.CohortFactory(provider=provider)
    for _ in range(40):
        factories.issuable_enrolment(provider=provider, cohort=cohort, curriculum=cohort.curriculum)
    result = cohort_issue_certificates(actor=None, cohort=cohort, awarded_on=AWARD)
    assert len(result.issued) == 40
    indexes = list(StatusListEntry.objects.order_by("certificate_id").values_list("index", flat=True))
    assert len(set(indexes)) == 40
    # In issuance order the indexes neither count up nor sit together: 40 draws from 131,072 bits (the chance
    # that random draws come out sorted is 1/40!, that they all fall in one window of 1,000 bits about 1e-65).
    assert indexes != sorted(indexes) and indexes != sorted(indexes, reverse=True)
    assert max(indexes) - min(indexes) > 1000


def test_a_colliding_draw_is_drawn_again(provider, monkeypatch):
    first = certificate_issue(actor=None, enrolment=factories.issuable_enrolment(provider=provider), awarded_on=AWARD)[
        0
    ]
    taken = first.status_entry.index
    draws = iter([taken, taken, (taken + 1) % 131_072])
    monkeypatch.setattr(allocation.secrets, "randbelow", lambda n: next(draws))
    second = certificate_issue(actor=None, enrolment=factories.issuable_enrolment(provider=provider), awarded_on=AWARD)[
        0
    ]
    assert StatusListEntry.objects.get(certificate=second).index == (taken + 1) % 131_072
    assert Certificate.objects.count() == 2


def test_the_database_refuses_a_second_certificate_at_the_same_index(certificate, issue):
    other = issue()
    entry = StatusListEntry.objects.get(certificate=certificate)
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 - IntegrityError from the unique constraint
        StatusListEntry.objects.filter(certificate=other).update(index=entry.index)


def test_a_new_list_opens_before_one_is_half_full(provider, settings):
    settings.STATUS_LIST_SIZE = 16  # 3/8 of 16: six certificates per list
    cohort = factories.CohortFactory(provider=provider)
    for _ in range(9):
        factories.issuable_enrolment(provider=provider, cohort=cohort, curriculum=cohort.curriculum)
    cohort_issue_certificates(actor=None, cohort=cohort, awarded_on=AWARD)  # a batch spans lists too
    for _ in range(4):  # and single issuances
        certificate_issue(actor=None, enrolment=factories.issuable_enrolment(provider=provider), awarded_on=AWARD)
    counts = {sl.number: sl.entries.count() for sl in StatusList.objects.all()}
    assert counts == {1: 6, 2: 6, 3: 1}
    for status_list in StatusList.objects.all():
        assert status_list.size == 16
        assert status_list.entries.count() < status_list.size / 2
        indexes = list(status_list.entries.values_list("index", flat=True))
        assert len(set(indexes)) == len(indexes)


def test_a_reissued_certificate_gets_its_own_index(certificate):
    new = certificate_reissue(actor=None, certificate=certificate, given_name="Ardita", family_name="Krasniqi-Berisha")
    old_entry, new_entry = (
        StatusListEntry.objects.get(certificate=certificate),
        StatusListEntry.objects.get(certificate=new),
    )
    assert (old_entry.status_list_id, old_entry.index) != (new_entry.status_list_id, new_entry.index)


def test_backfill_gives_every_certificate_without_an_index_one(provider):
    made = [factories.CertificateFactory(enrolment=factories.issuable_enrolment(provider=provider)) for _ in range(3)]
    assert not StatusListEntry.objects.exists()
    assert allocation.backfill_status_entries() == 3
    assert allocation.backfill_status_entries() == 0
    assert StatusListEntry.objects.filter(certificate__in=made).count() == 3


def test_status_entries_of_a_certificate_made_before_status_lists_allocates_its_index(provider):
    old = factories.CertificateFactory(enrolment=factories.issuable_enrolment(provider=provider))
    entries = status_entries(old)
    assert entries[0]["statusListIndex"] == str(StatusListEntry.objects.get(certificate=old).index)
    assert status_entries(old) == entries
