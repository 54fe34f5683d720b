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
    municipalities_reached      municipalities with at least MIN_GROUP_SIZE of the group's learners
    employer_satisfaction_rate  share of employer surveys with a score >= 4
    graduate_satisfaction_mean  mean of the graduates' mean skill scores (1-5)

Disclosure control (docs/decisions/0006-impact-statistics-disclosure-control.md): every published count is
randomly rounded to a multiple of ROUNDING_BASE, the direction fixed by a keyed hash of the people the
count is made of, so the same people give the same figure in every table and repeating a query teaches
nothing. Totals are rounded on their own. Rates are computed from the rounded counts; rates, medians and
means need a rounded base of MIN_RATE_BASE. A group whose rounded learner count is under MIN_GROUP_SIZE is
not listed. No published figure is an exact count, so no table can be subtracted from another to recover
one.

Cost: four aggregate queries for the overall row, four per breakdown, one for the breakdown's labels;
the same whatever the number of graduates.
"""

from __future__ import annotations

import hashlib
import hmac
import statistics
from typing import Any

from django.conf import settings
from django.db.models import Aggregate, Avg, Count, Exists, F, FloatField, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import translation
from django.utils.translation import pgettext_lazy

from credentials.choices import LIVE_CERTIFICATE_STATUSES, EnrolmentStatus, Gender
from credentials.models import Certificate, Cohort, Enrolment
from outcomes.choices import EMPLOYED_STATUSES, SEN_ROLE_STATUSES, EmploymentStatus
from outcomes.models import EmployerSurvey, TracerResponse
from registry.models import Municipality, Organisation, Qualification

ROUNDING_BASE = 5  # every published count is a multiple of this
MIN_GROUP_SIZE = 5  # a group is listed when its rounded learner count reaches this
MIN_RATE_BASE = 10  # a rate, median or mean is shown when its rounded base reaches this
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
# Published counts: (indicator, the id space of what it counts). People are enrolments, so the same
# people counted under two indicators (e.g. everyone certified) are one cell and round alike.
COUNTS = (
    ("learners_trained", "enrolment"),
    ("certified", "enrolment"),
    ("respondents", "enrolment"),
    ("employed", "enrolment"),
    ("employed_sen", "enrolment"),
    ("employed_public_school", "enrolment"),
    ("employed_municipality", "enrolment"),
    ("employed_private_family", "enrolment"),
    ("employer_surveys", "survey"),
    ("employer_satisfied", "survey"),
)
RESPONDENT_BASED = (
    "employment_rate",
    "sen_employment_rate",
    "median_months_to_first_job",
    "graduate_satisfaction_mean",
)

# Group names the API publishes in Albanian (label_sq) beside English (label_en); the words are in locale/.
GENDER_GROUPS = {
    "female": pgettext_lazy("gender group", "Women"),
    "male": pgettext_lazy("gender group", "Men"),
    "other": pgettext_lazy("gender group", "Other"),
    "undisclosed": pgettext_lazy("gender group", "Not disclosed"),
}
UNKNOWN_GROUP = pgettext_lazy("statistics group", "Unknown")


def _in_albanian(message) -> str:
    with translation.override("sq"):
        return str(message)


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


# --- rounding ----------------------------------------------------------------------------------------


def _rounding_key() -> bytes:
    """`settings.IMPACT_STATS_KEY`, else derived from SECRET_KEY. Changing it re-draws every rounding, and
    two draws of the same count can be compared: keep it as long as the figures are published."""
    configured = getattr(settings, "IMPACT_STATS_KEY", "")
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"outcomes.stats rounding", hashlib.sha256).digest()


def rounded(count: int, fingerprint: int, space: str, key: bytes | None = None) -> int:
    """`count` randomly rounded to a multiple of ROUNDING_BASE: up with probability remainder/base, so the
    figure is unbiased and within base - 1 of the truth. The draw is a keyed hash of the counted records
    (their number and the sum of their ids), so the same people give the same figure in every table and
    asking again gives nothing new. Zero and multiples of the base are published as they are."""
    remainder = count % ROUNDING_BASE
    if remainder == 0:
        return count
    digest = hmac.digest(key or _rounding_key(), f"{space}:{count}:{int(fingerprint)}".encode(), "sha256")
    draw = int.from_bytes(digest[:8], "big") / 2**64
    return count - remainder + (ROUNDING_BASE if draw < remainder / ROUNDING_BASE else 0)


# --- queries -----------------------------------------------------------------------------------------


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


def _counted(name: str, field: str, condition: Q | None = None) -> dict:
    """A count and the sum of the counted ids (the fingerprint its rounding is keyed by)."""
    return {name: Count(field, filter=condition), f"{name}__ids": Sum(field, filter=condition)}


def _sources(*, provider: str | None, qualification: str | None) -> list[tuple[Any, str, dict, bool]]:
    """(queryset, prefix to the enrolment, aggregates, also split by municipality) per family of indicators."""
    latest_wave = ~Exists(
        TracerResponse.objects.filter(enrolment_id=OuterRef("enrolment_id"), wave__gt=OuterRef("wave"))
    )
    live = {"enrolment__certificates__status__in": LIVE_CERTIFICATE_STATUSES}
    status = EmploymentStatus
    return [
        (
            Enrolment.objects.exclude(status=EnrolmentStatus.WITHDRAWN).filter(
                _scope("", provider=provider, qualification=qualification)
            ),
            "",
            _counted("learners_trained", "id"),
            True,  # municipalities_reached counts the rounded municipality cells
        ),
        (
            Certificate.objects.filter(status__in=LIVE_CERTIFICATE_STATUSES).filter(
                _scope("enrolment__", provider=provider, qualification=qualification)
            ),
            "enrolment__",
            _counted("certified", "enrolment_id"),
            False,
        ),
        (
            TracerResponse.objects.filter(latest_wave, **live).filter(
                _scope("enrolment__", provider=provider, qualification=qualification)
            ),
            "enrolment__",
            {
                **_counted("respondents", "enrolment_id"),
                **_counted("employed", "enrolment_id", Q(employment_status__in=EMPLOYED_STATUSES)),
                **_counted("employed_sen", "enrolment_id", Q(employment_status__in=SEN_ROLE_STATUSES)),
                **_counted(
                    "employed_public_school", "enrolment_id", Q(employment_status=status.EMPLOYED_PUBLIC_SCHOOL)
                ),
                **_counted("employed_municipality", "enrolment_id", Q(employment_status=status.EMPLOYED_MUNICIPALITY)),
                **_counted(
                    "employed_private_family", "enrolment_id", Q(employment_status=status.EMPLOYED_PRIVATE_FAMILY)
                ),
                "months_known": Count("months_to_first_job"),
                "median_months_to_first_job": Median("months_to_first_job"),
                "satisfaction_known": Count("skills_mean"),
                "graduate_satisfaction_mean": Avg("skills_mean", output_field=FloatField()),
            },
            False,
        ),
        (
            EmployerSurvey.objects.filter(**live).filter(
                _scope("enrolment__", provider=provider, qualification=qualification)
            ),
            "enrolment__",
            {
                **_counted("employer_surveys", "id"),
                **_counted("employer_satisfied", "id", Q(graduate_satisfaction__gte=SATISFIED_FROM)),
                "surveyed_graduates": Count("enrolment_id", distinct=True),
            },
            False,
        ),
    ]


def tally(dimension: str | None = None, *, provider: str | None = None, qualification: str | None = None) -> dict:
    """The true counts behind the figures, per group (database key; None for the overall row): each count
    with the sum of its ids, the medians and means with their bases, and the learners split by municipality.
    Never published as such: overall() and breakdown() round and hide."""
    raws: dict[Any, dict] = {}
    for queryset, prefix, aggregates, by_municipality in _sources(provider=provider, qualification=qualification):
        queryset = queryset.order_by()
        keys = []
        if dimension:
            queryset, keys = queryset.annotate(_group=_key(dimension, prefix)), ["_group"]
        if by_municipality:
            queryset, keys = queryset.annotate(_municipality=_municipality(prefix)), [*keys, "_municipality"]
        if not keys:
            raws.setdefault(None, {}).update(queryset.aggregate(**aggregates))
            continue
        names = list(aggregates)
        rows = queryset.values(*keys).annotate(**aggregates).values_list(*keys, *names)
        if not by_municipality:
            for row in rows:
                raws.setdefault(row[0], {}).update(zip(names, row[1:], strict=True))
            continue
        # One row per (group, municipality) cell: counts and id sums add up over the municipalities.
        grouped = len(keys) == 2
        for row in rows:
            raw = raws.setdefault(row[0] if grouped else None, {})
            municipality, values = row[len(keys) - 1], row[len(keys) :]
            raw.setdefault("municipalities", {})[municipality] = dict(zip(names, values, strict=True))
            for name, value in zip(names, values, strict=True):
                raw[name] = (raw.get(name) or 0) + (value or 0)
    return raws


def _listed(cell: dict, key: bytes) -> bool:
    """Whether a municipality cell's rounded learner count reaches MIN_GROUP_SIZE. A count that reaches it
    rounded down needs no draw (a breakdown by cohort has tens of thousands of cells, most of them small)."""
    count = cell["learners_trained"]
    if count - count % ROUNDING_BASE >= MIN_GROUP_SIZE:
        return True
    return rounded(count, cell["learners_trained__ids"] or 0, "enrolment", key) >= MIN_GROUP_SIZE


def _finish(raw: dict, key: bytes) -> dict:
    """Rounded counts, then what is computed from them, hidden where the base is too small."""
    n = {name: rounded(raw.get(name) or 0, raw.get(f"{name}__ids") or 0, space, key) for name, space in COUNTS}

    def share(part, whole):
        return min(1.0, round(part / whole, 3)) if whole >= MIN_RATE_BASE else None

    def average(value, known):
        enough = n["respondents"] >= MIN_RATE_BASE and (raw.get(known) or 0) >= MIN_GROUP_SIZE
        return None if value is None or not enough else round(float(value), 1)

    # The municipalities whose own (rounded) cell would be listed by `by=municipality`: nothing new.
    reached = sum(
        1
        for municipality, cell in (raw.get("municipalities") or {}).items()
        if municipality is not None and _listed(cell, key)
    )
    row = {
        "learners_trained": n["learners_trained"],
        "certified": n["certified"],
        "respondents": n["respondents"],
        "employed": n["employed"],
        "employment_rate": share(n["employed"], n["respondents"]),
        "employed_sen": n["employed_sen"],
        "sen_employment_rate": share(n["employed_sen"], n["respondents"]),
        "employed_public_school": n["employed_public_school"],
        "employed_municipality": n["employed_municipality"],
        "employed_private_family": n["employed_private_family"],
        "median_months_to_first_job": average(raw.get("median_months_to_first_job"), "months_known"),
        "municipalities_reached": reached,
        "employer_surveys": n["employer_surveys"],
        "employer_satisfaction_rate": (
            share(n["employer_satisfied"], n["employer_surveys"])
            if (raw.get("surveyed_graduates") or 0) >= MIN_GROUP_SIZE
            else None
        ),
        "graduate_satisfaction_mean": average(raw.get("graduate_satisfaction_mean"), "satisfaction_known"),
        "suppressed": False,
        "suppressed_indicators": [],
    }
    row["suppressed_indicators"] = [
        name for name in (*RESPONDENT_BASED, "employer_satisfaction_rate") if row[name] is None
    ]
    if row["learners_trained"] < MIN_GROUP_SIZE:
        row.update(dict.fromkeys(INDICATORS), suppressed=True, suppressed_indicators=[])
    return row


def overall(*, provider: str | None = None, qualification: str | None = None) -> dict:
    """The overall row; `suppressed` (every figure null) when its rounded learner count is under
    MIN_GROUP_SIZE."""
    raws = tally(provider=provider, qualification=qualification)
    return _finish(raws.get(None, {}), _rounding_key())


def breakdown(dimension: str, *, provider: str | None = None, qualification: str | None = None) -> list[dict]:
    """One row per group of `dimension` whose rounded learner count reaches MIN_GROUP_SIZE, labelled and
    ordered. Smaller groups are left out, so the list does not tell who is in them or that they exist."""
    key = _rounding_key()
    rows = []
    for group, raw in tally(dimension, provider=provider, qualification=qualification).items():
        row = _finish(raw, key)
        if not row["suppressed"]:
            row["_key"] = group
            rows.append(row)
    labels = group_labels(dimension, [r["_key"] for r in rows])
    for row in rows:
        group = row.pop("_key")
        row.update(
            labels.get(group) or {"key": "unknown", "label_sq": _in_albanian(UNKNOWN_GROUP), "label_en": "Unknown"}
        )
        row["_sort"] = group if dimension == "year" and group is not None else row["label_en"]
    rows.sort(key=lambda r: (r["key"] == "unknown", r["_sort"]))
    for row in rows:
        del row["_sort"]
    return [{"key": r.pop("key"), "label_sq": r.pop("label_sq"), "label_en": r.pop("label_en"), **r} for r in rows]


def group_labels(dimension: str, keys: list) -> dict[Any, dict]:
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
            m.pk: {
                "key": m.slug,
                "label_sq": m.name_sq,
                "label_en": m.name_en,
                # For the impact page in Serbian; the API and CSV publish label_sq and label_en.
                "label_sr": m.name_sr,
                "label_sr_cyrl": m.name_sr_cyrl,
            }
            for m in Municipality.objects.filter(pk__in=ids)
        }
    if dimension == "gender":
        return {
            g: {"key": g, "label_sq": _in_albanian(GENDER_GROUPS.get(g, g)), "label_en": Gender(g).label} for g in ids
        }
    return {y: {"key": str(y), "label_sq": str(y), "label_en": str(y)} for y in ids}


def impact(*, by: str | None = None, provider: str | None = None, qualification: str | None = None) -> dict[str, Any]:
    """The whole answer of GET /api/v1/stats/impact."""
    return {
        "min_group_size": MIN_GROUP_SIZE,
        "rounding_base": ROUNDING_BASE,
        "min_rate_base": MIN_RATE_BASE,
        "by": by,
        "filters": {"provider": provider, "qualification": qualification},
        "overall": overall(provider=provider, qualification=qualification),
        "groups": breakdown(by, provider=provider, qualification=qualification) if by else [],
    }
