"""Verification under load, against its floor (DESIGN.md, "Budgets"): the JSON answer and the HTML page, over HTTP,
from an external load generator, over thousands of certificates (the signature memo cold), production logging on.

    throughput.verification_vs_floor  verify=410 req/s floor=650 req/s ratio=0.63 budget=0.6 OK (...)
    throughput.page_vs_floor          page=350 req/s floor=650 req/s ratio=0.54 budget=0.5 OK
    throughput.queries_per_request    anonymous=2.0 verifier_token=3.0 budget=3 OK (counted by PostgreSQL)
    load.zero_errors                  requests=... errors=0 OK
    memory.worker_rss_100k            fresh=95 MB after=101 MB ratio=1.06 budget=1.5 OK

How:

* CERTIFICATES real certificates are issued in the benchmark database (a cohort built in bulk, then the issuance
  service: valid, signed, ten-module transcripts), next to whatever the table already holds (a million rows after
  the scale part). Every request draws one of their ids at random: each worker's signature memo (bounded in bytes,
  credentials/verification/checks.py) holds a small part of them, so nearly every verification parses and checks
  a snapshot it has not seen, as in a registry of millions.
* Two gunicorn servers, the same command and worker count (2 x cores + 1 sync workers): the registry with
  production settings (DEBUG off, Redis, LOG_FORMAT=json at INFO: one JSON access line per request, written to a
  file, and counted afterwards), and the floor (bench/floor/: a minimal Django project, no middleware, one indexed
  SELECT through psycopg2, JSON out) on the same database.
* The load generator is wrk (Debian's, installed by bench/install-wrk when missing) with bench/wrk_random.lua, in
  its own process, 2 x workers connections; bench/load.py only where wrk cannot be had (the line says which).
  Each round runs the JSON verification, the page and the floor for SECONDS each, in an order that rotates from
  round to round; ROUNDS rounds; the ratios are of the medians. Throttles are opened (their cost is measured,
  not their limit).
* Queries per request are counted by PostgreSQL itself (transactions committed in the benchmark database while
  one worker answers QUERY_REQUESTS verifications, read after it exits), so the connection health check's
  `SELECT 1` counts like any other round trip.
* Memory (optional, `--memory-verifications N`, on by default in `make bench`): one worker answers N random
  verifications; its resident memory then, against the same worker after its first FRESH_AFTER.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.harness import LoadResult, Report, Server, load_random, median, rss_mb

JSON_BUDGET = 0.6
PAGE_BUDGET = 0.5
QUERY_BUDGET = 3
MEMORY_BUDGET = 1.5
CERTIFICATES = 10_000
ROUNDS = 3
SECONDS = 10.0
WARMUP_SECONDS = 3.0
QUERY_REQUESTS = 500
MEMORY_VERIFICATIONS = 100_000
FRESH_AFTER = 200

TARGETS = {
    # name: (prefix, Accept)
    "verify": ("/api/v1/verifications/", "application/json"),
    "page": ("/v/", "text/html"),
    "floor": ("/floor/", "application/json"),
}


def issue_certificates(count: int = CERTIFICATES) -> list[str]:
    """`count` real certificates, issued by the issuance service to a cohort built in bulk; their ids."""
    from bench.issuance import _issue, build_cohort

    user, cohort = build_cohort(count, code="VERIFY")
    result = _issue(user, cohort)
    if len(result.issued) != count:
        raise RuntimeError(f"issued {len(result.issued)} of {count} certificates")
    _check_macs(result.issued[:: max(1, count // 20)])
    return [certificate.verification_id for certificate in result.issued]


def _check_macs(certificates) -> None:
    """The servers will take these certificates' signature MACs (ADR 0029): made under the SECRET_KEY they run
    with (bench/harness.py), not asking the key. A bench that measured the key instead would say so here."""
    from credentials.signing import load_keyring, mac_matches

    keyring = load_keyring()
    for certificate in certificates:
        args = (certificate.snapshot, certificate.signature, certificate.key_id, certificate.signature_mac)
        if not mac_matches(*args, keyring=keyring):
            raise RuntimeError(f"certificate {certificate.serial_number} has no signature MAC the servers accept")


def _get(url: str, accept: str, headers: dict | None = None) -> int:
    request = urllib.request.Request(url, headers={"Accept": accept, **(headers or {})})  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            answer.read()
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _check_answers(servers: dict[str, Server], ids: list[str]) -> None:
    """Each target answers 200 for a few of the ids before anything is timed."""
    for name, (prefix, accept) in TARGETS.items():
        for vid in ids[:3]:
            status = _get(servers[name].base_url + prefix + vid, accept)
            if status != 200:
                raise RuntimeError(f"{name} answered {status} for {prefix}{vid}")


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used (from /proc; 0 when it cannot be read)."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    return 0.0


def _processes(database: str) -> dict[str, list[int]]:
    """PostgreSQL backends serving `database` and the Redis server, by their /proc command lines."""
    found: dict[str, list[int]] = {"postgresql": [], "redis": []}
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if command.startswith("postgres: ") and f" {database} " in command:
                found["postgresql"].append(int(entry.name))
            elif command.startswith("redis-server"):
                found["redis"].append(int(entry.name))
    return found


class CpuMeter:
    """CPU per request of the server's workers, the database's backends and Redis, over the measured runs."""

    def __init__(self, database: str):
        self.database = database
        self.seconds: dict[str, dict[str, float]] = {}
        self.requests: dict[str, int] = {}

    def _snapshot(self, workers: list[int]) -> dict[str, dict[int, float]]:
        groups = {"workers": workers, **_processes(self.database)}
        return {group: {pid: _cpu_seconds(pid) for pid in pids} for group, pids in groups.items()}

    def measure(self, name: str, workers: list[int], run):
        """A backend that appears during the run (a connection renewed after CONN_MAX_AGE) counts from zero; one
        that exits takes its last moments with it (a few ms at most)."""
        before = self._snapshot(workers)
        result = run()
        after = self._snapshot(workers)
        spent = self.seconds.setdefault(name, {})
        for group, cpu in after.items():
            delta = sum(seconds - before[group].get(pid, 0.0) for pid, seconds in cpu.items() if seconds)
            spent[group] = spent.get(group, 0.0) + delta
        self.requests[name] = self.requests.get(name, 0) + result.requests
        return result

    def line(self) -> str:
        parts = []
        for name, spent in self.seconds.items():
            n = max(1, self.requests[name])
            parts.append(
                f"{name} {1000 * spent['workers'] / n:.2f} / {1000 * spent['postgresql'] / n:.2f} / "
                f"{1000 * spent['redis'] / n:.2f}"
            )
        return (
            "  throughput: CPU per request in ms, gunicorn workers / PostgreSQL / Redis: "
            + "; ".join(parts)
            + " (the rest of the machine's two cores went to wrk, the kernel and the other engineers' processes)"
        )


def _access_lines(path: str) -> int:
    """The JSON access lines in the server's log (parsed: the formatter's spacing is not a contract)."""
    count = 0
    with open(path, "rb") as fh:
        for line in fh:
            if b"registry.request" not in line:
                continue
            with contextlib.suppress(ValueError):
                count += json.loads(line).get("logger") == "registry.request"
    return count


def run(
    report: Report = print,
    *,
    database: str,
    keys_dir: str,
    ids: list[str] | None = None,  # noqa: ARG001 - kept for bench/__main__.py; this part issues its own
    certificates: int = CERTIFICATES,
    rounds: int = ROUNDS,
    seconds: float = SECONDS,
    memory_verifications: int = MEMORY_VERIFICATIONS,
) -> list[dict]:
    started = time.perf_counter()
    vids = issue_certificates(certificates)
    report(f"  throughput: {len(vids):,} certificates issued in {time.perf_counter() - started:.0f} s")
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as scratch:
        ids_file = str(Path(scratch) / "ids.txt")
        Path(ids_file).write_text("\n".join(vids) + "\n")
        results = _throughput(report, database, keys_dir, vids, ids_file, scratch, rounds, seconds)
        results.append(_queries(report, database, keys_dir, vids, scratch))
        if memory_verifications:
            results.append(_memory(report, database, keys_dir, ids_file, scratch, memory_verifications))
    return results


def _throughput(report, database, keys_dir, vids, ids_file, scratch, rounds, seconds) -> list[dict]:
    registry_log = str(Path(scratch) / "registry.log")
    with (
        Server(database=database, keys_dir=keys_dir, production_logging=True, output=registry_log) as registry,
        Server(
            database=database,
            keys_dir=keys_dir,
            settings_module="bench.floor.settings",
            output=str(Path(scratch) / "floor.log"),
        ) as floor,
    ):
        servers = {"verify": registry, "page": registry, "floor": floor}
        _check_answers(servers, vids)
        connections = 2 * registry.workers
        meter = CpuMeter(database)

        def measure(name: str, length: float) -> LoadResult:
            prefix, accept = TARGETS[name]
            return load_random(
                servers[name].base_url, prefix, ids_file, seconds=length, connections=connections, accept=accept
            )

        warmup = [measure(name, WARMUP_SECONDS) for name in TARGETS]
        runs: dict[str, list[LoadResult]] = {name: [] for name in TARGETS}
        names = list(TARGETS)
        for index in range(rounds):
            for name in names[index % len(names) :] + names[: index % len(names)]:
                workers = servers[name].worker_pids()
                runs[name].append(meter.measure(name, workers, lambda name=name: measure(name, seconds)))
        rss = [rss_mb(pid) for pid in registry.worker_pids()]
    # The registry's answers the load generator saw, and the few checked first; it may have answered a few more.
    answered = sum(r.requests for r in warmup[:2] + runs["verify"] + runs["page"]) + 3 * 2
    logged = _access_lines(registry_log)
    generator = runs["verify"][0].generator
    rps = {name: median([r.rps for r in results]) for name, results in runs.items()}
    setting = (
        f"gunicorn {registry.workers} sync workers each, {connections} connections from {generator}, "
        f"ids drawn at random from {len(vids):,} certificates, median of {rounds} x {seconds:g} s"
    )
    lines = []
    for name, budget in (("verify", JSON_BUDGET), ("page", PAGE_BUDGET)):
        ratio = rps[name] / rps["floor"]
        ok = ratio >= budget
        rounds_text = " ".join(f"{r.rps:.0f}" for r in runs[name])
        floor_text = " ".join(f"{r.rps:.0f}" for r in runs["floor"])
        line = "verification" if name == "verify" else "page"
        report(
            f"throughput.{line}_vs_floor  {name}={rps[name]:.0f} req/s floor={rps['floor']:.0f} req/s "
            f"ratio={ratio:.2f} budget={budget:g} {'OK' if ok else 'UNDER'} ({setting}; rounds {rounds_text} "
            f"vs floor {floor_text}; p50={median([r.p50_ms for r in runs[name]]):.0f} ms "
            f"p99={max(r.p99_ms for r in runs[name]):.0f} ms)"
        )
        lines.append(
            {
                "name": f"throughput.{line}_vs_floor",
                "rps": rps[name],
                "floor_rps": rps["floor"],
                "ratio": ratio,
                "budget": budget,
                "generator": generator,
                "ok": ok,
            }
        )
    all_runs = [r for results in runs.values() for r in results] + warmup
    requests = sum(r.requests for r in all_runs)
    errors = sum(r.errors for r in all_runs)
    statuses: dict[str, int] = {}
    for r in all_runs:
        for status, n in r.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    logging_ok = logged >= answered
    errors_ok = errors == 0 and logging_ok
    report(
        f"load.zero_errors  requests={requests} errors={errors} "
        f"{'OK' if errors_ok else 'ERRORS ' + str(statuses)} (all three targets, warm-up included; the registry "
        f"wrote {logged:,} JSON access lines for {answered:,} answers{'' if logging_ok else ': LOGGING WAS OFF'}; "
        f"worker RSS at the end {', '.join(f'{mb:.0f}' for mb in rss if mb)} MB)"
    )
    report(meter.line())
    lines.append({"name": "load.zero_errors", "requests": requests, "errors": errors, "ok": errors_ok})
    return lines


def _transactions(database: str) -> int:
    """Transactions committed or rolled back in `database` so far (PostgreSQL's own count, pg_stat_database)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s",
            [database],
        )
        return cursor.fetchone()[0]


def _verifier_token() -> str:
    from rest_framework.authtoken.models import Token

    from tests import factories

    return Token.objects.create(user=factories.UserFactory(verifier=True)).key


def _queries(report, database, keys_dir, vids, scratch) -> dict:
    """Round trips per verification as PostgreSQL counts them: every statement of the request (the lookup with its
    event, a token's lookup, the connection health check) is its own transaction in autocommit."""
    counts = {}
    token = _verifier_token()
    for name, headers in (("anonymous", {}), ("verifier_token", {"Authorization": f"Token {token}"})):
        with Server(
            database=database, keys_dir=keys_dir, workers=1, output=str(Path(scratch) / f"queries-{name}.log")
        ) as server:
            _get(f"{server.base_url}/api/v1/verifications/{vids[0]}", "application/json", headers)
            before = _transactions(database)
            for vid in vids[:QUERY_REQUESTS]:
                status = _get(f"{server.base_url}/api/v1/verifications/{vid}", "application/json", headers)
                if status != 200:
                    raise RuntimeError(f"verification answered {status}")
        # The worker has exited: its statistics are flushed (PostgreSQL sends them at the latest on exit).
        deadline = time.monotonic() + 5
        after = _transactions(database)
        while after - before < QUERY_REQUESTS and time.monotonic() < deadline:
            time.sleep(0.2)
            after = _transactions(database)
        counts[name] = (after - before) / QUERY_REQUESTS
    ok = max(counts.values()) <= QUERY_BUDGET + 0.05  # autovacuum may add a transaction or two to the count
    report(
        f"throughput.queries_per_request  anonymous={counts['anonymous']:.2f} "
        f"verifier_token={counts['verifier_token']:.2f} budget={QUERY_BUDGET} {'OK' if ok else 'OVER'} "
        f"(transactions PostgreSQL counted in the benchmark database over {QUERY_REQUESTS} verifications on gunicorn, "
        f"health checks included)"
    )
    return {"name": "throughput.queries_per_request", **counts, "budget": QUERY_BUDGET, "ok": ok}


def _memory(report, database, keys_dir, ids_file, scratch, verifications: int) -> dict:
    """One worker answers `verifications` random verifications; its RSS against the same worker when fresh."""
    started = time.perf_counter()
    with Server(
        database=database,
        keys_dir=keys_dir,
        workers=1,
        production_logging=True,
        output=str(Path(scratch) / "memory.log"),
    ) as server:
        (pid,) = server.worker_pids()
        booted = rss_mb(pid)
        prefix, accept = TARGETS["verify"]
        done = errors = 0
        fresh = None
        chunk = 1.0
        while done < verifications:
            result = load_random(server.base_url, prefix, ids_file, seconds=chunk, connections=4, accept=accept)
            errors += result.errors  # reported, not fatal: the line is about memory (a neighbour may restart
            done += result.requests  # the shared PostgreSQL: the errors then say so)
            if fresh is None and done >= FRESH_AFTER:
                fresh = rss_mb(pid)
            rate = result.rps or 1.0
            chunk = float(max(1, min(30, round((verifications - done) / rate))))
        after = rss_mb(pid)
        with contextlib.suppress(ValueError):
            (same,) = server.worker_pids()
            if same != pid:
                raise RuntimeError("the worker was replaced during the memory run")
    ratio = after / fresh
    ok = ratio <= MEMORY_BUDGET
    report(
        f"memory.worker_rss_{verifications // 1000}k  fresh={fresh:.0f} MB after={after:.0f} MB ratio={ratio:.2f} "
        f"budget={MEMORY_BUDGET:g} {'OK' if ok else 'OVER'} (one gunicorn worker, {done:,} random verifications in "
        f"{time.perf_counter() - started:.0f} s, errors={errors}; fresh = after its first {FRESH_AFTER}; "
        f"{booted:.0f} MB when booted)"
    )
    return {
        "name": f"memory.worker_rss_{verifications // 1000}k",
        "fresh_mb": fresh,
        "after_mb": after,
        "verifications": done,
        "errors": errors,
        "ratio": ratio,
        "budget": MEMORY_BUDGET,
        "ok": ok,
    }


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.throughput [--certificates N] [--rounds N] [--seconds S] [--memory-verifications N]`: this
    part alone, in its own throwaway database (BENCH_DATABASE, default registry_bench_throughput)."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=CERTIFICATES)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--memory-verifications", type=int, default=0, help="0: no memory line")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    from bench.__main__ import _setup_django

    _setup_django()
    from bench import harness

    name = os.environ.get("BENCH_DATABASE", "registry_bench_throughput")
    with harness.bench_database(name) as database, harness.signing_key() as keys_dir:
        machine = harness.machine()
        report_load = ", ".join(f"{x:.1f}" for x in machine["load_average"] or [])
        print(f"machine: {machine['cpu']}, {machine['cores']} cores; load average {report_load}", flush=True)
        results = run(
            print,
            database=database,
            keys_dir=keys_dir,
            certificates=args.certificates,
            rounds=args.rounds,
            seconds=args.seconds,
            memory_verifications=args.memory_verifications,
        )
    print(f"load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0 if all(result["ok"] for result in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
