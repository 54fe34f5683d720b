"""CSV import of learners and results: all or nothing, every bad row reported with line and field."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from credentials.models import Enrolment, Learner, ModuleResult
from credentials.services import learners_import
from registry.choices import AuditAction
from registry.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

LEARNERS_URL = "/api/v1/learners/import"
RESULTS_URL = "/api/v1/module-results/import"

GOOD_LEARNERS = """personal_number,given_name,family_name,date_of_birth,gender,municipality,email,cohort
1100000001,Ardita,Krasniqi,1996-04-12,f,prishtine,ardita@example.org,SEN-8
1100000002,Đorđe,Čolić,1994-11-02,male,gracanice,,SEN-8
1100000003,Ђорђе,Јовановић,30.01.1999,m,,,
"""


@pytest.fixture
def cohort(provider):
    return factories.CohortFactory(provider=provider, code="SEN-8", status="running")


def _upload(client, url, text, **extra):
    upload = SimpleUploadedFile("file.csv", text.encode("utf-8"), content_type="text/csv")
    return client.post(url, {"file": upload, **extra}, format="multipart")


def test_learners_import_creates_and_enrols(provider_client, cohort):
    response = _upload(provider_client, LEARNERS_URL, GOOD_LEARNERS)
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "kind": "learners",
        "rows": 3,
        "created": 3,
        "updated": 0,
        "enrolled": 2,
        "dry_run": False,
        "created_ids": sorted(Learner.objects.values_list("pk", flat=True)),
        "updated_ids": [],
        "enrolment_ids": sorted(Enrolment.objects.values_list("pk", flat=True)),
    }
    names = sorted(Learner.objects.values_list("given_name", "family_name"))
    assert names == [("Ardita", "Krasniqi"), ("Đorđe", "Čolić"), ("Ђорђе", "Јовановић")]
    assert Enrolment.objects.filter(cohort=cohort).count() == 2
    assert Enrolment.objects.get(learner__given_name="Ardita").enrolled_on == cohort.start_date
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT).count() == 1
    assert AuditEntry.objects.filter(object_type="credentials.learner").count() == 3


def test_importing_again_updates_instead_of_duplicating(provider_client, cohort):
    _upload(provider_client, LEARNERS_URL, GOOD_LEARNERS)
    corrected = GOOD_LEARNERS.replace("Krasniqi", "Krasniqi-Gashi")
    body = _upload(provider_client, LEARNERS_URL, corrected).json()
    assert (body["created"], body["updated"], body["enrolled"]) == (0, 1, 0)
    assert Learner.objects.count() == 3


def test_a_file_with_bad_rows_imports_nothing_and_lists_every_bad_row(provider_client, cohort):
    bad = (
        "personal_number,given_name,family_name,date_of_birth,gender,municipality,cohort\n"
        "1100000001,Ardita,Krasniqi,1996-04-12,f,prishtine,SEN-8\n"
        "12345,Besa,Gashi,1996-04-12,f,prishtine,SEN-8\n"
        "1100000003,,Hoxha,1996-13-40,x,atlantis,NOPE\n"
        "1100000001,Ardita,Again,1996-04-12,f,,\n"
    )
    before = AuditEntry.objects.count()
    response = _upload(provider_client, LEARNERS_URL, bad)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "csv_invalid"
    found = {(e["line"], e["field"]) for e in error["row_errors"]}
    assert found == {
        (3, "personal_number"),
        (4, "given_name"),
        (4, "date_of_birth"),
        (4, "gender"),
        (4, "municipality"),
        (4, "cohort"),
        (5, "personal_number"),
    }
    assert "line_3.personal_number" in error["fields"]
    assert not Learner.objects.exists() and not Enrolment.objects.exists()
    assert AuditEntry.objects.count() == before


def test_rules_checked_while_writing_are_reported_per_row_and_roll_everything_back(provider, provider_client):
    factories.CohortFactory(provider=provider, code="OLD", status="finished")
    text = (
        "personal_number,given_name,family_name,date_of_birth,cohort\n"
        "1100000001,Ardita,Krasniqi,1996-04-12,\n"
        "1100000002,Besa,Gashi,1996-04-12,OLD\n"
    )
    response = _upload(provider_client, LEARNERS_URL, text)
    assert response.status_code == 400
    assert response.json()["error"]["row_errors"] == [
        {
            "line": 3,
            "field": "cohort",
            "code": "cohort_finished",
            "message": "The cohort has finished: no new enrolments.",
        }
    ]
    assert not Learner.objects.exists()


def test_semicolons_bom_and_missing_columns(provider_client):
    text = "\ufeffpersonal_number;given_name;family_name;date_of_birth\n1100000009;Arbër;Çeku;01.02.2000\n"
    assert _upload(provider_client, LEARNERS_URL, text).status_code == 200
    assert Learner.objects.get().family_name == "Çeku"
    missing = _upload(provider_client, LEARNERS_URL, "personal_number,given_name\n1,2\n")
    assert {(e["line"], e["field"]) for e in missing.json()["error"]["row_errors"]} == {
        (1, "family_name"),
        (1, "date_of_birth"),
    }
    not_utf8 = provider_client.post(
        LEARNERS_URL, {"file": SimpleUploadedFile("x.csv", "emër,ë\n".encode("cp1250"))}, format="multipart"
    )
    assert not_utf8.json()["error"]["row_errors"][0]["field"] == "file"


def test_dry_run_writes_nothing(provider_client, cohort):
    response = _upload(provider_client, LEARNERS_URL, GOOD_LEARNERS, dry_run="true")
    assert response.json()["dry_run"] is True and response.json()["created"] == 3
    assert not Learner.objects.exists() and not AuditEntry.objects.exists()


def test_only_providers_import(ministry_client, verifier_client, anon_client):
    assert _upload(ministry_client, LEARNERS_URL, GOOD_LEARNERS).status_code == 403
    assert _upload(verifier_client, LEARNERS_URL, GOOD_LEARNERS).status_code == 403
    assert _upload(anon_client, LEARNERS_URL, GOOD_LEARNERS).status_code == 401
    assert not Learner.objects.exists()


def test_an_upload_without_a_file_is_a_400(provider_client):
    response = provider_client.post(LEARNERS_URL, {}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()["error"]["fields"]


# --- results ----------------------------------------------------------------------------------------


@pytest.fixture
def enrolled(provider):
    enrolment = factories.issuable_enrolment(provider=provider)
    enrolment.results.all().delete()
    return enrolment


def _results_csv(enrolment, rows):
    code = enrolment.cohort.code
    pn = enrolment.learner.personal_number
    lines = ["personal_number,cohort,module,hours_theory,hours_practice,outcome,assessed_on,assessor"]
    lines += [",".join([pn, code, *row]) for row in rows]
    return "\n".join(lines) + "\n"


def test_results_import_makes_the_enrolment_eligible(provider_client, enrolled):
    text = _results_csv(
        enrolled,
        [["M1", "600", "0", "pass", "2026-05-20", "Drita Berisha"], ["M2", "0", "600", "pass", "2026-05-21", ""]],
    )
    response = _upload(provider_client, RESULTS_URL, text)
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 2
    eligibility = provider_client.get(f"/api/v1/enrolments/{enrolled.pk}/eligibility", {"awarded_on": "2026-06-30"})
    assert eligibility.json()["eligible"] is True


def test_bad_results_rows_import_nothing(provider_client, enrolled, other_provider):
    stranger = factories.LearnerFactory(provider=other_provider)
    text = _results_csv(
        enrolled,
        [
            ["M1", "600", "0", "pass", "2026-05-20", ""],
            ["M9", "1", "0", "pass", "2026-05-20", ""],
            ["M2", "0", "700", "pass", "", ""],
            ["M1", "600", "0", "maybe", "2026-05-20", ""],
        ],
    )
    text += f"{stranger.personal_number},{enrolled.cohort.code},M1,1,0,pass,2026-05-20,\n"
    response = _upload(provider_client, RESULTS_URL, text)
    assert response.status_code == 400
    found = {(e["line"], e["field"]) for e in response.json()["error"]["row_errors"]}
    assert found == {(3, "module"), (4, "assessed_on"), (5, "module"), (5, "outcome"), (6, "personal_number")}
    assert not ModuleResult.objects.exists()


def test_hours_over_the_module_are_caught_while_writing(provider_client, enrolled):
    text = _results_csv(
        enrolled, [["M1", "600", "0", "pass", "2026-05-20", ""], ["M2", "0", "601", "pass", "2026-05-20", ""]]
    )
    response = _upload(provider_client, RESULTS_URL, text)
    assert response.json()["error"]["row_errors"] == [
        {"line": 3, "field": "hours_practice", "code": "hours_exceed_module", "message": "At most the module's 600 h."}
    ]
    assert not ModuleResult.objects.exists()


# --- management command -------------------------------------------------------------------------------


def test_command_imports_with_a_progress_bar(provider, cohort, tmp_path):
    path = tmp_path / "learners.csv"
    path.write_text(GOOD_LEARNERS, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_training_csv", str(path), provider=provider.slug, kind="learners", stdout=out, stderr=err)
    assert "imported 3 learners rows for qpgj-test: 3 created, 0 updated, 2 enrolled" in out.getvalue()
    assert "3/3 (100%)" in err.getvalue()
    assert Learner.objects.count() == 3
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert entry.actor is None


def test_command_refuses_a_bad_file_listing_every_row(provider, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("personal_number,given_name,family_name,date_of_birth\n1,A,B,2000-01-01\n2,,B,x\n")
    with pytest.raises(CommandError) as info:
        call_command("import_training_csv", str(path), provider=provider.slug, kind="learners", no_progress=True)
    message = str(info.value)
    assert (
        "line 2, personal_number" in message and "line 3, given_name" in message and "line 3, date_of_birth" in message
    )
    assert not Learner.objects.exists()


def test_command_needs_a_provider(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(GOOD_LEARNERS)
    with pytest.raises(CommandError, match="No provider"):
        call_command("import_training_csv", str(path), provider="nobody", kind="learners")


def test_service_refuses_another_providers_user(provider, other_provider_user):
    with pytest.raises(Exception) as info:
        learners_import(actor=other_provider_user, provider=provider, content=GOOD_LEARNERS)
    assert getattr(info.value, "code", "") == "permission_denied"
