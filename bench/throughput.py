"""Verification throughput under concurrent load, over HTTP, against gunicorn (DESIGN.md's first budget), and
the load test: zero errors at the measured throughput.

    throughput.verification_vs_bare  verify=410 req/s bare=480 req/s ratio=0.85 budget=0.8 OK
    load.verification_errors  requests=6150 errors=0 at 410 req/s p99=52 ms OK

How:

* gunicorn serves the project with production settings (DEBUG off; bench/settings.py adds only the bare
  view's URL) from the benchmark database, 2 x cores + 1 sync workers, on a loopback port.
* bench/load.py, in a separate process, keeps CONCURRENCY connections busy for SECONDS: first against
  `GET /api/v1/verifications/{id}` (anonymous: DRF, the throttle, the lookup and its joins, the four checks
  with the Ed25519 signature, the committed verification event), then against the bare view of
  bench/verification.py (`Certificate.objects.filter(verification_id=...)`, a few columns as JSON), over
  the same verification ids; ROUNDS times, alternating which goes first. Ratio of the median throughputs.
* Every response of every round counts for the load test: anything but a 200 (or a failed connection) is
  an error, and there must be none.
"""

from __future__ import annotations

from bench.harness import Report, Server, load, median

BUDGET = 0.8
ROUNDS = 3
SECONDS = 5.0
WARMUP_SECONDS = 2.0


def run(
    report: Report = print, *, database: str, keys_dir: str, ids: list[str], concurrency: int | None = None
) -> list[dict]:
    verify_paths = [f"/api/v1/verifications/{vid}" for vid in ids]
    bare_paths = [f"/bench/bare-lookup/{vid}" for vid in ids]
    with Server(database=database, keys_dir=keys_dir) as server:
        clients = concurrency or 2 * server.workers
        for paths in (verify_paths, bare_paths):
            load(server.base_url, paths, seconds=WARMUP_SECONDS, concurrency=clients)
        verify_runs, bare_runs = [], []
        for index in range(ROUNDS):
            pair = [(verify_runs, verify_paths), (bare_runs, bare_paths)]
            for runs, paths in pair if index % 2 == 0 else pair[::-1]:
                runs.append(load(server.base_url, paths, seconds=SECONDS, concurrency=clients))
    verify_rps = median([r.rps for r in verify_runs])
    bare_rps = median([r.rps for r in bare_runs])
    ratio = verify_rps / bare_rps
    ok = ratio >= BUDGET
    report(
        f"throughput.verification_vs_bare  verify={verify_rps:.0f} req/s bare={bare_rps:.0f} req/s "
        f"ratio={ratio:.2f} budget={BUDGET:g} {'OK' if ok else 'UNDER'} "
        f"(gunicorn {server.workers} workers, {clients} concurrent clients in a separate process, "
        f"median of {ROUNDS} x {SECONDS:g} s)"
    )
    requests = sum(r.requests for r in verify_runs + bare_runs)
    errors = sum(r.errors for r in verify_runs + bare_runs)
    statuses: dict[str, int] = {}
    for r in verify_runs + bare_runs:
        for status, n in r.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    p99 = max(r.p99_ms for r in verify_runs)
    errors_ok = errors == 0
    report(
        f"load.zero_errors  requests={requests} errors={errors} at {verify_rps:.0f} req/s verification "
        f"p50={median([r.p50_ms for r in verify_runs]):.0f} ms p99={p99:.0f} ms "
        f"{'OK' if errors_ok else 'ERRORS ' + str(statuses)}"
    )
    return [
        {
            "name": "throughput.verification_vs_bare",
            "verify_rps": verify_rps,
            "bare_rps": bare_rps,
            "ratio": ratio,
            "budget": BUDGET,
            "workers": server.workers,
            "concurrency": clients,
            "ok": ok,
        },
        {"name": "load.zero_errors", "requests": requests, "errors": errors, "statuses": statuses, "ok": errors_ok},
    ]
