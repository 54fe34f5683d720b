"""PostgreSQL restarts in the middle of a run of issuance requests to a real gunicorn server: no certificate
is half-written, no serial number is skipped, and the service recovers by itself (no restart of the web
server; `conn_health_checks` replaces the dead connections).

Needs the local cluster and root: `pg_ctlcluster --skip-systemctl-redirect 15 main restart`; skipped
otherwise. The restart takes about two seconds and cuts every other connection to the server too: it is marked
`serial`, which `make test` runs after the parallel part, alone. Set RESTART_POSTGRES_IN_TESTS=0 to skip it
while other suites share the server (CI runs it).
"""

# ruff: noqa: S310, S603, S607 - fixed loopback URLs and fixed PostgreSQL tool commands

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import threading
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token

from bench.harness import Server
from credentials.models import Certificate, SerialCounter
from credentials.signing import verify_snapshot
from registry.models import AuditEntry
from tests import factories

# transaction=True: the server process must see the committed data. No serialized_rollback: restoring it
# clashes with the content types that other transactional tests' flushes recreate.
# serial: the restart cuts every connection to the server, so `make test` runs it after the others, alone.
pytestmark = [pytest.mark.postgres, pytest.mark.serial, pytest.mark.django_db(transaction=True)]

CLUSTER = ("15", "main")
ENROLMENTS = 80
BEFORE_RESTART = 5
RETRIES_AFTER_RESTART = 3


def _restart_command() -> list[str]:
    if os.environ.get("RESTART_POSTGRES_IN_TESTS", "1") == "0":
        pytest.skip("RESTART_POSTGRES_IN_TESTS=0: other test runs share this PostgreSQL server")
    if shutil.which("pg_ctlcluster") is None:
        pytest.skip("pg_ctlcluster is not installed")
    if os.geteuid() != 0:
        pytest.skip("restarting PostgreSQL needs root")
    if settings.DATABASES["default"].get("HOST") not in ("127.0.0.1", "localhost", "", None):
        pytest.skip("the database is not on this machine")
    listing = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=False).stdout
    if not any(line.split()[:2] == list(CLUSTER) and "online" in line for line in listing.splitlines()):
        pytest.skip(f"no online PostgreSQL cluster {'/'.join(CLUSTER)}")
    return ["pg_ctlcluster", "--skip-systemctl-redirect", *CLUSTER, "restart"]


def _post(url: str, token: str, body: dict) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0  # no answer at all


def test_issuance_survives_a_postgresql_restart():
    restart = _restart_command()
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

    progress = {"issued": 0, "issued_after_restart": 0, "failures": [], "gave_up": None}
    ready_to_restart, restarted = threading.Event(), threading.Event()

    def issue_all(url: str) -> None:
        for enrolment in enrolments:
            attempts = 0
            while True:
                status = _post(url, token, {"enrolment": enrolment.pk})
                if status in (200, 201):
                    break
                progress["failures"].append((enrolment.pk, status, restarted.is_set()))
                restarted.wait(timeout=120)  # the outage: try again once PostgreSQL is back
                attempts += 1
                if attempts > RETRIES_AFTER_RESTART:
                    progress["gave_up"] = (enrolment.pk, status)
                    return
            progress["issued"] += 1
            progress["issued_after_restart"] += restarted.is_set()
            if progress["issued"] == BEFORE_RESTART:
                ready_to_restart.set()
        ready_to_restart.set()

    with Server(
        database=connection.settings_dict["NAME"],
        keys_dir=str(settings.SIGNING_KEYS_DIR),
        workers=2,
        settings_module="config.settings",
    ) as server:
        worker = threading.Thread(target=issue_all, args=(f"{server.base_url}/api/v1/certificates/",))
        worker.start()
        try:
            assert ready_to_restart.wait(timeout=120), "no certificate was issued before the restart"
            subprocess.run(restart, check=True, capture_output=True, timeout=120)
        finally:
            restarted.set()
            worker.join(timeout=300)
        assert not worker.is_alive()
        with urllib.request.urlopen(f"{server.base_url}/healthz", timeout=10) as health:
            assert health.status == 200
    connection.close()  # this process's own connection died with the restart too

    assert progress["gave_up"] is None, f"the service did not recover: {progress}"
    assert progress["issued"] == ENROLMENTS
    assert progress["issued_after_restart"] > 0, "the run ended before the restart: nothing was tested"
    assert all(status in (0, 500, 502, 503) for _pk, status, _after in progress["failures"]), progress["failures"]

    certificates = list(Certificate.objects.filter(enrolment__cohort=cohort).order_by("serial_number"))
    prefix, year = curriculum.qualification.serial_prefix, today.year
    assert [c.serial_number for c in certificates] == [f"{prefix}-{year}-{n:06d}" for n in range(1, ENROLMENTS + 1)]
    assert SerialCounter.objects.get(qualification=curriculum.qualification, year=year).last_value == ENROLMENTS
    assert sorted(c.enrolment_id for c in certificates) == sorted(e.pk for e in enrolments)
    for certificate in certificates:  # whole: signed snapshot that names it, audited, enrolment completed
        assert certificate.snapshot["serial_number"] == certificate.serial_number
        assert verify_snapshot(certificate.snapshot, certificate.signature, certificate.key_id)
        assert certificate.enrolment.status == "completed"
    issued_audits = AuditEntry.objects.filter(object_type="credentials.certificate", action="issue")
    assert sorted(int(a.object_id) for a in issued_audits) == sorted(c.pk for c in certificates)
