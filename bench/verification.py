"""Verification budget (DESIGN.md): the JSON verification answers at least 0.8x the throughput of a bare Django
view doing the same single indexed lookup, on the same server, and costs at most 3 queries.

    verification.api_vs_bare   verify=1100 req/s bare=1055 req/s ratio=1.04 budget=0.8 OK
    verification.queries       anonymous=1 verifier_token=2 budget=3 OK
    verification.http_vs_bare  verify=411 req/s bare=363 req/s ratio=1.13 budget=0.8 OK (gunicorn ...)

How it is measured, so the ratio is honest:

* `GET /api/v1/verifications/{id}` runs as a public caller would: the whole Django stack (every middleware,
  URL routing), the throttle (its cache read and write), the lookup with accreditation and equivalency joined
  and the event INSERT (one statement, committed), the four checks, the JSON answer.
* The bare view (`bare_lookup` below) is a plain function view that does the one indexed
  `Certificate.objects.filter(verification_id=...)` lookup and returns a few columns as JSON.
* In-process (`api_vs_bare`): Django's test client, one request after another, wall time (a latency ratio:
  a database round trip is waiting, not CPU). An indented line gives the same with the signature memo cold
  (every verification of a certificate the process has not seen: a large registry's usual case).
* Over HTTP (`http_vs_bare`, the budget's own setting; `python -m bench.verification` only, as `make bench`
  runs it in its `throughput` part on a million certificates): both on ONE gunicorn (bench/harness.py:
  production settings, 2 x cores + 1 sync workers), a load generator in a separate process keeping
  2 x workers connections busy, alternating rounds over the same ids, median throughput of each.
* Rounds alternate between the two and the medians are compared, so a busy neighbour on the machine hits both
  alike. Throttles are opened (their cost is measured, not their limit).
* The database is a throwaway test database (created and destroyed here), in autocommit as in production, so
  the event INSERT pays its real commit; nothing is left behind in DATABASE_URL's database.

The bare view is mounted only by this module's own URLconf (`urlpatterns` below, used through
`override_settings(ROOT_URLCONF="bench.verification")` and by bench/settings.py for gunicorn): the production
URLconf never carries a benchmark route. It comes first in that URLconf, and so does the verification route in
the production URLconf (config/urls.py), so both resolve in about the same time.

Wiring (bench/__main__.py is the ops engineer's): call `run(report)` with Django set up and DATABASE_URL pointing
at PostgreSQL; `report` receives one line per measurement; the return value is a list of result dicts, each
with `name` and `ok`. Alone: `python -m bench.verification [--no-http | --http-only] [--rounds N]` (exit status
1 when a budget is missed).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable

RATIO_BUDGET = 0.8
QUERY_BUDGET = 3
ROUNDS = 15
REQUESTS = 40
WARMUP = 50
CERTIFICATES = 200
HTTP_ROUNDS = 3
HTTP_SECONDS = 5.0


def bare_lookup(request, verification_id: str):
    """The baseline: the same single indexed lookup, nothing else."""
    from django.http import JsonResponse

    from credentials.models import Certificate

    row = (
        Certificate.objects.filter(verification_id=verification_id)
        .values("serial_number", "status", "holder_name", "awarded_on")
        .first()
    )
    return JsonResponse(row or {"error": "not_found"}, status=200 if row else 404)


def _urlpatterns():
    from django.urls import include, path

    return [
        path("bench/bare-lookup/<str:verification_id>", bare_lookup),
        path("", include("config.urls")),
    ]


def __getattr__(name: str):  # `urlpatterns` built lazily: importing this module must not need Django set up
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)


def _time_round(client, urls: list[str]) -> float:
    started = time.perf_counter()
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return (time.perf_counter() - started) / len(urls)


def _seed() -> list[str]:
    """CERTIFICATES signed certificates (enough rows that the lookup is a real index probe); REQUESTS of their
    ids, spread over the table."""
    from tests import factories

    certificate = factories.CertificateFactory()
    ids = [certificate.verification_id]
    for _ in range(CERTIFICATES - 1):
        ids.append(factories.CertificateFactory(enrolment=certificate.enrolment, status="superseded").verification_id)
    return ids[:: max(1, len(ids) // REQUESTS)][:REQUESTS]


def _compare(client, verify_urls: list[str], bare_urls: list[str]) -> tuple[float, float]:
    """Median seconds per request of each, over ROUNDS alternating rounds."""
    verify_rounds, bare_rounds = [], []
    for index in range(ROUNDS):  # alternate which goes first
        pair = [(verify_rounds, verify_urls), (bare_rounds, bare_urls)]
        for samples, urls in pair if index % 2 == 0 else pair[::-1]:
            samples.append(_time_round(client, urls))
    return statistics.median(verify_rounds), statistics.median(bare_rounds)


def _report_memo_cold(report: Callable[[str], None], client, verify_urls: list[str], bare_urls: list[str]) -> None:
    """For information (indented: not a budget line): the ratio when every verification is of a certificate this
    process has not verified before, so the signature memo never helps (a big registry's typical case)."""
    try:
        from credentials.verification.checks import signature_memo
    except ImportError:  # before the memo existed
        return
    size = signature_memo.maxsize
    signature_memo.maxsize = 0
    signature_memo.clear()
    try:
        verify_s, bare_s = _compare(client, verify_urls, bare_urls)
    finally:
        signature_memo.maxsize = size
    report(
        f"  verification.api_vs_bare with the signature memo cold: verify={1 / verify_s:.0f} req/s "
        f"bare={1 / bare_s:.0f} req/s ratio={bare_s / verify_s:.2f}"
    )


def _measure(report: Callable[[str], None], ids: list[str]) -> list[dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token

    from tests import factories

    verify_urls = [f"/api/v1/verifications/{vid}" for vid in ids]
    bare_urls = [f"/bench/bare-lookup/{vid}" for vid in ids]

    client = Client()
    for url in (verify_urls + bare_urls) * (WARMUP // len(ids) + 1):
        client.get(url)

    verify_s, bare_s = _compare(client, verify_urls, bare_urls)
    ratio = bare_s / verify_s  # throughput ratio = (1/verify) / (1/bare)
    ratio_ok = ratio >= RATIO_BUDGET
    report(
        f"verification.api_vs_bare  verify={1 / verify_s:.0f} req/s bare={1 / bare_s:.0f} req/s "
        f"ratio={ratio:.2f} budget={RATIO_BUDGET:g} {'OK' if ratio_ok else 'UNDER'} "
        f"(median of {ROUNDS} rounds x {REQUESTS} requests)"
    )
    _report_memo_cold(report, client, verify_urls, bare_urls)

    verifier = factories.UserFactory(verifier=True)
    token_client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=verifier).key}")
    counts = {}
    for name, each in (("anonymous", client), ("verifier_token", token_client)):
        with CaptureQueriesContext(connection) as queries:
            assert each.get(verify_urls[0]).status_code == 200
        counts[name] = len(queries)
    queries_ok = max(counts.values()) <= QUERY_BUDGET
    report(
        f"verification.queries  anonymous={counts['anonymous']} verifier_token={counts['verifier_token']} "
        f"budget={QUERY_BUDGET} {'OK' if queries_ok else 'OVER'}"
    )
    return [
        {
            "name": "verification.api_vs_bare",
            "verify_rps": 1 / verify_s,
            "bare_rps": 1 / bare_s,
            "ratio": ratio,
            "budget": RATIO_BUDGET,
            "ok": ratio_ok,
        },
        {"name": "verification.queries", **counts, "budget": QUERY_BUDGET, "ok": queries_ok},
    ]


def _measure_http(report: Callable[[str], None], *, keys_dir: str, ids: list[str], rounds: int, seconds: float):
    """Both endpoints on one gunicorn (bench/harness.py: production settings, 2 x cores + 1 sync workers), a load
    generator in a separate process with 2 x workers connections, alternating rounds over the same ids."""
    from django.db import connection

    from bench.harness import Server, load, median

    verify_paths = [f"/api/v1/verifications/{vid}" for vid in ids]
    bare_paths = [f"/bench/bare-lookup/{vid}" for vid in ids]
    with Server(database=connection.settings_dict["NAME"], keys_dir=keys_dir) as server:
        clients = 2 * server.workers
        for paths in (verify_paths, bare_paths):
            load(server.base_url, paths, seconds=2.0, concurrency=clients)
        verify_runs, bare_runs = [], []
        for index in range(rounds):
            pair = [(verify_runs, verify_paths), (bare_runs, bare_paths)]
            for runs, paths in pair if index % 2 == 0 else pair[::-1]:
                runs.append(load(server.base_url, paths, seconds=seconds, concurrency=clients))
    verify_rps, bare_rps = median([r.rps for r in verify_runs]), median([r.rps for r in bare_runs])
    errors = sum(r.errors for r in verify_runs + bare_runs)
    ratio = verify_rps / bare_rps
    ok = ratio >= RATIO_BUDGET and errors == 0
    rounds_text = " ".join(f"{v.rps:.0f}/{b.rps:.0f}" for v, b in zip(verify_runs, bare_runs, strict=True))
    report(
        f"verification.http_vs_bare  verify={verify_rps:.0f} req/s bare={bare_rps:.0f} req/s ratio={ratio:.2f} "
        f"budget={RATIO_BUDGET:g} {'OK' if ok else 'UNDER'} (gunicorn {server.workers} workers, {clients} clients "
        f"in a separate process, median of {rounds} x {seconds:g} s; rounds {rounds_text}; errors={errors})"
    )
    return [
        {
            "name": "verification.http_vs_bare",
            "verify_rps": verify_rps,
            "bare_rps": bare_rps,
            "ratio": ratio,
            "errors": errors,
            "budget": RATIO_BUDGET,
            "ok": ok,
        }
    ]


def run(report: Callable[[str], None] = print, *, http: dict | None = None, in_process: bool = True) -> list[dict]:
    """Measure on a throwaway test database, call `report` with one line per measurement, return the results.

    `http` ({"rounds", "seconds"}) adds the comparison on gunicorn; `make bench` leaves it out (its own
    `throughput` part runs that on the benchmark database of a million certificates).
    The test database is created (migrated) and destroyed here; the signing key is a throwaway one.
    """
    from django.db import connection
    from django.test.utils import override_settings

    from credentials.signing import generate_signing_key

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    rates = {"verify_anon": "1000000/min", "verify_verifier": "1000000/min", "verify_user": "1000000/min"}
    try:
        with (
            tempfile.TemporaryDirectory(prefix="bench-verification-keys-") as keys_dir,
            override_settings(
                ROOT_URLCONF="bench.verification",
                SIGNING_KEYS_DIR=keys_dir,
                SIGNING_PRIVATE_KEY_PEM="",
                SIGNING_PRIVATE_KEY_FILE="",
                SIGNING_KEY_ID="",
                DEBUG=False,
                ALLOWED_HOSTS=["testserver"],
                REST_FRAMEWORK={**_rest_framework(), "DEFAULT_THROTTLE_RATES": rates},
            ),
        ):
            generate_signing_key()
            ids = _seed()
            results = _measure(report, ids) if in_process else []
            if http:
                results += _measure_http(report, keys_dir=keys_dir, ids=ids, **http)
            return results
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)


def _rest_framework() -> dict:
    from django.conf import settings

    return dict(settings.REST_FRAMEWORK)


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m bench.verification", description=__doc__.splitlines()[0])
    parser.add_argument("--no-http", action="store_true", help="skip the gunicorn comparison (in-process only)")
    parser.add_argument("--http-only", action="store_true", help="skip the in-process comparison")
    parser.add_argument("--rounds", type=int, default=HTTP_ROUNDS, help="HTTP rounds of each (median compared)")
    parser.add_argument("--seconds", type=float, default=HTTP_SECONDS, help="length of one HTTP round")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        print("bench.verification needs PostgreSQL: set DATABASE_URL")
        return 2
    http = None if args.no_http else {"rounds": args.rounds, "seconds": args.seconds}
    results = run(print, http=http, in_process=not args.http_only)
    return 0 if all(result["ok"] for result in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
