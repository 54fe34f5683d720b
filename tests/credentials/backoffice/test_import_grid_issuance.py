"""The provider's workflows: a CSV upload (row errors on the page, large files as a task with progress), the
cohort's results grid, and a cohort's issuance with its dry run first."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from credentials.models import Certificate, Learner, ModuleResult
from registry.models import TaskRecord

from .conftest import signed_in, snapshot, text

pytestmark = pytest.mark.django_db

IMPORT = "/admin/credentials/learner/import/"
GOOD = (
    "personal_number,given_name,family_name,date_of_birth,gender,municipality,email\n"
    "1100000101,Ardita,Krasniqi,1996-04-12,f,,\n"
    "1100000102,Ђорђе,Јовановић,1994-11-02,m,,\n"
)


def upload(client, content: bytes | str, kind="learners_import", dry_run=False):
    data = content.encode() if isinstance(content, str) else content
    form = {"kind": kind, "file": SimpleUploadedFile("learners.csv", data, content_type="text/csv")}
    if dry_run:
        form["dry_run"] = "on"
    return client.post(IMPORT, form)


def test_a_learner_csv_is_imported_and_reported(world, provider_client):
    assert provider_client.get(IMPORT).status_code == 200
    checked = upload(provider_client, GOOD, dry_run=True)
    assert checked.status_code == 200 and not Learner.objects.filter(personal_number="1100000101").exists()
    answer = upload(provider_client, GOOD)
    assert answer.status_code == 200 and "backoffice-counts" in text(answer)
    assert set(
        Learner.objects.filter(personal_number__in=["1100000101", "1100000102"]).values_list("provider", flat=True)
    ) == {world["provider"].pk}


def test_row_errors_are_listed_without_the_rows_values(world, provider_client):
    bad = GOOD + "12345,Besa,,2099-01-01,x,nowhere,not-an-email\n"
    before = snapshot()
    answer = upload(provider_client, bad)
    body = text(answer)
    assert answer.status_code == 400 and snapshot() == before
    for code in ("invalid_personal_number", "required", "invalid_choice", "unknown_municipality", "invalid_email"):
        assert f"<code>{code}</code>" in body
    assert "<td>4</td>" in body  # the line, as a spreadsheet numbers it
    assert "12345" not in body and "not-an-email" not in body and "nowhere" not in body


@pytest.mark.parametrize(
    "content, code",
    [
        (b"personal_number,given_name\n" + b"1100000101,Ardita\n", "missing_column"),
        (GOOD.encode("utf-16"), "not_utf8"),
        (b"", "empty_file"),
        (b"x" * (5 * 1024 * 1024 + 10), "file_too_large"),
    ],
)
def test_a_file_that_cannot_be_read_writes_nothing(world, provider_client, content, code):
    before = snapshot()
    answer = upload(provider_client, content)
    assert answer.status_code == 400 and snapshot() == before
    assert code in text(answer) or "errorlist" in text(answer)  # an empty upload is the form's own error
    assert not TaskRecord.objects.exists()


def test_formula_cells_stay_text_and_are_shown_inert(world, provider_client):
    hostile = (
        "personal_number,given_name,family_name,date_of_birth\n"
        '1100000201,=HYPERLINK("http://evil.example/"),<script>alert(1)</script>,1990-01-01\n'
    )
    assert upload(provider_client, hostile).status_code == 200
    learner = Learner.objects.get(personal_number="1100000201")
    assert learner.given_name.startswith("=HYPERLINK")  # kept as the text it is
    listing = text(provider_client.get("/admin/credentials/learner/"))
    assert "<script>alert(1)</script>" not in listing and "&lt;script&gt;alert(1)&lt;/script&gt;" in listing


def test_a_large_file_runs_as_a_task_with_its_progress(world, provider_client, other_client, ministry_client, settings):
    settings.BACKGROUND_THRESHOLD = 1
    answer = upload(provider_client, GOOD)
    record = TaskRecord.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"{IMPORT}{record.pk}/"
    page = provider_client.get(answer["Location"])  # the immediate backend ran it already
    assert page.status_code == 200 and 'max="2"' in text(page) and "backoffice-counts" in text(page)
    assert Learner.objects.filter(personal_number="1100000102").exists()
    assert other_client.get(answer["Location"]).status_code == 404
    assert ministry_client.get(answer["Location"]).status_code == 200
    # A refused file as a task: its row errors on its page, nothing written.
    before = snapshot()
    failed = upload(provider_client, GOOD + "bad,,,\n")
    page = text(provider_client.get(failed["Location"]))
    assert "<code>wrong_width</code>" in page and snapshot() == before


def test_results_import_through_the_same_page(world, provider_client):
    enrolment = world["failing"]
    csv = (
        "personal_number,cohort,module,hours_theory,hours_practice,outcome,assessed_on\n"
        f"{enrolment.learner.personal_number},{world['cohort'].code},M2,0,600,pass,2026-05-21\n"
    )
    assert upload(provider_client, csv, kind="results_import").status_code == 200
    assert ModuleResult.objects.get(enrolment=enrolment, module__code="M2").outcome == "pass"


def test_only_a_providers_user_imports(world, ministry_client, awarding_client, client):
    before = snapshot()
    for refused in (ministry_client, awarding_client):
        assert refused.get(IMPORT).status_code == 403
        assert upload(refused, GOOD).status_code == 403
    assert upload(client, GOOD).status_code == 302  # to the login page
    assert snapshot() == before


# --- results grid ------------------------------------------------------------------------------------------------


def grid_url(world, module=None):
    url = f"/admin/credentials/cohort/{world['cohort'].pk}/results/"
    return f"{url}?module={module}" if module else url


def row(enrolment, **values):
    base = {"hours_theory": 0, "hours_practice": 600, "outcome": "pass", "assessed_on": "2026-05-21", "assessor": ""}
    return {f"e{enrolment.pk}-{k}": v for k, v in {**base, **values}.items()}


def test_the_results_grid_shows_and_records_a_module_for_everyone(world, provider_client):
    grid = text(provider_client.get(grid_url(world)))
    assert "?module=M1" in grid and world["failing"].learner.full_name in grid
    form = provider_client.get(grid_url(world, "M2"))
    assert form.status_code == 200
    data = {**row(world["ok"]), **row(world["failing"])}
    answer = provider_client.post(grid_url(world, "M2"), data)
    assert answer.status_code == 302
    assert ModuleResult.objects.get(enrolment=world["failing"], module__code="M2").outcome == "pass"


def test_one_bad_row_saves_no_row(world, provider_client):
    before = snapshot()
    data = {**row(world["failing"]), **row(world["ok"], hours_practice=601, outcome="fail")}
    answer = provider_client.post(grid_url(world, "M2"), data)
    assert answer.status_code == 400 and snapshot() == before
    future = {**row(world["failing"], assessed_on="2099-01-01")}
    assert provider_client.post(grid_url(world, "M2"), future).status_code == 400 and snapshot() == before


def test_a_certified_row_cannot_be_changed_by_a_forged_post(world, provider_client):
    before = snapshot()
    answer = provider_client.post(grid_url(world, "M2"), row(world["certified"], outcome="fail", hours_practice=1))
    assert answer.status_code == 302 and snapshot() == before


def test_the_grid_for_others(world, other_client, ministry_client):
    assert other_client.get(grid_url(world)).status_code == 404
    assert other_client.post(grid_url(world, "M2"), row(world["failing"])).status_code == 404
    assert ministry_client.get(grid_url(world)).status_code == 200
    assert "?module=" not in text(ministry_client.get(grid_url(world)))
    assert ministry_client.post(grid_url(world, "M2"), row(world["failing"])).status_code == 403
    assert signed_in(world["provider_user"]).get(grid_url(world, "NOPE")).status_code == 404


# --- issuance ----------------------------------------------------------------------------------------------------


def issue_url(world):
    return f"/admin/credentials/cohort/{world['cohort'].pk}/issue/"


def test_the_dry_run_then_the_issuance(world, provider_client):
    before = snapshot()
    preview = provider_client.get(issue_url(world))
    body = text(preview)
    assert preview.status_code == 200 and snapshot() == before
    assert world["ok"].learner.full_name in body  # would get one
    assert "Mandatory modules not passed: M2." in body  # who not, and why
    assert world["certificate"].serial_number in body  # already certified
    assert 'name="action" value="issue"' in body
    answer = provider_client.post(issue_url(world), {"awarded_on": "2026-06-30", "action": "issue"})
    assert answer.status_code == 200
    issued = Certificate.objects.get(enrolment=world["ok"])
    assert issued.serial_number in text(answer) and str(issued.awarded_on) == "2026-06-30"
    assert not Certificate.objects.filter(enrolment=world["failing"]).exists()
    # Issuing again issues nothing more.
    again = provider_client.post(issue_url(world), {"awarded_on": "2026-06-30", "action": "issue"})
    assert again.status_code == 200 and Certificate.objects.filter(enrolment=world["ok"]).count() == 1


def test_a_bad_award_date_issues_nothing(world, provider_client):
    before = snapshot()
    assert provider_client.get(issue_url(world) + "?awarded_on=2099-01-01").status_code == 400
    assert provider_client.post(issue_url(world), {"awarded_on": "2099-01-01", "action": "issue"}).status_code == 400
    assert provider_client.post(issue_url(world), {"awarded_on": "not a date", "action": "issue"}).status_code == 400
    assert snapshot() == before


def test_who_may_not_issue(world, other_client, ministry_client, awarding_client):
    before = snapshot()
    assert other_client.get(issue_url(world)).status_code == 404
    assert other_client.post(issue_url(world), {"action": "issue"}).status_code == 404
    assert ministry_client.get(issue_url(world)).status_code == 403
    assert ministry_client.post(issue_url(world), {"action": "issue"}).status_code == 403
    assert awarding_client.post(issue_url(world), {"action": "issue"}).status_code == 404
    assert snapshot() == before


def test_a_large_cohort_previews_and_issues_as_tasks(world, provider_client, settings):
    settings.BACKGROUND_THRESHOLD = 1
    page = provider_client.get(issue_url(world))
    assert 'value="preview"' in text(page)
    preview = provider_client.post(issue_url(world), {"awarded_on": "2026-06-30", "action": "preview"})
    assert preview.status_code == 302 and not Certificate.objects.filter(enrolment=world["ok"]).exists()
    shown = text(provider_client.get(preview["Location"]))
    assert world["ok"].learner.full_name in shown and 'value="issue"' in shown
    issued = provider_client.post(issue_url(world), {"awarded_on": "2026-06-30", "action": "issue"})
    assert issued.status_code == 302
    certificate = Certificate.objects.get(enrolment=world["ok"])
    assert certificate.serial_number in text(provider_client.get(issued["Location"]))


def test_the_cohort_page_links_its_downloads(world, provider_client, other_client):
    cohort = world["cohort"]
    page = text(provider_client.get(f"/admin/credentials/cohort/{cohort.pk}/change/"))
    zip_url = f"/api/v1/cohorts/{cohort.pk}/certificates.zip"
    assert zip_url in page and f"/admin/credentials/cohort/{cohort.pk}/issue/" in page
    answer = provider_client.get(zip_url)  # the signed-in session is enough
    assert answer.status_code == 200 and answer["Content-Type"] == "application/zip"
    assert b"".join(answer.streaming_content)[:2] == b"PK"
    assert other_client.get(zip_url).status_code == 404


def test_a_running_task_shows_its_progress_and_reloads(world, provider_client, other_client):
    record = TaskRecord.objects.create(
        kind="learners_import",
        state="running",
        stage="check",
        done=50,
        total=200,
        organisation=world["provider"],
        owner=world["provider_user"],
    )
    page = text(provider_client.get(f"{IMPORT}{record.pk}/"))
    assert 'max="200" value="50"' in page and 'data-running="1"' in page
    assert "credentials/admin/task.js" in page and "<script>" not in page  # no inline script (CSP)
    assert other_client.get(f"{IMPORT}{record.pk}/").status_code == 404
    # The same task under a cohort's issuance address: not an issuance, so not there.
    assert provider_client.get(f"/admin/credentials/cohort/{world['cohort'].pk}/issue/{record.pk}/").status_code == 404


def test_the_ministry_reads_a_providers_issuance_task_without_its_confirm_button(
    world, provider_client, ministry_client, settings
):
    settings.BACKGROUND_THRESHOLD = 1
    preview = provider_client.post(issue_url(world), {"awarded_on": "2026-06-30", "action": "preview"})
    mine = text(provider_client.get(preview["Location"]))
    theirs = ministry_client.get(preview["Location"])
    assert 'value="issue"' in mine
    assert theirs.status_code == 200 and 'value="issue"' not in text(theirs)
    assert world["ok"].learner.full_name in text(theirs)
