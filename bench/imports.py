"""Learner import budget (DESIGN.md): importing 10,000 CSV rows takes at most 5x a plain `bulk_create` of the same
rows, and never waits on a web request (ADR 0009).

    imports.learners_10k_vs_bulk_create  import=1.9 s bulk_create=0.5 s ratio=3.8 budget=5 OK
    imports.learners_10k_api  202 in 60 ms; the worker finished the task in 2.1 s (10,000 created)

How:

* A provider with a cohort, and a CSV of COUNT learners (names in Albanian and Serbian, Latin and Cyrillic;
  date of birth, gender, municipality, e-mail), made before the clock starts.
* Timed: `credentials.services.imports.learners_import` on the CSV bytes, as the provider's user: decoding,
  parsing and checking every row, creating the learners in bulk with one audit entry each and one for the
  import, the transaction committed.
* Baseline: `Learner.objects.bulk_create` of COUNT learners with the same values (objects built before the clock
  starts), in one committed transaction; measured before and after the import and averaged, so a busy neighbour
  on the machine weighs on both.
* Then, not a budget: the same file through the API (`POST /api/v1/learners/import`) on the database task
  backend: how long the 202 takes, and how long a worker (`db_worker --batch`) then takes to finish the task.
* When the budget is missed, a cProfile of the import says what dominates (`--profile` prints it always).

Alone: `DATABASE_URL=postgres://... python -m bench.imports` (its own throwaway database, `registry_bench_imports`).
"""

from __future__ import annotations

import cProfile
import datetime
import io
import pstats
import time

from bench.harness import Report

COUNT = 10_000
BUDGET = 5.0
NAMES = [("Ardita", "Krasniqi"), ("Đorđe", "Čolić"), ("Shpëtim", "Gashi"), ("Ђорђе", "Јовановић")]
MUNICIPALITIES = ["prishtine", "prizren", "ferizaj", "gjilan", "gracanice"]


def _row(n: int) -> tuple[str, str, str, datetime.date, str, str, str]:
    given, family = NAMES[n % len(NAMES)]
    born = datetime.date(1980, 1, 1) + datetime.timedelta(days=n % 9000)
    return (f"{first_number(n)}", given, f"{family}-{n}", born, "fm"[n % 2], MUNICIPALITIES[n % 5], f"l{n}@example.org")


def first_number(n: int, base: int = 1300000000) -> int:
    return base + n


def build_csv(count: int) -> bytes:
    lines = ["personal_number,given_name,family_name,date_of_birth,gender,municipality,email"]
    for n in range(count):
        pn, given, family, born, gender, municipality, email = _row(n)
        lines.append(f"{pn},{given},{family},{born.isoformat()},{gender},{municipality},{email}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _provider(code: str):
    from tests import factories

    provider = factories.OrganisationFactory(slug=f"bench-import-{code}", name=f"Bench import provider {code}")
    user = factories.UserFactory(organisation=provider, username=f"bench-import-{code}")
    return provider, user


def _baseline_rows(provider, count: int) -> list:
    from credentials.models import Learner
    from registry.models import Municipality

    municipalities = dict(Municipality.objects.values_list("slug", "pk"))
    rows = []
    for n in range(count):
        pn, given, family, born, gender, municipality, email = _row(n)
        gender = {"f": "female", "m": "male"}[gender]
        rows.append(
            Learner(
                provider=provider,
                personal_number=pn,
                given_name=given,
                family_name=family,
                date_of_birth=born,
                gender=gender,
                municipality_id=municipalities[municipality],
                email=email,
            )
        )
    return rows


def _time_bulk_create(rows) -> float:
    from django.db import transaction

    from credentials.models import Learner

    started = time.perf_counter()
    with transaction.atomic():
        Learner.objects.bulk_create(rows, batch_size=1000)
    elapsed = time.perf_counter() - started
    Learner.objects.filter(pk__in=[r.pk for r in rows]).delete()
    return elapsed


def _import(user, provider, content: bytes):
    from credentials.services.imports import learners_import

    return learners_import(actor=user, provider=provider, content=content)


def profile_import(content: bytes, *, top: int = 15) -> str:
    provider, user = _provider("prof")
    profiler = cProfile.Profile()
    profiler.enable()
    _import(user, provider, content)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def _through_the_api(content: bytes) -> tuple[float, float, dict]:
    """POST the file on the database task backend; time the 202, then a worker's run of the task."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test.utils import override_settings
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from registry.models import TaskRecord

    provider, user = _provider("api")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        upload = SimpleUploadedFile("learners.csv", content, content_type="text/csv")
        started = time.perf_counter()
        response = client.post("/api/v1/learners/import", {"file": upload}, format="multipart")
        answered = time.perf_counter() - started
        if response.status_code != 202:
            raise RuntimeError(f"the API answered {response.status_code}: {response.content[:300]!r}")
        started = time.perf_counter()
        call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
        ran = time.perf_counter() - started
    record = TaskRecord.objects.get(pk=response.json()["id"])
    return answered, ran, {"state": record.state, "result": record.result, "error": record.error}


def run(report: Report = print, *, count: int = COUNT, profile: bool = False) -> list[dict]:
    from credentials.models import Learner

    content = build_csv(count)
    provider, user = _provider("timed")
    base_provider, _ = _provider("base")

    before = _time_bulk_create(_baseline_rows(base_provider, count))
    started = time.perf_counter()
    result = _import(user, provider, content)
    import_s = time.perf_counter() - started
    after = _time_bulk_create(_baseline_rows(base_provider, count))

    created = Learner.objects.filter(provider=provider).count()
    if result.created != count or created != count:
        raise RuntimeError(f"imported {result.created} of {count} ({created} stored)")
    baseline_s = (before + after) / 2
    ratio = import_s / baseline_s
    ok = ratio <= BUDGET
    report(
        f"imports.learners_10k_vs_bulk_create  import={import_s:.2f} s ({count / import_s:.0f} rows/s) "
        f"bulk_create={baseline_s:.2f} s (runs {before:.2f} s, {after:.2f} s) ratio={ratio:.2f} budget={BUDGET:g} "
        f"{'OK' if ok else 'OVER'} ({created:,} learners created, each audited)"
    )
    answered, ran, task = _through_the_api(content)
    state = task["state"] if task["state"] != "succeeded" else f"{task['result']['created']:,} created"
    report(
        f"imports.learners_10k_api  202 in {answered * 1000:.0f} ms; "
        f"the worker finished the task in {ran:.2f} s ({state})"
    )
    results = [
        {
            "name": "imports.learners_10k_vs_bulk_create",
            "count": count,
            "import_s": import_s,
            "bulk_create_s": baseline_s,
            "ratio": ratio,
            "budget": BUDGET,
            "ok": ok,
            "api_202_s": answered,
            "task_s": ran,
        }
    ]
    if profile or not ok:
        report(f"import profile ({count} rows):\n{profile_import(content)}")
    return results


def main() -> int:
    import argparse

    from bench.__main__ import _setup_django

    parser = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=COUNT)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    _setup_django()
    from django.conf import settings

    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        print("the import benchmark needs PostgreSQL: set DATABASE_URL")
        return 2
    from bench import harness

    with harness.bench_database("registry_bench_imports"), harness.signing_key():
        results = run(print, count=args.count, profile=args.profile)
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
