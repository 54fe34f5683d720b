"""The seed documents' impact indicators, computed from the registry's data with aggregate queries.

Every indicator hangs off an enrolment (a learner in a cohort), so one set of group keys serves them all:

    provider       the cohort's provider
    cohort         the cohort
    qualification  the qualification of the cohort's curriculum
    municipality   the learner's municipality of residence, or the cohort's when unknown
    gender         the learner's gender
    year           the year the cohort ended (the graduation year)

Indicators per group (see docs/tracer-study.md):
    learners_trained            enrolments not withdrawn
    certified                   live (valid or suspended) certificates
    respondents                 graduates with a tracer response (their latest wave counts)
    employed, employment_rate   employed at the latest wave, of respondents
    employed_sen, ...           employed in a SEN role: public school, municipality, private family
    median_months_to_first_job  median over respondents who gave it
    municipalities_reached      distinct municipalities (learner's, else cohort's)
    employer_satisfaction_rate  share of employer surveys with a score >= 4
    graduate_satisfaction_mean  mean of the graduates' mean skill scores (1-5)

Disclosure control: a group of fewer than MIN_GROUP_SIZE learners is suppressed (all values null,
`suppressed: true`); an indicator whose own base (respondents, surveyed graduates) is smaller is null and
named in `suppressed_indicators`. When exactly one group of a breakdown is suppressed, the next smallest is
suppressed too, so the overall row minus the others cannot reveal it.

Cost: four aggregate queries for the overall row, four per breakdown, one for the breakdown's labels;
the same whatever the number of graduates.
"""

from __future__ import annotations

import statistics
from typing import Any

from django.db.models import Aggregate, Avg, Count, Exists, F, FloatField, OuterRef, Q
from django.db.models.functions import Coalesce, ExtractYear

from credentials.choices import LIVE_CERTIFICATE_STATUSES, EnrolmentStatus, Gender
from credentials.models import Certificate, Cohort, Enrolment
from outcomes.choices import EMPLOYED_STATUSES, SEN_ROLE_STATUSES, EmploymentStatus
from outcomes.models import EmployerSurvey, TracerResponse
from registry.models import Municipality, Organisation, Qualification

MIN_GROUP_SIZE = 5
DIMENSIONS = ("provider", "cohort", "qualification", "municipality", "gender", "year")
SATISFIED_FROM = 4  # an employer survey scoring 4 or 5 counts as satisfied

INDICATORS = (
    "learners_trained",
    "certified",
    "respondents",
    "employed",
    "employment_rate",
    "employed_sen",
    "sen_employment_rate",
    "employed_public_school",
    "employed_municipality",
    "employed_private_family",
    "median_months_to_first_job",
    "municipalities_reached",
    "employer_surveys",
    "employer_satisfaction_rate",
    "graduate_satisfaction_mean",
)
RESPONDENT_INDICATORS = (
    "employed",
    "employment_rate",
    "employed_sen",
    "sen_employment_rate",
    "employed_public_school",
    "employed_municipality",
    "employed_private_family",
    "median_months_to_first_job",
    "graduate_satisfaction_mean",
)
SURVEY_INDICATORS = ("employer_surveys", "employer_satisfaction_rate")

GENDER_LABELS_SQ = {"female": "Femra", "male": "Meshkuj", "other": "Tjetër", "undisclosed": "Pa deklaruar"}


class Median(Aggregate):
    """The median (PostgreSQL's percentile_cont; on SQLite a MEDIAN aggregate registered in apps.py)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    output_field = FloatField()
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="MEDIAN", template="%(function)s(%(expressions)s)")


class SqliteMedian:
    """SQLite aggregate behind Median on the embedded development database."""

    def __init__(self):
        self.values: list[float] = []

    def step(self, value):
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return statistics.median(self.values) if self.values else None


def _municipality(prefix: str):
    return Coalesce(F(f"{prefix}learner__municipality_id"), F(f"{prefix}cohort__municipality_id"))


def _key(dimension: str, prefix: str):
    return {
        "provider": lambda: F(f"{prefix}cohort__provider_id"),
        "cohort": lambda: F(f"{prefix}cohort_id"),
        "qualification": lambda: F(f"{prefix}cohort__curriculum__qualification_id"),
        "municipality": lambda: _municipality(prefix),
        "gender": lambda: F(f"{prefix}learner__gender"),
        "year": lambda: ExtractYear(f"{prefix}cohort__end_date"),
    }[dimension]()


def _scope(prefix: str, *, provider: str | None, qualification: str | None) -> Q:
    q = Q()
    if provider:
        q &= Q(**{f"{prefix}cohort__provider__slug": provider})
    if qualification:
        q &= Q(**{f"{prefix}cohort__curriculum__qualification__code": qualification})
    return q


def _sources(*, provider: str | None, qualification: str | None) -> list[tuple[Any, str, dict]]:
    """(queryset, prefix to the enrolment, aggregates) for each family of indicators."""
    latest_wave = ~Exists(
        TracerResponse.objects.filter(enrolment_id=OuterRef("enrolment_id"), wave__gt=OuterRef("wave"))
    )
    live = {"enrolment__certificates__status__in": LIVE_CERTIFICATE_STATUSES}
    employed = Q(employment_status__in=EMPLOYED_STATUSES)
    return [
        (
            Enrolment.objects.exclude(status=EnrolmentStatus.WITHDRAWN).filter(
                _scope("", provider=provider, qualification=qualification)
            ),
            "",
            {
                "learners_trained": Count("id"),
                "municipalities_reached": Count(_municipality(""), distinct=True),
            },
        ),
        (
            Certificate.objects.filter(status__in=LIVE_CERTIFICATE_STATUSES).filter(
                _scope("enrolment__", provider=provider, qualification=qualification)
            ),
            "enrolment__",
            {"certified": Count("id")},
        ),
        (
            TracerResponse.objects.filter(latest_wave, **live).filter(
                _scope("enrolment__", provider=provider, qualification=qualification)
            ),
            "enrolment__",
            {
                "respondents": Count("id"),
                "employed": Count("id", filter=employed),
                "employed_sen": Count("id", filter=Q(employment_status__in=SEN_ROLE_STATUSES)),
                "employed_public_school": Count(
                    "id", filter=Q(employment_status=EmploymentStatus.EMPLOYED_PUBLIC_SCHOOL)
                ),
                "employed_municipality": Count(
                    "id", filter=Q(employment_status=EmploymentStatus.EMPLOYED_MUNICIPALITY)
                ),
                "employed_private_family": Count(
                    "id", filter=Q(employment_status=EmploymentStatus.EMPLOYED_PRIVATE_FAMILY)
                ),
                "months_known": Count("months_to_first_job"),
                "median_months_to_first_job": Median("months_to_first_job"),
                "satisfaction_known": Count("skills_mean"),
                "graduate_satisfaction_mean": Avg("skills_mean", output_field=FloatField()),
            },
        ),
        (
            EmployerSurvey.objects.filter(**live).filter(
                _scope("enrolment__", provider=provider, qualification=qualification)
            ),
            "enrolment__",
            {
                "employer_surveys": Count("id"),
                "surveyed_graduates": Count("enrolment_id", distinct=True),
                "employer_satisfied": Count("id", filter=Q(graduate_satisfaction__gte=SATISFIED_FROM)),
            },
        ),
    ]


def _finish(raw: dict) -> dict:
    """Counts to indicators, with disclosure control inside the row."""

    def share(part, whole):
        return round(part / whole, 3) if whole else None

    respondents = raw.get("respondents") or 0
    row = {
        "learners_trained": raw.get("learners_trained") or 0,
        "certified": raw.get("certified") or 0,
        "respondents": respondents,
        "employed": raw.get("employed") or 0,
        "employment_rate": share(raw.get("employed") or 0, respondents),
        "employed_sen": raw.get("employed_sen") or 0,
        "sen_employment_rate": share(raw.get("employed_sen") or 0, respondents),
        "employed_public_school": raw.get("employed_public_school") or 0,
        "employed_municipality": raw.get("employed_municipality") or 0,
        "employed_private_family": raw.get("employed_private_family") or 0,
        "median_months_to_first_job": _round(raw.get("median_months_to_first_job"), 1),
        "municipalities_reached": raw.get("municipalities_reached") or 0,
        "employer_surveys": raw.get("employer_surveys") or 0,
        "employer_satisfaction_rate": share(raw.get("employer_satisfied") or 0, raw.get("employer_surveys") or 0),
        "graduate_satisfaction_mean": _round(raw.get("graduate_satisfaction_mean"), 2),
        "suppressed": False,
        "suppressed_indicators": [],
    }
    hidden = []
    if respondents < MIN_GROUP_SIZE:
        hidden += RESPONDENT_INDICATORS
    if (raw.get("months_known") or 0) < MIN_GROUP_SIZE:
        hidden.append("median_months_to_first_job")
    if (raw.get("satisfaction_known") or 0) < MIN_GROUP_SIZE:
        hidden.append("graduate_satisfaction_mean")
    if (raw.get("surveyed_graduates") or 0) < MIN_GROUP_SIZE:
        hidden += SURVEY_INDICATORS
    _hide(row, hidden)
    if row["learners_trained"] < MIN_GROUP_SIZE:
        _suppress(row)
    return row


def _round(value, digits):
    return None if value is None else round(float(value), digits)


def _hide(row: dict, indicators) -> None:
    for name in indicators:
        row[name] = None
        if name not in row["suppressed_indicators"]:
            row["suppressed_indicators"].append(name)


def _suppress(row: dict) -> None:
    _hide(row, [i for i in INDICATORS])
    row["suppressed"] = True
    row["suppressed_indicators"] = []


def _complementary(rows: list[dict], raws: dict, base: str, indicators, is_hidden) -> None:
    """If exactly one group hides `indicators`, hide them in the next smallest group by `base` too, so
    the overall figure minus the published groups cannot give the hidden one away."""
    # A hidden group with a base of zero discloses no one, so it needs no complement.
    hidden = [r for r in rows if is_hidden(r) and (raws[r["_key"]].get(base) or 0) > 0]
    if len(hidden) != 1:
        return
    shown = [r for r in rows if not is_hidden(r) and not r["suppressed"]]
    if not shown:
        return
    smallest = min(shown, key=lambda r: (raws[r["_key"]].get(base) or 0, str(r["_key"])))
    if indicators is None:
        _suppress(smallest)
    else:
        _hide(smallest, indicators)


def overall(*, provider: str | None = None, qualification: str | None = None) -> dict:
    raw: dict = {}
    for queryset, _prefix, aggregates in _sources(provider=provider, qualification=qualification):
        raw.update(queryset.order_by().aggregate(**aggregates))
    return _finish(raw)


def breakdown(dimension: str, *, provider: str | None = None, qualification: str | None = None) -> list[dict]:
    """One row per group of `dimension`, labelled, ordered, suppressed."""
    raws: dict[Any, dict] = {}
    for queryset, prefix, aggregates in _sources(provider=provider, qualification=qualification):
        grouped = queryset.order_by().annotate(_group=_key(dimension, prefix)).values("_group").annotate(**aggregates)
        for values in grouped:
            raws.setdefault(values.pop("_group"), {}).update(values)
    rows = []
    for key, raw in raws.items():
        row = _finish(raw)
        row["_key"] = key
        rows.append(row)
    _complementary(rows, raws, "learners_trained", None, lambda r: r["suppressed"])
    _complementary(
        rows, raws, "respondents", RESPONDENT_INDICATORS, lambda r: "employment_rate" in r["suppressed_indicators"]
    )
    _complementary(
        rows,
        raws,
        "surveyed_graduates",
        SURVEY_INDICATORS,
        lambda r: "employer_satisfaction_rate" in r["suppressed_indicators"],
    )
    labels = _labels(dimension, [r["_key"] for r in rows])
    for row in rows:
        key = row.pop("_key")
        row.update(labels.get(key) or {"key": "unknown", "label_sq": "E panjohur", "label_en": "Unknown"})
        row["_sort"] = key if dimension == "year" and key is not None else row["label_en"]
    rows.sort(key=lambda r: (r["key"] == "unknown", r["_sort"]))
    for row in rows:
        del row["_sort"]
    return [{"key": r.pop("key"), "label_sq": r.pop("label_sq"), "label_en": r.pop("label_en"), **r} for r in rows]


def _labels(dimension: str, keys: list) -> dict[Any, dict]:
    """Public names for the group keys (one query at most); never database ids."""
    ids = [k for k in keys if k is not None]
    if dimension == "provider":
        return {
            o.pk: {"key": o.slug, "label_sq": o.short_name or o.name, "label_en": o.short_name or o.name}
            for o in Organisation.objects.filter(pk__in=ids).only("slug", "name", "short_name")
        }
    if dimension == "cohort":
        return {
            c.pk: {"key": f"{c.provider.slug}/{c.code}", "label_sq": c.code, "label_en": c.code}
            for c in Cohort.objects.filter(pk__in=ids).select_related("provider").only("code", "provider__slug")
        }
    if dimension == "qualification":
        return {
            q.pk: {"key": q.code, "label_sq": q.code, "label_en": q.code}
            for q in Qualification.objects.filter(pk__in=ids).only("code")
        }
    if dimension == "municipality":
        return {
            m.pk: {"key": m.slug, "label_sq": m.name_sq, "label_en": m.name_en}
            for m in Municipality.objects.filter(pk__in=ids)
        }
    if dimension == "gender":
        return {g: {"key": g, "label_sq": GENDER_LABELS_SQ.get(g, g), "label_en": Gender(g).label} for g in ids}
    return {y: {"key": str(y), "label_sq": str(y), "label_en": str(y)} for y in ids}


def impact(*, by: str | None = None, provider: str | None = None, qualification: str | None = None) -> dict[str, Any]:
    """The whole answer of GET /api/v1/stats/impact."""
    return {
        "min_group_size": MIN_GROUP_SIZE,
        "by": by,
        "filters": {"provider": provider, "qualification": qualification},
        "overall": overall(provider=provider, qualification=qualification),
        "groups": breakdown(by, provider=provider, qualification=qualification) if by else [],
    }
