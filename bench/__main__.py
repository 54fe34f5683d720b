"""`make bench`: every budget of DESIGN.md measured as a ratio in one run, on PostgreSQL.

    python -m bench [--only scale,throughput,issuance,imports,pdf,verification,growth] [--scale-rows N]
                    [--issuance-count N] [--throughput-certificates N] [--memory-verifications N]
                    [--profile] [--record docs/performance.md]

Prints the machine, then one line per budget (name, the two measurements, ratio, budget, OK or not);
exits 1 when a budget is missed. Works in a throwaway database (`registry_bench`, or BENCH_DATABASE: created,
migrated and dropped here; growth and imports make their own) with a throwaway signing key, so DATABASE_URL's
database is never written to. Needs PostgreSQL and Redis (REDIS_URL, default redis://127.0.0.1:6379/0: the
gunicorn servers run with production settings); installs wrk (bench/install-wrk) when it can. About a quarter
of an hour on 2 cores: filling the table with 1,000,000 certificates, the throughput rounds, and 100,000
verifications for the memory line (`--memory-verifications 0` leaves that out).

Order matters: the scale benchmark needs an empty certificate table; the HTTP throughput and issuance
then run against the table of a million, as a national registry's would be after some years.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time

PARTS = ["scale", "throughput", "issuance", "imports", "pdf", "verification", "growth"]
RECORD_START = "<!-- bench:results:start -->"
RECORD_END = "<!-- bench:results:end -->"


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated subset of {','.join(PARTS)}")
    parser.add_argument("--scale-rows", type=int, default=1_000_000, help="certificates stored for the scale run")
    parser.add_argument("--issuance-count", type=int, default=10_000, help="certificates issued in bulk")
    parser.add_argument(
        "--throughput-certificates", type=int, default=10_000, help="certificates the HTTP runs draw ids from"
    )
    parser.add_argument(
        "--memory-verifications", type=int, default=100_000, help="verifications for the memory line (0: none)"
    )
    parser.add_argument("--profile", action="store_true", help="print a profile of bulk issuance")
    parser.add_argument("--record", metavar="FILE", help="write the results into FILE (docs/performance.md)")
    parser.add_argument("--part", help=argparse.SUPPRESS)  # the child process of one in-process part
    parser.add_argument("--part-results", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.only = [part.strip() for part in args.only.split(",") if part.strip()]
    unknown = set(args.only) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    return args


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Throttles would answer 429 to a benchmark; each part measures the throttle's cost, not its limit.
    for name in ("THROTTLE_VERIFY_ANON", "THROTTLE_VERIFY_USER", "THROTTLE_VERIFY_VERIFIER", "THROTTLE_IMPACT_ANON"):
        os.environ.setdefault(name, "100000000/min")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    from bench.harness import BENCH_SECRET_KEY

    os.environ["SECRET_KEY"] = BENCH_SECRET_KEY  # the servers' (bench/harness.py)
    import django

    django.setup()


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    if args.part:
        return _run_part(args.part, args.part_results)
    _setup_django()
    from django.conf import settings

    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        print("make bench needs PostgreSQL: set DATABASE_URL")
        return 2

    from bench import harness

    lines: list[str] = []

    def report(line: str) -> None:
        print(line, flush=True)
        if not line.startswith(" "):
            lines.append(line)

    results: list[dict] = []
    started = time.perf_counter()
    with harness.bench_database() as database, harness.signing_key() as keys_dir:
        machine = harness.machine()
        print(
            f"machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GB; {machine['os']}; "
            f"Python {machine['python']}; PostgreSQL {machine['postgresql']} "
            f"(shared_buffers {machine['shared_buffers']}); load average {machine['load_average']}",
            flush=True,
        )
        ids: list[str] = []
        if "scale" in args.only or "throughput" in args.only:
            from bench import scale

            ids = scale.seed_real_certificates()
        if "scale" in args.only:
            results += scale.run(report, large=args.scale_rows, ids=ids)
        if "throughput" in args.only:
            from bench import throughput

            results += throughput.run(
                report,
                database=database,
                keys_dir=keys_dir,
                ids=ids,
                certificates=args.throughput_certificates,
                memory_verifications=args.memory_verifications,
            )
        if "issuance" in args.only:
            from bench import issuance

            results += issuance.run(report, count=args.issuance_count, profile=args.profile)
        if "imports" in args.only:
            results += _plugged("imports", report, database=database, keys_dir=keys_dir)
        if "pdf" in args.only:
            results += _plugged("pdf", report, database=database, keys_dir=keys_dir)
        if "verification" in args.only:
            results += _plugged("verification", report, database=database, keys_dir=keys_dir)
        if "growth" in args.only:
            # its own two databases, 1,000 and 100,000 graduates
            results += _plugged("growth", report, database=database, keys_dir=keys_dir)
    elapsed = time.perf_counter() - started
    missed = [result["name"] for result in results if not result["ok"]]
    summary = f"bench: {len(results) - len(missed)} of {len(results)} budgets met in {elapsed:.0f} s"
    summary += f"; missed: {', '.join(missed)}" if missed else ""
    if hasattr(os, "getloadavg"):
        summary += f"; load average at the end {', '.join(f'{x:.1f}' for x in os.getloadavg())}"
    print(summary)
    if args.record:
        _record(args.record, machine, lines, summary)
    return 1 if missed else 0


def _plugged(name: str, report, *, database: str, keys_dir: str) -> list[dict]:
    """A part measured in-process (`bench/<name>.py` with `run(report) -> [{"name", "ok", ...}]`), run in a fresh
    interpreter, as a web worker is: in this process it would inherit the heap the earlier parts left (a million
    rows' worth of objects, the throughput run's), and every full garbage collection during its requests would walk
    that too (a cached PDF download read 2.2 ms in one run and 3.2 ms in the next, one verification 2.45 and 3.20).
    The child works in the same benchmark database with the same signing key; its lines come back through `report`.
    """
    import json
    import subprocess
    import tempfile

    from bench import harness

    env = {key: value for key, value in os.environ.items() if not key.startswith("SIGNING_")}
    env.update(DATABASE_URL=harness.database_url(database), SIGNING_KEYS_DIR=keys_dir)
    with tempfile.NamedTemporaryFile(prefix=f"bench-{name}-", suffix=".json") as results_file:
        command = [sys.executable, "-m", "bench", "--part", name, "--part-results", results_file.name]
        with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) as child:  # noqa: S603
            for line in child.stdout:
                report(line.rstrip("\n"))
        if child.returncode != 0:
            report(f"{name}: the part's process exited with status {child.returncode}")
            return [{"name": name, "ok": False, "exit_status": child.returncode}]
        with open(results_file.name, encoding="utf-8") as fh:
            return json.load(fh)


def _run_part(name: str, results_path: str) -> int:
    """The child of `_plugged`: one part, its lines on stdout, its results as JSON in `results_path`."""
    import json
    from importlib import import_module

    _setup_django()
    _sequences_past_the_parents(100_000 * (PARTS.index(name) + 1))
    try:
        module = import_module(f"bench.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"bench.{name}":
            raise
        print(f"{name}: bench/{name}.py is not there yet; skipped", flush=True)
        results = [{"name": name, "ok": False, "missing": True}]
    else:
        results = module.run(lambda line: print(line, flush=True))
    with open(results_path, "w", encoding="utf-8") as fh:
        json.dump(results, fh, default=str)
    return 0


def _sequences_past_the_parents(start: int) -> None:
    """The test factories' sequences (slugs, codes, personal numbers) from `start`: a part's process starts them at
    0, where the rows the run's own process made already are (100,000 apart per part: a part makes far fewer)."""
    import inspect

    from factory.django import DjangoModelFactory

    from tests import factories

    for candidate in vars(factories).values():
        if inspect.isclass(candidate) and issubclass(candidate, DjangoModelFactory) and not candidate._meta.abstract:
            candidate.reset_sequence(start, force=True)


def _record(path: str, machine: dict, lines: list[str], summary: str) -> None:
    """Replace the results block of `path` (between the bench markers) with this run's lines."""
    block = "\n".join(
        [
            RECORD_START,
            f"Run of {datetime.date.today().isoformat()} on {machine['cpu']}, {machine['cores']} cores, "
            f"{machine['memory_gb']} GB RAM, {machine['os']}, Python {machine['python']}, "
            f"PostgreSQL {machine['postgresql']} (shared_buffers {machine['shared_buffers']}); "
            f"load average at start {', '.join(f'{x:.1f}' for x in machine['load_average'] or [])}.",
            "",
            "```",
            *lines,
            summary,
            "```",
            RECORD_END,
        ]
    )
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    if RECORD_START in text and RECORD_END in text:
        head, rest = text.split(RECORD_START, 1)
        text = head + block + rest.split(RECORD_END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


if __name__ == "__main__":
    raise SystemExit(main())
