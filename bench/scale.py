"""Scale budget (DESIGN.md): verifying a certificate with 1,000,000 certificates stored takes at most 1.2x
the time it takes with 1,000, random ids (not a hot set), the signature memo cold.

    scale.verification_1m_vs_1k  1,000=1.62 ms 1,000,000=1.70 ms ratio=1.05 budget=1.2 OK

How:

* REAL certificates are issued for real (a cohort of enrolments, snapshots built and signed); the table is
  filled to 1,000 rows, then to 1,000,000, with copies of a real row made in SQL (`INSERT ... SELECT ... FROM
  generate_series`): each copy has its own serial number and verification id, written into its snapshot too
  (so the heap and its TOAST are the size a real registry's would be, and a verification of a copy does all
  the work of a real one: the snapshot parsed, made canonical and checked against the Ed25519 signature, which
  then fails, as the copy is not what was signed), status `superseded` (so the one-live-certificate-per-
  enrolment constraint holds while they share an enrolment). Foreign-key triggers are skipped while copying
  (`session_replication_role = replica`; every key is valid anyway). Then `VACUUM ANALYZE`, as autovacuum
  would after such a load.
* Verified through the whole Django stack in-process (`django.test.Client`): the throttle, the indexed lookup
  with its joins and the event INSERT in one statement, the four checks, the JSON answer. Each round draws
  PER_ROUND ids at random from the whole table of its size (at a million: pages of the index, the heap and
  TOAST nobody read a moment ago), with the signature memo emptied first (every verification parses and
  checks its snapshot, as in a registry of millions).
* The 1,000-row database is copied aside (CREATE DATABASE ... TEMPLATE) before the big fill, so both sizes are
  timed turn about in the same minutes: ROUNDS alternating rounds, median per-request time, after a warm-up
  and a CHECKPOINT (the load's dirty pages flushed). A million rows cannot make a lookup cheaper: a ratio
  under NOISE_FLOOR is printed as noise, not as a gain.

Runs in the benchmark database (bench/harness.py), which it expects migrated and empty of certificates.
"""

from __future__ import annotations

import datetime
import statistics
import time

from bench.harness import Report

REAL = 100
SMALL = 1_000
LARGE = 1_000_000
ROUNDS = 15
PER_ROUND = 200
BUDGET = 1.2
NOISE_FLOOR = 0.9
CHUNK = 250_000  # rows per INSERT, so progress shows and no single statement runs for minutes


def seed_real_certificates(count: int = REAL) -> list[str]:
    """`count` valid, signed certificates in one cohort (the factories' coherent world); their verification ids."""
    from django.utils import timezone

    from tests import factories

    today = timezone.localdate()
    provider = factories.OrganisationFactory(slug="bench-provider", name="Bench Provider")
    curriculum = factories.CurriculumFactory()
    factories.AccreditationFactory(
        provider=provider,
        qualification=curriculum.qualification,
        valid_from=today - datetime.timedelta(days=365),
        valid_until=today + datetime.timedelta(days=365),
    )
    cohort = factories.CohortFactory(provider=provider, curriculum=curriculum)
    ids = []
    for _ in range(count):
        enrolment = factories.issuable_enrolment(provider=provider, curriculum=curriculum, cohort=cohort)
        ids.append(factories.CertificateFactory(enrolment=enrolment, awarded_on=today, issued_on=today).verification_id)
    return ids


def fill_certificates(total: int, report: Report | None = None) -> int:
    """Copy a real certificate row until the table holds `total` rows; returns the number added."""
    from django.db import connection

    from credentials.models import Certificate

    columns = [f.column for f in Certificate._meta.concrete_fields if f.column != "id"]
    generated = {
        "serial_number": "k.serial_number",
        "verification_id": "k.verification_id",
        # The copy's own serial and id inside its snapshot: its verification does a real one's work.
        "snapshot": "jsonb_set(jsonb_set(t.snapshot, '{serial_number}', to_jsonb(k.serial_number)), "
        "'{verification_id}', to_jsonb(k.verification_id))",
        "status": "'superseded'",
        "supersedes_id": "NULL",
        "replaces_revoked_id": "NULL",
    }
    select = ", ".join(generated.get(c, f"t.{connection.ops.quote_name(c)}") for c in columns)
    insert_columns = ", ".join(connection.ops.quote_name(c) for c in columns)
    table = Certificate._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), max(id) FILTER (WHERE status = 'valid') FROM {table}")
        existing, template_id = cursor.fetchone()
        missing = total - existing
        if missing <= 0:
            return 0
        cursor.execute(
            f"SELECT coalesce(max(substr(serial_number, 7)::int), 0) FROM {table} WHERE serial_number LIKE 'BENCH-%%'"
        )
        offset = cursor.fetchone()[0]
        cursor.execute("SET session_replication_role = replica")
        try:
            done = 0
            while done < missing:
                size = min(CHUNK, missing - done)
                start = offset + done + 1
                cursor.execute(
                    f"INSERT INTO {table} ({insert_columns}) "
                    f"SELECT {select} FROM generate_series(%s, %s) AS g, "
                    # 26 characters of Crockford base32 (hex digits are a subset), unique per g.
                    "LATERAL (SELECT 'BENCH-' || lpad(g::text, 9, '0') AS serial_number, "
                    "upper(substr(md5('bench-' || g::text) || md5('scale-' || g::text), 1, 26)) AS verification_id) "
                    f"AS k, (SELECT * FROM {table} WHERE id = %s) AS t",
                    [start, start + size - 1, template_id],
                )
                done += size
                if report and missing > CHUNK:
                    report(f"  scale: {existing + done:,} certificates stored")
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute(f"VACUUM ANALYZE {table}")
    return missing


def _random_ids(count: int) -> list[str]:
    """`count` verification ids drawn at random from the whole certificate table (all of them when fewer)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT verification_id FROM credentials_certificate ORDER BY random() LIMIT %s", [count])
        return [row[0] for row in cursor.fetchall()]


def _time_round(client, urls: list[str]) -> float:
    """Mean wall time of one verification over one pass through `urls`, the signature memo emptied first."""
    from credentials.verification.checks import signature_memo

    signature_memo.clear()
    started = time.perf_counter()
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return (time.perf_counter() - started) / len(urls)


def _checkpoint() -> None:
    """Flush the bulk load's dirty pages now, so the background writer does not weigh on the timing."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")


def run(report: Report = print, *, large: int = LARGE, ids: list[str] | None = None) -> list[dict]:
    from django.db import connection
    from django.test import Client

    from bench import harness
    from credentials.models import Certificate

    ids = ids or seed_real_certificates()
    client = Client()
    fill_certificates(SMALL)
    large_db = connection.settings_dict["NAME"]
    small_db = f"{large_db}_1k"
    harness.clone_database(small_db)  # the 1,000-row state, kept to time both sizes turn about
    try:
        started = time.perf_counter()
        fill_certificates(large, report)
        fill_seconds = time.perf_counter() - started
        _checkpoint()
        counts, samples, pools = {}, {small_db: [], large_db: []}, {}
        for name in samples:
            with harness.use_database(name):
                counts[name] = Certificate.objects.count()
                pools[name] = _random_ids(ROUNDS * PER_ROUND)
                for vid in ids[:PER_ROUND]:  # warm-up: the connection, the prepared statement, the code paths
                    client.get(f"/api/v1/verifications/{vid}")
        for index in range(ROUNDS):  # alternate which size goes first, so load on the machine hits both
            order = [small_db, large_db] if index % 2 == 0 else [large_db, small_db]
            for name in order:
                start = index * PER_ROUND % len(pools[name])  # disjoint ids from round to round, when there are
                urls = [f"/api/v1/verifications/{vid}" for vid in pools[name][start : start + PER_ROUND]]
                with harness.use_database(name):
                    client.get(f"/api/v1/verifications/{ids[0]}")  # reconnect outside the clock
                    samples[name].append(_time_round(client, urls))
    finally:
        harness.drop_database(small_db)
    small_s, large_s = statistics.median(samples[small_db]), statistics.median(samples[large_db])
    small_count, large_count = counts[small_db], counts[large_db]
    ratio = large_s / small_s
    ok = ratio <= BUDGET
    verdict = "OK" if ok else "OVER"
    if ratio < NOISE_FLOOR:  # more rows cannot make a lookup cheaper: the machine was busier during the small runs
        verdict += f" (ratio under {NOISE_FLOOR:g}: noise, not a gain; rerun on a quieter machine)"
    report(
        f"scale.verification_1m_vs_1k  {small_count:,}={small_s * 1000:.2f} ms {large_count:,}={large_s * 1000:.2f} ms "
        f"ratio={ratio:.2f} budget={BUDGET:g} {verdict} "
        f"(median of {ROUNDS} alternating rounds x {PER_ROUND} verifications of ids drawn at random from the whole "
        f"table, signature memo emptied each round; {large_count - small_count:,} rows added in {fill_seconds:.0f} s)"
    )
    return [
        {
            "name": "scale.verification_1m_vs_1k",
            "small_rows": small_count,
            "large_rows": large_count,
            "small_ms": small_s * 1000,
            "large_ms": large_s * 1000,
            "ratio": ratio,
            "budget": BUDGET,
            "noise": ratio < NOISE_FLOOR,
            "ok": ok,
        }
    ]
