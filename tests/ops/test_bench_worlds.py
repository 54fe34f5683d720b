"""`make bench` writes its growth worlds in SQL (bench/growth.py), beside the models rather than through them: a
column added to a model without a database default breaks those INSERTs only when someone runs the benchmark.
This builds a small world the same way, so such a drift fails the suite instead (it did once: the learner's
`language`)."""

from __future__ import annotations

import pytest

from bench import growth

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]  # VACUUM needs autocommit


def test_the_growth_worlds_are_written_with_every_column_the_models_require():
    from credentials.models import Certificate, Enrolment, Learner, VerificationEvent
    from outcomes.models import EmployerSurvey, TracerResponse
    from registry.models import AuditEntry

    world = growth.World()
    added = growth.grow_graduates(world, 60)
    growth.grow_audit(120)

    assert added > 0
    assert Enrolment.objects.count() == 61  # the template's own enrolment beside the 60
    assert Learner.objects.filter(personal_number__startswith="9").count() == added
    assert Certificate.objects.count() > added // 2
    assert TracerResponse.objects.exists() and EmployerSurvey.objects.exists()
    assert AuditEntry.objects.count() >= 120 and VerificationEvent.objects.count() >= 120
    # The rows read back through the models, as the benchmark's requests read them.
    assert all(learner.language == "" for learner in Learner.objects.filter(personal_number__startswith="9"))
