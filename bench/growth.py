"""Growth budgets (DESIGN.md): what grows with the registry costs, at 100 times the data, at most twice what it
costs at the small size.

    growth.impact_page_100k_vs_1k         /impact/ at 100,000 graduates vs 1,000
    growth.stats_impact_100k_vs_1k        GET /api/v1/stats/impact (overall) at 100,000 graduates vs 1,000
    growth.stats_impact_cohort_100k_vs_1k GET /api/v1/stats/impact?by=cohort, the same
    growth.certificates_first_page ...    a provider's certificate list, first and last page, 95% of 100,000
    growth.learners_first_page ...        the same for learners
    growth.audit_first_page ...           the audit trail (ministry) at 1,000,000 entries vs 1,000
    growth.events_first_page ...          the verification events (ministry) at 1,000,000 vs 1,000

How:

* A world of graduates is written in SQL (`INSERT ... SELECT ... FROM generate_series`), the catalogue rows
  it hangs off made once by the factories: cohorts of 25, one learner per enrolment (5% withdrawn), one
  certificate per graduate (2% revoked) copied from a real one, tracer answers (60% at 6 months, 30% again at
  12) and employer ratings (a fifth). 95% of it belongs to one provider, the rest to nine others.
* The small size is written first and copied aside (CREATE DATABASE ... TEMPLATE); the same world is then
  grown to the large size in the benchmark database, so both are timed turn about in the same minutes: the
  median over alternating rounds, in-process through the whole Django stack (`django.test.Client`), after a
  warm-up. The impact figures are timed as a reader finds them: served from the shared cache that the first
  request after a change fills (the cold computation is printed beside them, not budgeted).
* Lists: page 1 and the last page, as the caller would ask for them (the `next` link's shape: page numbers
  for most lists, the cursor for the audit trail and the verification events).

Runs in the benchmark database (bench/harness.py) and leaves it as it found it (its rows deleted).
"""

from __future__ import annotations

import datetime
import statistics
import time
import uuid

from bench.harness import Report

SMALL = 1_000
LARGE = 100_000
AUDIT_SMALL = 1_000
AUDIT_LARGE = 1_000_000
COHORT_SIZE = 25
PROVIDERS = 10
BUDGET = 2.0
ROUNDS = 7
REPEAT = 5  # requests of one URL per round
CHUNK = 200_000


# --- the world ----------------------------------------------------------------------------------------------


class World:
    """The catalogue rows the graduates hang off, made by the factories: providers with their accreditations,
    one curriculum, an employer (a municipality), a ministry user, a real certificate to copy."""

    def __init__(self):
        from django.utils import timezone

        from registry.models import Municipality
        from tests import factories

        today = timezone.localdate()
        self.curriculum = factories.CurriculumFactory()
        qualification = self.curriculum.qualification
        self.providers = [
            factories.OrganisationFactory(slug=f"growth-provider-{n}", name=f"Growth Provider {n}")
            for n in range(PROVIDERS)
        ]
        self.accreditations = {
            provider.pk: factories.AccreditationFactory(
                provider=provider,
                qualification=qualification,
                valid_from=today - datetime.timedelta(days=3650),
                valid_until=today + datetime.timedelta(days=365),
            ).pk
            for provider in self.providers
        }
        self.employer = factories.OrganisationFactory(municipality_org=True, slug="growth-employer")
        self.ministry = factories.UserFactory(ministry=True)
        self.provider_user = factories.UserFactory(organisation=self.providers[0])
        self.municipalities = list(Municipality.objects.order_by("id").values_list("id", flat=True))
        cohort = factories.CohortFactory(provider=self.providers[0], curriculum=self.curriculum, code="GROWTH-TEMPLATE")
        enrolment = factories.issuable_enrolment(provider=self.providers[0], curriculum=self.curriculum, cohort=cohort)
        self.template = factories.CertificateFactory(enrolment=enrolment, awarded_on=today, issued_on=today)

    def provider_sql(self, cohort: str) -> str:
        """The provider of cohort number `cohort` (an SQL expression): one in twenty goes to the nine others."""
        ids = ",".join(str(p.pk) for p in self.providers)
        return f"(ARRAY[{ids}])[CASE WHEN {cohort} %% 20 = 0 THEN 2 + ({cohort} / 20) %% {PROVIDERS - 1} ELSE 1 END]"

    def accreditation_sql(self, provider: str) -> str:
        cases = " ".join(f"WHEN {p} THEN {a}" for p, a in self.accreditations.items())
        return f"(CASE {provider} {cases} END)"


def grow_graduates(world: World, total: int, report: Report | None = None) -> int:
    """Add graduates numbered from the current count + 1 until `total` enrolments exist (the template's
    aside); returns how many were added. Every row made in SQL, a chunk per statement."""
    from django.db import connection

    from credentials.models import Certificate, Cohort, Enrolment, Learner
    from outcomes.models import EmployerSurvey, TracerResponse

    learners, cohorts, enrolments = Learner._meta.db_table, Cohort._meta.db_table, Enrolment._meta.db_table
    certificates, responses = Certificate._meta.db_table, TracerResponse._meta.db_table
    surveys = EmployerSurvey._meta.db_table
    municipalities = "ARRAY[" + ",".join(map(str, world.municipalities)) + "]"
    n_municipalities = len(world.municipalities)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {learners} WHERE personal_number LIKE '9%%'", [])
        existing = cursor.fetchone()[0]
        missing = total - existing
        if missing <= 0:
            return 0
        first_cohort = existing // COHORT_SIZE
        last_cohort = (total - 1) // COHORT_SIZE
        # Cohorts: ended in one of the last eight years, in one of the municipalities.
        cursor.execute(
            f"""INSERT INTO {cohorts} (provider_id, curriculum_id, code, name, start_date, end_date, delivery_mode,
                    municipality_id, mentors, status, created_at, updated_at)
                SELECT {world.provider_sql("c")}, %s, 'G' || lpad(c::text, 6, '0'), '',
                    DATE '2018-01-15' + (c %% 8) * 365, DATE '2018-12-15' + (c %% 8) * 365, 'hybrid',
                    ({municipalities})[1 + c %% {n_municipalities}], '[]'::jsonb, 'finished', now(), now()
                FROM generate_series(%s, %s) AS c
                ON CONFLICT DO NOTHING""",
            [world.curriculum.pk, first_cohort, last_cohort],
        )
        columns = [f.column for f in Certificate._meta.concrete_fields if f.column != "id"]
        quote = connection.ops.quote_name
        done = 0
        while done < missing:
            start = existing + done + 1
            end = min(start + CHUNK - 1, total)
            # Learners: g is the graduate's number, kept in the personal number (9 followed by nine digits).
            cursor.execute(
                f"""INSERT INTO {learners} (provider_id, given_name, family_name, date_of_birth, personal_number,
                        gender, municipality_id, email, language, created_at, updated_at)
                    SELECT {world.provider_sql("((g - 1) / " + str(COHORT_SIZE) + ")")},
                        'Given' || (g * 7919 %% 997), 'Family' || lpad((g::bigint * 104729 %% 100003)::text, 6, '0'),
                        DATE '1985-01-01' + (g %% 7000), '9' || lpad(g::text, 9, '0'),
                        (ARRAY['female','female','male','other','undisclosed'])[1 + g %% 5],
                        CASE WHEN g %% 50 = 0 THEN NULL ELSE ({municipalities})[1 + (g * 31) %% {n_municipalities}] END,
                        '', '', now(), now()
                    FROM generate_series(%s, %s) AS g""",
                [start, end],
            )
            cursor.execute(f"ANALYZE {cohorts}; ANALYZE {learners}")  # so the joins below hash, not loop
            cursor.execute(
                f"""INSERT INTO {enrolments} (learner_id, cohort_id, status, enrolled_on, completed_on, created_at,
                        updated_at)
                    SELECT l.id, c.id, CASE WHEN g %% 20 = 7 THEN 'withdrawn' ELSE 'completed' END, c.start_date,
                        CASE WHEN g %% 20 = 7 THEN NULL ELSE c.end_date END, now(), now()
                    FROM (SELECT id, substr(personal_number, 2)::int AS g FROM {learners}
                          WHERE personal_number BETWEEN %s AND %s) AS l
                    JOIN {cohorts} c ON c.code = 'G' || lpad(((l.g - 1) / {COHORT_SIZE})::text, 6, '0')
                        AND c.curriculum_id = %s""",
                [f"9{start:09d}", f"9{end:09d}", world.curriculum.pk],
            )
            cursor.execute(f"ANALYZE {enrolments}")
            generated = {
                "serial_number": "'GROWTH-' || lpad(e.g::text, 9, '0')",
                "verification_id": "upper(substr(md5('growth-' || e.g::text) || md5('more-' || e.g::text), 1, 26))",
                "learner_id": "e.learner_id",
                "enrolment_id": "e.id",
                "provider_id": "e.provider_id",
                "accreditation_id": world.accreditation_sql("e.provider_id"),
                "holder_name": "'Holder ' || e.g",
                "status": "CASE WHEN e.g %% 50 = 3 THEN 'revoked' ELSE 'valid' END",
                "status_reason_code": "CASE WHEN e.g %% 50 = 3 THEN 'issued_in_error' ELSE '' END",
                "issued_on": "e.end_date + 20",
                "awarded_on": "e.end_date + 10",
                "supersedes_id": "NULL",
                "replaces_revoked_id": "NULL",
            }
            select = ", ".join(generated.get(c, f"t.{quote(c)}") for c in columns)
            cursor.execute(
                f"""INSERT INTO {certificates} ({", ".join(quote(c) for c in columns)})
                    SELECT {select}
                    FROM (SELECT en.id, en.learner_id, substr(l.personal_number, 2)::int AS g, c.provider_id,
                                 c.end_date
                          FROM {enrolments} en JOIN {learners} l ON l.id = en.learner_id
                          JOIN {cohorts} c ON c.id = en.cohort_id
                          WHERE l.personal_number BETWEEN %s AND %s AND en.status = 'completed') AS e,
                         (SELECT * FROM {certificates} WHERE id = %s) AS t""",
                [f"9{start:09d}", f"9{end:09d}", world.template.pk],
            )
            statuses = (
                "(ARRAY['employed_public_school','employed_municipality','employed_private_family','self_employed',"
                "'employed_other','further_study','unemployed','inactive','employed_municipality',"
                "'employed_public_school'])"
            )
            for wave, share in ((6, 6), (12, 3)):
                cursor.execute(
                    f"""INSERT INTO {responses} (certificate_id, enrolment_id, wave, employment_status, employer_id,
                            employer_name, work_municipality_id, months_to_first_job, job_uses_qualification,
                            skills_satisfaction, skills_mean, would_choose_again, responded_on, source, created_at,
                            updated_at)
                        SELECT ce.id, ce.enrolment_id, %s, {statuses}[1 + (g * 13 + %s) %% 10], NULL, '', NULL,
                            CASE WHEN g %% 3 = 0 THEN NULL ELSE g %% 13 END, true, '{{}}'::jsonb,
                            1 + (g %% 41) / 10.0, true, ce.issued_on + %s * 30, 'import', now(), now()
                        FROM (SELECT id, enrolment_id, issued_on, substr(serial_number, 8)::int AS g
                              FROM {certificates}
                              WHERE serial_number BETWEEN %s AND %s) AS ce
                        WHERE g %% 10 < %s""",
                    [wave, wave, wave, f"GROWTH-{start:09d}", f"GROWTH-{end:09d}", share],
                )
            cursor.execute(
                f"""INSERT INTO {surveys} (employer_id, certificate_id, enrolment_id, graduate_satisfaction,
                        programme_satisfaction, surveyed_on, created_at)
                    SELECT %s, ce.id, ce.enrolment_id, 1 + (g * 7) %% 5, NULL, ce.issued_on + 200, now()
                    FROM (SELECT id, enrolment_id, issued_on, substr(serial_number, 8)::int AS g
                          FROM {certificates} WHERE serial_number BETWEEN %s AND %s) AS ce
                    WHERE g %% 5 = 1""",
                [world.employer.pk, f"GROWTH-{start:09d}", f"GROWTH-{end:09d}"],
            )
            done = end - existing
            if report and missing > CHUNK:
                report(f"  growth: {existing + done:,} graduates stored")
        for table in (learners, cohorts, enrolments, certificates, responses, surveys):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return missing


def grow_audit(total: int, report: Report | None = None) -> int:
    """Audit entries (and as many verification events) until each table holds `total` rows, a minute apart
    going back from now; returns how many were added to the audit trail."""
    from django.db import connection

    from credentials.models import Certificate, VerificationEvent
    from registry.models import AuditEntry

    audit, events = AuditEntry._meta.db_table, VerificationEvent._meta.db_table
    added = 0
    with connection.cursor() as cursor:
        for table in (audit, events):
            cursor.execute(f"SELECT count(*) FROM {table}")
            existing = cursor.fetchone()[0]
            missing = total - existing
            done = 0
            while done < missing:
                start, end = existing + done + 1, min(existing + done + CHUNK, total)
                if table == audit:
                    cursor.execute(
                        f"""INSERT INTO {audit} (action, object_type, object_id, object_repr, reason, request_id,
                                created_at)
                            SELECT 'update', 'credentials.learner', g::text, 'learner ' || g, '', '',
                                now() - (%s - g) * interval '1 minute'
                            FROM generate_series(%s, %s) AS g""",
                        [total, start, end],
                    )
                else:
                    cursor.execute(
                        f"""INSERT INTO {events} (certificate_id, verification_id_tried, outcome, channel,
                                ip_hash, user_agent_family, created_at)
                            SELECT ids[1 + g %% cardinality(ids)], '', 'valid', 'api', '', 'bench',
                                now() - (%s - g) * interval '1 minute'
                            FROM generate_series(%s, %s) AS g,
                                 (SELECT array_agg(id ORDER BY id) AS ids FROM {Certificate._meta.db_table}) AS c""",
                        [total, start, end],
                    )
                done = end - existing
                if report and missing > CHUNK:
                    report(f"  growth: {existing + done:,} rows in {table}")
            if table == audit:
                added = max(missing, 0)
            cursor.execute(f"VACUUM ANALYZE {table}")
    return added


# --- the measurements ---------------------------------------------------------------------------------------


def _create_database(name: str) -> None:
    from bench.harness import _admin_connection, drop_database

    drop_database(name)
    conn = _admin_connection()
    try:
        with conn.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()


def _client(user=None):
    from django.test import Client
    from rest_framework.authtoken.models import Token

    if user is None:
        return Client()
    token, _ = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def _last_pages(world: World) -> dict[str, str]:
    """For each list, its last page as a caller reaches it: the page number from `count`, or (cursor lists) the
    cursor a walk to the end would follow, the one naming the row before the oldest page."""
    from core.api.pagination import encode_cursor
    from credentials.models import VerificationEvent
    from registry.models import AuditEntry

    urls = {}
    for name, url, user in _lists(world):
        if "cursor" in name:
            model = AuditEntry if "audit" in name else VerificationEvent
            oldest = list(model.objects.order_by("created_at", "id").values_list("created_at", "id")[:51])
            urls[name] = f"{url}?cursor={encode_cursor(*oldest[-1])}"
        else:
            count = _client(user).get(url).json()["count"]
            urls[name] = f"{url}?page={max(1, -(-count // 50))}"
    return urls


def _lists(world: World) -> list[tuple[str, str, object]]:
    return [
        ("certificates (provider)", "/api/v1/certificates", world.provider_user),
        ("certificates (ministry)", "/api/v1/certificates", world.ministry),
        ("learners (provider)", "/api/v1/learners", world.provider_user),
        ("enrolments (provider)", "/api/v1/enrolments", world.provider_user),
        ("tracer responses (provider)", "/api/v1/tracer-responses", world.provider_user),
        ("audit trail (cursor)", "/api/v1/audit-entries", world.ministry),
        ("verification events (cursor)", "/api/v1/verification-events", world.ministry),
    ]


def _requests(world: World, last: dict[str, str]) -> list[tuple[str, str, object]]:
    """(budget line, url, user); the impact figures anonymous, as the public reads them."""
    lines = [
        ("impact_page", "/impact/", None),
        ("stats_impact", "/api/v1/stats/impact", None),
        ("stats_impact_by_cohort", "/api/v1/stats/impact?by=cohort", None),
    ]
    for name, url, user in _lists(world):
        key = name.split(" (")[0].replace(" ", "_")
        key += "_provider" if "(provider)" in name else ""
        lines.append((f"{key}_first_page", url, user))
        lines.append((f"{key}_last_page", last[name], user))
    return lines


def _time(client, url: str, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}: {response.content[:200]!r}")
    return (time.perf_counter() - started) / repeat


def _cold(url: str) -> float:
    """One request whose figures are not cached (the first after a change): the median of three."""
    from django.test.utils import override_settings

    with override_settings(IMPACT_CACHE_SECONDS=0):
        return statistics.median(_time(_client(), url, 1) for _ in range(3))


def _counts() -> str:
    from credentials.models import Certificate, Enrolment, VerificationEvent
    from registry.models import AuditEntry

    return "/".join(f"{model.objects.count():,}" for model in (Enrolment, Certificate, AuditEntry, VerificationEvent))


def _checkpoint() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")


def _cache_settings() -> dict:
    """The cache every worker shares in production (Redis), under a prefix of its own; LocMem without one."""
    import os

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception:  # noqa: BLE001 - any failure: measure with the local cache and say so
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bench-growth"}}
    # A prefix of this run's own (entries expire by themselves): never clear() a Redis others use.
    prefix = f"bench-growth-{uuid.uuid4().hex[:12]}"
    return {"default": {"BACKEND": "core.cache.RedisCache", "LOCATION": url, "KEY_PREFIX": prefix}}


def run(report: Report = print, *, small: int = SMALL, large: int = LARGE) -> list[dict]:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    from bench import harness

    base = connection.settings_dict["NAME"]
    small_db, large_db = f"{base}_growth_small", f"{base}_growth_large"
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}
    rates.update({name: "100000000/min" for name in ("impact_anon", "verify_anon", "verify_user", "verify_verifier")})
    caches = _cache_settings()
    # Each world is a registry of its own, with a cache of its own: the impact figures' "latest" entry (what readers
    # get while a worker refreshes them after a change, outcomes/published.py) must not carry one world's figures
    # into the other, where no worker would ever replace them and every reader would render them afresh.
    world_caches = {small_db: _cache_settings(), large_db: _cache_settings()}
    results: list[dict] = []
    started = time.perf_counter()
    _create_database(small_db)
    try:
        with override_settings(
            REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}, CACHES=caches
        ):
            with harness.use_database(small_db):
                call_command("migrate", verbosity=0, interactive=False)
                world = World()
                grow_graduates(world, small)
                grow_audit(AUDIT_SMALL)
                harness.clone_database(large_db)  # the small world, grown below
            with harness.use_database(large_db):
                grow_graduates(world, large, report)
                grow_audit(AUDIT_LARGE, report)
                _checkpoint()
            report(f"  growth: both worlds written in {time.perf_counter() - started:.0f} s")
            requests, samples, cold, counts = {}, {}, {}, {}
            for name in (small_db, large_db):
                with harness.use_database(name), override_settings(CACHES=world_caches[name]):
                    counts[name] = _counts()
                    requests[name] = _requests(world, _last_pages(world))
                    cold[name] = {url: _cold(url) for _, url, _ in requests[name][:3]}
                    clients = {}
                    for line, url, user in requests[name]:  # warm-up: the cache, connections, code paths
                        clients[line] = _client(user)
                        _time(clients[line], url, 3)
                    samples[name] = {line: [] for line, _, _ in requests[name]}
                    requests[name] = [(line, url, clients[line]) for line, url, _ in requests[name]]
            for index in range(ROUNDS):
                for name in [small_db, large_db] if index % 2 == 0 else [large_db, small_db]:
                    with harness.use_database(name), override_settings(CACHES=world_caches[name]):
                        _client().get("/healthz")  # reconnect outside the clock
                        for line, url, client in requests[name]:
                            samples[name][line].append(_time(client, url, REPEAT))
    finally:
        connection.close()
        harness.drop_database(small_db)
        harness.drop_database(large_db)
    report(
        f"  growth: {counts[small_db]} vs {counts[large_db]} (graduates, certificates, audit entries, events); "
        f"cold impact figures (not budgeted, the first request after a change): "
        + ", ".join(
            f"{url} {cold[small_db][url] * 1000:.0f} ms vs {cold[large_db][url] * 1000:.0f} ms"
            for url in cold[small_db]
        )
    )
    for line, _url, _ in requests[large_db]:
        small_s = statistics.median(samples[small_db][line])
        large_s = statistics.median(samples[large_db][line])
        ratio = large_s / small_s
        ok = ratio <= BUDGET
        name = f"growth.{line}"
        report(
            f"{name:45} small={small_s * 1000:.2f} ms large={large_s * 1000:.2f} ms ratio={ratio:.2f} "
            f"budget={BUDGET:g} {'OK' if ok else 'OVER'}"
        )
        results.append(
            {
                "name": name,
                "small_ms": small_s * 1000,
                "large_ms": large_s * 1000,
                "ratio": ratio,
                "budget": BUDGET,
                "ok": ok,
            }
        )
    return results
