"""The public impact figures come from the shared cache (outcomes/published.py), and a write to what they count
shows in the very next answer: an issuance, a status change, a tracer answer, an employer rating. The page is
throttled per address with the API, and its charts stay the same size however many groups there are."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from credentials.services import certificate_issue, certificate_revoke
from outcomes import charts, stats
from outcomes.choices import EmploymentStatus as ES
from outcomes.services import TracerAnswers, employer_survey_record, tracer_invitation_answer, tracer_invitation_create
from tests import factories as f

from .conftest import TracerResponseFactory, make_cohort, make_enrolment, make_graduate

pytestmark = pytest.mark.django_db

URL = "/api/v1/stats/impact"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()  # throttle counts and cached figures of other tests
    yield
    cache.clear()


@pytest.fixture
def graduates(provider):
    """Ten graduates of one cohort (exact counts: multiples of five are published as they are)."""
    cohort = make_cohort(provider=provider, code="QPGJ-2025-A")
    return cohort, [make_graduate(cohort) for _ in range(10)]


def overall(client) -> dict:
    return client.get(URL).json()["overall"]


def test_an_issuance_shows_in_the_next_answer(anon_client, provider_user, graduates):
    cohort, _ = graduates
    waiting = [make_enrolment(cohort) for _ in range(5)]
    assert overall(anon_client)["certified"] == 10
    assert overall(anon_client)["certified"] == 10  # from the cache

    for enrolment in waiting:
        certificate_issue(actor=provider_user, enrolment=enrolment)

    assert overall(anon_client)["certified"] == 15
    assert anon_client.get(URL).json() == stats.impact()  # what the data says now


def test_a_status_change_shows_in_the_next_answer(anon_client, provider_user, graduates):
    _, certificates = graduates
    assert overall(anon_client)["certified"] == 10

    for certificate in certificates[:5]:
        certificate_revoke(actor=provider_user, certificate=certificate, reason_code="issued_in_error", reference="x")

    assert overall(anon_client)["certified"] == 5


def test_a_tracer_answer_shows_in_the_next_answer(anon_client, provider_user, graduates):
    _, certificates = graduates
    for certificate in certificates[:5]:
        TracerResponseFactory(certificate=certificate, employment_status=ES.UNEMPLOYED)
    before = overall(anon_client)
    assert (before["respondents"], before["employed"]) == (5, 0)

    for certificate in certificates[5:]:
        _, token = tracer_invitation_create(actor=provider_user, certificate=certificate, wave=6)
        tracer_invitation_answer(token=token, answers=TracerAnswers(employment_status=ES.EMPLOYED_MUNICIPALITY))

    after = overall(anon_client)
    assert (after["respondents"], after["employed"], after["employment_rate"]) == (10, 5, 0.5)


def test_an_employer_rating_shows_in_the_next_answer(anon_client, graduates):
    _, certificates = graduates
    employer = f.OrganisationFactory(municipality_org=True)
    ministry = f.UserFactory(ministry=True)
    for certificate in certificates:
        TracerResponseFactory(certificate=certificate, employer=employer, employer_name="Komuna")
    assert overall(anon_client)["employer_surveys"] == 0

    for certificate in certificates[:5]:
        employer_survey_record(actor=ministry, employer=employer, certificate=certificate, graduate_satisfaction=5)

    assert overall(anon_client)["employer_surveys"] == 5


def test_the_page_shows_a_change_at_once(client, provider_user, graduates):
    cohort, _ = graduates
    waiting = [make_enrolment(cohort) for _ in range(5)]
    page = client.get("/impact/?lang=en").content.decode()
    assert '<div class="value">10</div><div class="label">Certified</div>' in page

    for enrolment in waiting:
        certificate_issue(actor=provider_user, enrolment=enrolment)

    page = client.get("/impact/?lang=en").content.decode()
    assert '<div class="value">15</div><div class="label">Certified</div>' in page


def test_the_page_and_the_api_share_one_quota_per_address(client, anon_client, graduates, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "impact_anon": "3/min"},
    }
    assert [client.get("/impact/").status_code for _ in range(2)] == [200, 200]
    assert anon_client.get(URL).status_code == 200

    page = client.get("/impact/?lang=en")
    assert page.status_code == 429
    assert int(page["Retry-After"]) >= 1
    assert "Too many requests from this address" in page.content.decode()
    refused = anon_client.get(URL)
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "throttled"
    # Another address has its own quota.
    assert client.get("/impact/", REMOTE_ADDR="198.51.100.7").status_code == 200


def test_a_signed_in_caller_of_the_api_is_not_counted(client_for, ministry_user, graduates, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "impact_anon": "1/min"},
    }
    signed_in = client_for(ministry_user)
    assert [signed_in.get(URL).status_code for _ in range(3)] == [200, 200, 200]


def _group(n: int, respondents: int, employed: int) -> dict:
    return {
        "key": f"c{n}",
        "label_sq": f"C{n:04d}",
        "label_en": f"C{n:04d}",
        "respondents": respondents,
        "employed": employed,
        "employed_sen": employed // 2,
        "employment_rate": employed / respondents if respondents >= 10 else None,
        "sen_employment_rate": (employed // 2) / respondents if respondents >= 10 else None,
    }


def test_the_cohort_chart_draws_a_bounded_number_of_bars_whatever_the_number_of_cohorts():
    rows = [_group(n, 10 + 5 * (n % 7), 5) for n in range(4000)] + [_group(9000 + n, 5, 0) for n in range(30)]
    text = {"hidden_groups": "Hidden: {n}"}

    chart = charts.employment_chart(rows, title="t", description="d", lang="en", text=text, others_label="{n} others")

    drawn = [bar for bar in chart.bars if not bar.suppressed]
    assert len(drawn) == charts.MAX_BARS
    assert chart.height < 24 + (charts.MAX_BARS + 1) * (charts.BAR_HEIGHT + charts.ROW_GAP) + 7
    # The largest cohorts by respondents, then one bar for the 3,989 others: their published counts added up.
    assert {bar.label for bar in drawn[:-1]} <= {r["label_en"] for r in rows if r["respondents"] == 40}
    others = [r for r in rows[:4000] if r["label_en"] not in {bar.label for bar in drawn[:-1]}]
    employed, respondents = sum(r["employed"] for r in others), sum(r["respondents"] for r in others)
    assert drawn[-1].label == "3989 others"
    assert drawn[-1].value_text == f"{charts.percent(employed / respondents)} ({employed}/{respondents})"
    assert chart.bars[-1].suppressed and chart.bars[-1].value_text == "Hidden: 30"


def test_a_chart_of_few_groups_draws_each_of_them():
    rows = [_group(n, 10, 5) for n in range(charts.MAX_BARS)]

    chart = charts.employment_chart(rows, title="t", description="d", lang="en", text={}, others_label="{n} others")

    assert [bar.label for bar in chart.bars] == [r["label_en"] for r in rows]


DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)  # the worker reads the queue through its own transactions
def test_on_a_shared_cache_a_task_recomputes_the_figures_and_readers_never_wait(
    settings, redis_cache, anon_client, provider_user, graduates, task_worker_logging
):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_QUEUE  # queued, not run: as production, until a worker runs it
    cohort, _ = graduates
    assert overall(anon_client)["certified"] == 10  # nothing cached yet: the first reader computes

    for enrolment in [make_enrolment(cohort) for _ in range(5)]:
        certificate_issue(actor=provider_user, enrolment=enrolment)

    # The data changed: readers keep the previous figures while one refresh waits in the queue.
    assert overall(anon_client)["certified"] == 10
    assert overall(anon_client)["certified"] == 10
    refreshes = DBTaskResult.objects.filter(task_path="outcomes.tasks.refresh_impact")
    (queued,) = refreshes
    assert queued.status == "READY"

    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)

    assert overall(anon_client)["certified"] == 15
    assert anon_client.get(URL).json() == stats.impact()  # what the data says now
    assert refreshes.count() == 1  # answered from the refreshed figures: nothing queued again
