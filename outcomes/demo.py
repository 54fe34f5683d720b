"""Demo tracer study: answers and employer ratings for the demo certificates, so /impact/ shows
real-looking numbers. The proportions follow the seed documents: in 2020, 70 of 129 graduates (54%) were
employed; employer satisfaction is to rise from 60% to 75%.

Idempotent and deterministic: each certificate's answers come from a random generator seeded by its serial
number, and graduates/waves already answered are skipped. Called by `seed_demo` after registry.demo and
credentials.demo; without certificates it does nothing.

An employer rates only a graduate it is linked to (outcomes.services.employer_knows_graduate): a
municipality that employs the graduate is named in the graduate's tracer answer; one whose public school
employs the graduate verified the certificate when the school hired them, and the demo records that
verification through the verification service, as the municipality's own check.
"""

from __future__ import annotations

import calendar
import datetime
import random

from django.db.models import Q
from django.utils import timezone

from credentials.choices import LIVE_CERTIFICATE_STATUSES, VerificationChannel
from credentials.models import Certificate
from credentials.verification.events import Caller
from credentials.verification.services import verify_by_id
from outcomes.choices import EMPLOYED_STATUSES, CompetenceArea, EmploymentStatus, ResponseSource
from outcomes.models import EmployerSurvey, TracerResponse
from outcomes.services import (
    TracerAnswers,
    employer_knows_graduate,
    employer_survey_record,
    tracer_responses_record_many,
)
from registry.models import Organisation

RESPONSE_RATE = 0.85
# Status at 6 months, of respondents: 54% employed (public school, municipality, family, self, other).
WAVE_6 = [
    (EmploymentStatus.EMPLOYED_PUBLIC_SCHOOL, 20),
    (EmploymentStatus.EMPLOYED_MUNICIPALITY, 14),
    (EmploymentStatus.EMPLOYED_PRIVATE_FAMILY, 12),
    (EmploymentStatus.SELF_EMPLOYED, 3),
    (EmploymentStatus.EMPLOYED_OTHER, 5),
    (EmploymentStatus.FURTHER_STUDY, 6),
    (EmploymentStatus.UNEMPLOYED, 32),
    (EmploymentStatus.INACTIVE, 8),
]
FOUND_WORK_BY_12 = 0.3  # of those not employed at 6 months
SATISFIED_FIRST_YEAR, SATISFIED_LAST_YEAR = 0.60, 0.75
SCHOOLS = ["SHFMU \u201cNaim Frashëri\u201d", "SHFMU \u201cAsdreni\u201d", "SHFMU \u201cMustafa Bakija\u201d"]


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def _answers(rng, status, *, months, municipality, responded_on, employers) -> TracerAnswers:
    employed = status in EMPLOYED_STATUSES
    employer, employer_name = None, ""
    if status == EmploymentStatus.EMPLOYED_MUNICIPALITY and municipality is not None:
        employer = employers.get(f"komuna-{municipality.slug}")
        employer_name = "" if employer else f"Komuna e {municipality.name_sq}"
    elif status == EmploymentStatus.EMPLOYED_PUBLIC_SCHOOL:
        employer_name = rng.choice(SCHOOLS)
    elif status == EmploymentStatus.EMPLOYED_OTHER:
        employer = employers.get("ojq-hapa") if rng.random() < 0.4 else None
        employer_name = "" if employer else "Qendër ditore private"
    skills = {area: _pick(rng, [(2, 5), (3, 20), (4, 45), (5, 30)]) for area in CompetenceArea.values}
    return TracerAnswers(
        employment_status=status,
        employer=employer,
        employer_name=employer_name,
        work_municipality=municipality if employed else None,
        months_to_first_job=months if employed else None,
        job_uses_qualification=(status in EMPLOYED_STATUSES[:3]) or (employed and rng.random() < 0.4) or None,
        skills_satisfaction=skills,
        would_choose_again=rng.random() < 0.85,
        responded_on=responded_on,
    )


def seed() -> str:
    certificates = list(
        Certificate.objects.filter(status__in=LIVE_CERTIFICATE_STATUSES)
        .select_related("enrolment__learner__municipality", "enrolment__cohort__municipality")
        .order_by("awarded_on", "serial_number")
    )
    if not certificates:
        return "no certificates yet: no tracer data"
    today = timezone.localdate()
    answered = set(TracerResponse.objects.values_list("enrolment_id", "wave"))
    surveyed = set(EmployerSurvey.objects.values_list("enrolment_id", flat=True))
    employers = {
        o.slug: o
        for o in Organisation.objects.filter(Q(slug__startswith="komuna-") | Q(slug="ojq-hapa"))
        .exclude(municipality=None, slug__startswith="komuna-")
        .select_related("municipality")
    }
    years = sorted({c.awarded_on.year for c in certificates})
    items, ratings = [], []
    for certificate in certificates:
        rng = random.Random(certificate.serial_number)
        if rng.random() > RESPONSE_RATE:
            continue
        enrolment = certificate.enrolment
        municipality = enrolment.learner.municipality or enrolment.cohort.municipality
        if municipality is not None and f"komuna-{municipality.slug}" not in employers and rng.random() < 0.6:
            # Many assistants commute to a larger municipality's schools (the demo's verifier municipalities).
            nearby = sorted(k for k in employers if k.startswith("komuna-"))
            municipality = employers[rng.choice(nearby)].municipality if nearby else municipality
        status6 = _pick(rng, WAVE_6)
        months = rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5, 6])
        status12 = status6
        if status6 not in EMPLOYED_STATUSES and rng.random() < FOUND_WORK_BY_12:
            status12 = _pick(rng, WAVE_6[:5])
            months = rng.randint(7, 12)
        latest = None
        for wave, status in ((6, status6), (12, status12)):
            responded_on = _add_months(certificate.awarded_on, wave)
            if responded_on > today:
                break
            answers = _answers(
                rng,
                status,
                months=months,
                municipality=municipality,
                responded_on=responded_on,
                employers=employers,
            )
            latest = (status, responded_on)
            if (enrolment.pk, wave) not in answered:
                items.append((certificate, wave, answers))
        if latest is None or municipality is None:
            continue
        if latest[0] in EMPLOYED_STATUSES[:2]:  # public school or municipality: the municipality rates
            rater = employers.get(f"komuna-{municipality.slug}")
        elif latest[0] == EmploymentStatus.EMPLOYED_OTHER and answers.employer is not None:
            rater = answers.employer  # e.g. the NGO
        else:
            continue
        surveyed_on = min(latest[1] + datetime.timedelta(days=14), today)
        if rater is None or enrolment.pk in surveyed:
            continue
        step = (certificate.awarded_on.year - years[0]) / max(len(years) - 1, 1)
        satisfied = rng.random() < SATISFIED_FIRST_YEAR + (SATISFIED_LAST_YEAR - SATISFIED_FIRST_YEAR) * step
        score = rng.choice([4, 5]) if satisfied else rng.choice([2, 3, 3])
        ratings.append((rater, certificate, score, rng.choice([3, 4, 4, 5]), surveyed_on))
    created = tracer_responses_record_many(actor=None, items=items, source=ResponseSource.PROVIDER) if items else []
    for rater, certificate, score, programme, surveyed_on in ratings:
        if not employer_knows_graduate(employer=rater, certificate=certificate):
            # The municipality checked the certificate when its school hired the graduate.
            caller = Caller(organisation_id=rater.pk, user_agent_family="seed_demo")
            verify_by_id(verification_id=certificate.verification_id, caller=caller, channel=VerificationChannel.API)
        employer_survey_record(
            actor=None,
            employer=rater,
            certificate=certificate,
            graduate_satisfaction=score,
            programme_satisfaction=programme,
            surveyed_on=surveyed_on,
        )
    return f"{len(created)} tracer responses, {len(ratings)} employer surveys"
