"""Scale-out, tried: two web processes (separate gunicorn servers with production settings, as two compose
replicas are) and one background worker (`manage.py db_worker`, as compose's `worker`) against one PostgreSQL
and one Redis. Which server answers is chosen by the test, never left to chance.

- Shared throttles: tests/ops/test_shared_limits.py (a quota spent on one server stays spent on the other, the
  date-of-birth guess cap likewise) on the same two-server fixture; not repeated here.
- One task queue: imports started through either server wait in the one queue, the one worker runs each once,
  and either server shows the same task.
- No duplicate serials: issuance split across both servers, each enrolment asked on both at once, gives one
  certificate per enrolment and gap-free serial numbers.
"""

# ruff: noqa: S310, S603 - loopback URLs and our own manage.py

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rest_framework.authtoken.models import Token

from bench.harness import ROOT, Server
from credentials.models import Certificate, Learner, SerialCounter
from registry.choices import AuditAction
from registry.models import AuditEntry, TaskRecord
from tests import factories
from tests.ops.test_shared_limits import redis_prefix, two_workers  # noqa: F401 - fixtures

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

THRESHOLD = 10  # BACKGROUND_THRESHOLD on both servers: a file of more rows answers 202 with a task
ROWS = 25
ENROLMENTS = 16
RACED = 4  # of them asked on both servers at once
HEADER = "personal_number,given_name,family_name,date_of_birth,gender,municipality,email,cohort"


def _request(url: str, token: str, *, body: bytes | None = None, content_type: str = "application/json"):
    request = urllib.request.Request(
        url,
        data=body,
        headers={"Authorization": f"Token {token}", "Content-Type": content_type},
        method="POST" if body is not None else "GET",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read() or b"{}")


def _upload(url: str, token: str, csv: str):
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="learners.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    ).encode()
    return _request(url, token, body=body, content_type=f"multipart/form-data; boundary={boundary}")


def _task(server: Server, task_id: str, token: str) -> dict:
    """The task as `server` shows it, less its own address (each server names itself in `url`)."""
    status, _headers, body = _request(f"{server.base_url}/api/v1/tasks/{task_id}", token)
    assert status == 200, body
    assert body.pop("url") == f"{server.base_url}/api/v1/tasks/{task_id}"
    return body


def _learners_csv(cohort: str, first: int) -> str:
    rows = [f"{first + n},Ardita,Krasniqi-{n},1996-04-12,f,prishtine,,{cohort}" for n in range(ROWS)]
    return "\n".join([HEADER, *rows]) + "\n"


def _provider_token(**cohort_kwargs) -> tuple[object, str]:
    provider = factories.OrganisationFactory()
    factories.CohortFactory(provider=provider, status="running", **cohort_kwargs)
    return provider, Token.objects.create(user=factories.UserFactory(organisation=provider)).key


class _Worker:
    """`manage.py db_worker` with the servers' environment: the same database, Redis and keys."""

    def __init__(self, server: Server, worker_id: str):
        self.command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval=0.2"]
        self.command += ["--no-startup-delay", f"--worker-id={worker_id}", "--verbosity=0"]
        self.env = server.environment()
        self.process = None

    def __enter__(self) -> _Worker:
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env)
        return self

    def __exit__(self, *exc) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # db_worker finishes the task it runs, then exits
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def test_tasks_started_on_either_server_wait_in_one_queue_and_the_one_worker_runs_each_once(two_workers):  # noqa: F811
    first, second = two_workers(BACKGROUND_THRESHOLD=str(THRESHOLD))
    (provider_a, token_a), (provider_b, token_b) = _provider_token(code="SEN-A"), _provider_token(code="SEN-B")

    started = []
    uploads = [(first, token_a, _learners_csv("SEN-A", 1100000001))]
    uploads.append((second, token_b, _learners_csv("SEN-B", 1200000001)))
    for server, token, csv in uploads:
        status, headers, body = _upload(f"{server.base_url}/api/v1/learners/import", token, csv)
        assert status == 202, body
        assert headers["Location"] == f"{server.base_url}/api/v1/tasks/{body['id']}"
        started.append((body["id"], token))

    # Queued, not run by a web process: both servers read the same task from the one queue.
    for task_id, token in started:
        seen_first, seen_second = _task(first, task_id, token), _task(second, task_id, token)
        assert seen_first == seen_second
        assert seen_first["state"] == "queued" and seen_first["progress"] == {"done": 0, "total": ROWS}
    assert not Learner.objects.exists()
    assert DBTaskResult.objects.filter(status="READY").count() == 2

    with _Worker(first, worker_id="the-one-worker"):
        deadline = time.monotonic() + 45
        while TaskRecord.objects.exclude(state="succeeded").exists() and time.monotonic() < deadline:
            assert not TaskRecord.objects.filter(state="failed").exists(), list(TaskRecord.objects.values("error"))
            time.sleep(0.2)

    for task_id, token in started:
        seen_second, seen_first = _task(second, task_id, token), _task(first, task_id, token)
        assert seen_second == seen_first
        assert seen_second["state"] == "succeeded", seen_second
        assert seen_second["progress"] == {"done": ROWS, "total": ROWS}
        assert seen_second["result"]["created"] == ROWS and seen_second["result"]["enrolled"] == ROWS
    # Each task ran once, on the one worker: one queue row each, every learner written once, one import audited.
    runs = DBTaskResult.objects.values_list("status", "worker_ids")
    assert sorted(runs) == [("SUCCESSFUL", ["the-one-worker"])] * 2
    for provider in (provider_a, provider_b):
        assert Learner.objects.filter(provider=provider).count() == ROWS
        imports = AuditEntry.objects.filter(action=AuditAction.IMPORT, organisation=provider)
        assert imports.count() == 1


def test_issuance_split_across_two_servers_gives_gap_free_serials_and_no_duplicate(two_workers):  # noqa: F811
    today = timezone.localdate()
    provider = factories.OrganisationFactory()
    curriculum = factories.CurriculumFactory()
    factories.AccreditationFactory(
        provider=provider,
        qualification=curriculum.qualification,
        valid_from=today - datetime.timedelta(days=30),
        valid_until=today + datetime.timedelta(days=30),
    )
    cohort = factories.CohortFactory(provider=provider, curriculum=curriculum)
    enrolments = [
        factories.issuable_enrolment(provider=provider, curriculum=curriculum, cohort=cohort) for _ in range(ENROLMENTS)
    ]
    token = Token.objects.create(user=factories.UserFactory(organisation=provider)).key
    first, second = two_workers()

    def issue(job):
        server, enrolment = job
        body = json.dumps({"enrolment": enrolment.pk}).encode()
        status, _headers, answer = _request(f"{server.base_url}/api/v1/certificates/", token, body=body)
        return enrolment.pk, server.port, status, answer

    # All at once (8 clients): most enrolments asked on one server, alternately A and B, so both servers issue and
    # draw serial numbers from the one counter; the last few asked on both servers, so the two requests race.
    split, raced = enrolments[:-RACED], enrolments[-RACED:]
    jobs = [((first, second)[n % 2], enrolment) for n, enrolment in enumerate(split)]
    jobs += [(server, enrolment) for enrolment in raced for server in (first, second)]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(issue, jobs))

    statuses = {}
    for pk, port, status, _answer in answers:
        statuses.setdefault(pk, []).append((port, status))
    for n, enrolment in enumerate(split):
        assert statuses[enrolment.pk] == [((first, second)[n % 2].port, 201)], answers
    for enrolment in raced:  # one issued it, the other answered with the same certificate (idempotent)
        assert sorted(status for _port, status in statuses[enrolment.pk]) == [200, 201], answers
    serial_of = {}
    for pk, _port, _status, answer in answers:
        assert serial_of.setdefault(pk, answer["serial_number"]) == answer["serial_number"], "one certificate each"
    certificates = Certificate.objects.filter(enrolment__cohort=cohort)
    assert certificates.count() == ENROLMENTS
    prefix, year = curriculum.qualification.serial_prefix, today.year
    expected = [f"{prefix}-{year}-{n:06d}" for n in range(1, ENROLMENTS + 1)]
    assert sorted(certificates.values_list("serial_number", flat=True)) == expected
    assert sorted(serial_of.values()) == expected
    assert SerialCounter.objects.get(qualification=curriculum.qualification, year=year).last_value == ENROLMENTS
