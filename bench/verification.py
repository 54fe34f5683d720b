"""Verification's batch budget (DESIGN.md): a batch of 500 ids costs at most 40x one verification.

    verification.batch_500_vs_one  batch=310 ms one=1.9 ms ratio=163 ... budget=40

How: BATCH real certificates are issued (bench/issuance.py's cohort and the issuance service); a verifier
organisation's token asks, in-process through the whole Django stack (`django.test.Client`), for one of them at
a time (`GET /api/v1/verifications/{id}`, SINGLES in a row, mean) and for all of them in one
`POST /api/v1/verifications` with `items`, turn about, ROUNDS times; medians. The signature memo is emptied before
each, so every certificate's snapshot is parsed and checked (the memo is cold in a registry of millions).
Throttles are opened by `make bench` (their cost is measured, not their limit).

The other verification budgets are measured over HTTP against their floor by the `throughput` part
(bench/throughput.py): the JSON answer and the page against a minimal Django app, queries per request as
PostgreSQL counts them. (This module once compared verification with a "bare view" that ran our whole middleware
stack and the ORM: as fast as our own /healthz, not a floor; it is gone.)

Runs in the database Django points at (`make bench`: the benchmark database). Alone: `python -m bench.verification`
(its own throwaway database, BENCH_DATABASE or registry_bench_verification).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable

BATCH = 500
BUDGET = 40.0
ROUNDS = 7
SINGLES = 50


def _certificates(count: int) -> list[str]:
    from bench.issuance import _issue, build_cohort

    user, cohort = build_cohort(count, code="BATCH")
    return [certificate.verification_id for certificate in _issue(user, cohort).issued]


def _one(client, vids: list[str]) -> float:
    """Mean seconds of one verification, each of a different certificate, the memo emptied before each."""
    from credentials.verification.checks import signature_memo

    total = 0.0
    for vid in vids:
        signature_memo.clear()
        started = time.perf_counter()
        response = client.get(f"/api/v1/verifications/{vid}")
        total += time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"verification answered {response.status_code}")
    return total / len(vids)


def _batch(client, body: str) -> float:
    from credentials.verification.checks import signature_memo

    signature_memo.clear()
    started = time.perf_counter()
    response = client.post("/api/v1/verifications", body, content_type="application/json")
    elapsed = time.perf_counter() - started
    if response.status_code != 200 or response.json()["valid_count"] != BATCH:
        raise RuntimeError(f"batch answered {response.status_code}")
    return elapsed


def run(report: Callable[[str], None] = print) -> list[dict]:
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from tests import factories

    vids = _certificates(BATCH)
    token = Token.objects.create(user=factories.UserFactory(verifier=True)).key
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    body = json.dumps({"items": [{"verification_id": vid} for vid in vids]})
    _one(client, vids[:SINGLES])  # warm-up: connection, prepared statement, code paths
    _batch(client, body)
    ones, batches = [], []
    for index in range(ROUNDS):
        singles = vids[index * SINGLES % BATCH :][:SINGLES]
        if index % 2 == 0:
            ones.append(_one(client, singles))
            batches.append(_batch(client, body))
        else:
            batches.append(_batch(client, body))
            ones.append(_one(client, singles))
    one_s, batch_s = statistics.median(ones), statistics.median(batches)
    ratio = batch_s / one_s
    ok = ratio <= BUDGET
    report(
        f"verification.batch_500_vs_one  batch={batch_s * 1000:.0f} ms one={one_s * 1000:.2f} ms ratio={ratio:.1f} "
        f"budget={BUDGET:g} {'OK' if ok else 'OVER'} (a verifier's token, in-process, signature memo emptied "
        f"before each; medians of {ROUNDS} alternating rounds, one = mean of {SINGLES} in a row; "
        f"{ratio / BATCH * 100:.0f}% of 500 single verifications)"
    )
    return [
        {
            "name": "verification.batch_500_vs_one",
            "batch_ms": batch_s * 1000,
            "one_ms": one_s * 1000,
            "ratio": ratio,
            "budget": BUDGET,
            "ok": ok,
        }
    ]


def main(argv: list[str] | None = None) -> int:

    from bench.__main__ import _setup_django

    _setup_django()
    from django.conf import settings

    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        print("bench.verification needs PostgreSQL: set DATABASE_URL")
        return 2
    from bench import harness

    name = os.environ.get("BENCH_DATABASE", "registry_bench_verification")
    with harness.bench_database(name), harness.signing_key():
        results = run(print)
    return 0 if all(result["ok"] for result in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
