"""No count of 1 to 4 people can be worked out from the public impact statistics.

The attacker (tests/outcomes/impact_attack.py) downloads every table the API publishes, every `by` and
every filter combination it accepts, and solves them together: a total minus the other groups of its
breakdown, the same cell reached through a filter and through a breakdown, year totals differenced across
providers, the parts of a row against its whole. Every published figure must also stay within the
documented distance of the truth.
"""

import datetime
import random

import pytest
from django.core.cache import cache

from credentials.choices import EnrolmentStatus
from outcomes.choices import EmploymentStatus as ES
from tests import factories as f

from .conftest import EmployerSurveyFactory, TracerResponseFactory, make_cohort, make_enrolment, municipality
from .impact_attack import Attack, collect, microdata

URL = "/api/v1/stats/impact"

# Fresh ids in every run: the rounding is keyed by the counted records' ids, so with the fixed keys below
# every run publishes the same figures and the outcome does not depend on which tests ran before.
pytestmark = pytest.mark.django_db(transaction=True, reset_sequences=True)

STATUSES = [
    (ES.EMPLOYED_PUBLIC_SCHOOL, 20),
    (ES.EMPLOYED_MUNICIPALITY, 14),
    (ES.EMPLOYED_PRIVATE_FAMILY, 12),
    (ES.SELF_EMPLOYED, 3),
    (ES.EMPLOYED_OTHER, 5),
    (ES.FURTHER_STUDY, 6),
    (ES.UNEMPLOYED, 32),
    (ES.INACTIVE, 8),
]


def demo_like_registry():
    """Two providers and two qualifications as in the demo, cohorts of 14, 12, 9, 6 and (the small
    groups) 4 and 3, graduates spread thinly over municipalities, a few men, tracer answers and employer
    ratings in the demo's proportions. Returns (providers, qualifications)."""
    rng = random.Random(2026)
    ocn, nqa = (
        f.CurriculumFactory(qualification__code="OCN-L5-SEN"),
        f.CurriculumFactory(qualification__code="NQA-L5-SEN"),
    )
    qpgj = f.OrganisationFactory(slug="qpgj", short_name="QPGJ")
    qk_prizren = f.OrganisationFactory(slug="qk-prizren", short_name="QK Prizren")
    homes = [municipality(slug) for slug in ("prishtine", "prizren", "ferizaj", "gjilan")] + [None]
    employer = f.OrganisationFactory(municipality_org=True, slug="komuna-prizren")
    cohorts = [
        # provider, curriculum, code, ended, size, finished
        (qpgj, ocn, "OCN-SEN-2024-A", datetime.date(2025, 6, 30), 14, True),
        (qpgj, ocn, "OCN-SEN-2025-B", datetime.date(2026, 6, 30), 12, True),
        (qpgj, nqa, "QPGJ-NQA-2026", datetime.date(2026, 3, 31), 4, True),
        (qk_prizren, nqa, "QKP-SEN-2025", datetime.date(2025, 12, 20), 9, True),
        (qk_prizren, nqa, "QKP-SEN-2026", datetime.date(2026, 6, 30), 3, True),
        (qk_prizren, nqa, "QKP-SEN-2027", datetime.date(2027, 6, 30), 6, False),
    ]
    for provider, curriculum, code, ended, size, finished in cohorts:
        cohort = make_cohort(
            provider=provider, curriculum=curriculum, code=code, end_date=ended, municipality=homes[rng.randrange(3)]
        )
        for _ in range(size):
            gender = rng.choices(["female", "male", "other"], weights=[80, 18, 2])[0]
            home = rng.choices(homes, weights=[30, 30, 15, 10, 15])[0]
            if not finished:
                make_enrolment(cohort, gender=gender, home=home, status=EnrolmentStatus.ACTIVE)
                continue
            if rng.random() < 0.05:
                make_enrolment(cohort, gender=gender, home=home, status=EnrolmentStatus.WITHDRAWN)
                continue
            certificate = f.CertificateFactory(enrolment=make_enrolment(cohort, gender=gender, home=home))
            if rng.random() > 0.85:
                continue
            status = rng.choices(*zip(*STATUSES, strict=True))[0]
            TracerResponseFactory(
                certificate=certificate,
                employment_status=status,
                months_to_first_job=rng.randint(0, 6),
                skills_satisfaction={"communication": rng.randint(2, 5)},
            )
            if status in (ES.UNEMPLOYED, ES.INACTIVE) and rng.random() < 0.3:
                status = rng.choices(*zip(*STATUSES[:5], strict=True))[0]
                TracerResponseFactory(certificate=certificate, wave=12, employment_status=status)
            if status in (ES.EMPLOYED_PUBLIC_SCHOOL, ES.EMPLOYED_MUNICIPALITY):
                score = rng.randint(2, 5)
                EmployerSurveyFactory(employer=employer, certificate=certificate, graduate_satisfaction=score)
    return ["qpgj", "qk-prizren"], ["OCN-L5-SEN", "NQA-L5-SEN"]


def demo_registry():
    """The demo itself (manage.py seed_demo's three parts)."""
    from credentials import demo as credentials_demo
    from outcomes import demo as outcomes_demo
    from registry import demo as registry_demo
    from registry.models import Organisation, Qualification

    registry_demo.seed()
    credentials_demo.seed()
    outcomes_demo.seed()
    providers = list(Organisation.objects.filter(cohorts__isnull=False).distinct().values_list("slug", flat=True))
    return providers, list(Qualification.objects.values_list("code", flat=True))


def attack(anon_client, providers, qualifications) -> Attack:
    cache.clear()  # the public throttle counts requests in the cache
    tables = collect(anon_client, URL, providers, qualifications)
    result = Attack(tables, microdata())
    result.solve()
    return result


def describe(found) -> str:
    """How many cells were given away, the published ones first, with their true values."""
    cells = sorted(found, key=lambda item: item[0].startswith("a difference"))
    inside = sum(1 for name, _, _ in found if name.startswith("a difference"))
    lines = [f"{len(found) - inside} published cells and {inside} differences inside a row can be worked out:"]
    return "\n".join(lines + [f"  {name}: {truth}" for name, truth, _ in cells[:40]])


def test_no_small_count_is_determined_by_the_published_tables(anon_client, settings):
    providers, qualifications = demo_like_registry()

    for key in ("first secret", "second secret", "third secret"):
        settings.IMPACT_STATS_KEY = key
        result = attack(anon_client, providers, qualifications)

        found = result.determined()
        assert len(result.protected()) > 50  # the registry has plenty of small groups to protect
        assert found == [], describe(found)


def test_no_small_count_is_determined_in_the_demo(anon_client, settings):
    settings.IMPACT_STATS_KEY = "demo secret"
    providers, qualifications = demo_registry()

    result = attack(anon_client, providers, qualifications)

    found = result.determined()
    assert len(result.protected()) > 50
    assert found == [], describe(found)
