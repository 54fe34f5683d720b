"""`make run` prints what `seed_demo` did in one clear line: loaded now, or already there and kept (a second run),
or completed; never "0 new users ... 0 tracer responses", which read as if the demo had lost its data."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from outcomes.models import EmployerSurvey, TracerResponse

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue().strip()


def test_first_second_and_completing_runs_each_say_what_happened():
    first = _seed()
    assert first.startswith("Demo data loaded: 10 organisations, ")
    assert f"{TracerResponse.objects.count()} tracer responses" in first
    assert "\n" not in first

    second = _seed()
    assert second.startswith("Demo data already loaded; kept as it was, nothing added (")
    assert f"{TracerResponse.objects.count()} tracer responses" in second and " 0 " not in second

    surveys = EmployerSurvey.objects.count()
    EmployerSurvey.objects.all().delete()
    third = _seed()
    assert third.startswith(f"Demo data already loaded; completed (added {surveys} employer surveys). Now: ")
