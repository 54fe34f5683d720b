import datetime

import pytest
from django.utils import timezone

from outcomes import demo
from outcomes.models import EmployerSurvey, TracerResponse
from tests import factories as f

from .conftest import make_cohort, make_graduate, municipality

pytestmark = pytest.mark.django_db


def test_without_certificates_the_seed_does_nothing(db):
    assert "no certificates" in demo.seed()
    assert TracerResponse.objects.count() == 0


def test_the_seed_adds_answers_and_ratings_once(provider):
    f.OrganisationFactory(municipality_org=True, slug="komuna-prishtine", municipality=municipality("prishtine"))
    cohort = make_cohort(provider=provider, municipality=municipality("prishtine"))
    today = timezone.localdate()
    for i in range(30):
        awarded = datetime.date(2024, 6, 1) + datetime.timedelta(days=10 * i)
        make_graduate(cohort, awarded_on=awarded, issued_on=awarded)
    recent = make_graduate(cohort, awarded_on=today - datetime.timedelta(days=30), issued_on=today)

    first = demo.seed()
    counts = (TracerResponse.objects.count(), EmployerSurvey.objects.count())
    second = demo.seed()

    assert counts[0] > 20
    assert counts[1] > 0
    assert (TracerResponse.objects.count(), EmployerSurvey.objects.count()) == counts
    assert first.startswith(f"{counts[0]} tracer responses")
    assert second.startswith("0 tracer responses, 0 employer surveys")
    assert not TracerResponse.objects.filter(responded_on__gt=today).exists()
    assert not TracerResponse.objects.filter(certificate=recent).exists()  # its 6 months are not over
    assert set(TracerResponse.objects.values_list("wave", flat=True)) == {6, 12}
