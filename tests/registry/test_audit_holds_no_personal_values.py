"""An audit entry never holds a personal data value (DESIGN: "Every write audited ... an audit entry never
holds personal data values").

A representative run writes learners with personal data through the API and a CSV import, corrects them,
records results, issues certificates (one, then a cohort in bulk), reissues one with a corrected name, and
edits users in the admin; then every audit entry is searched for every personal value, in `before`,
`after`, `object_repr` and `reason`: personal numbers, dates of birth in any usual format, e-mail addresses,
names of learners and users, the assessor's name. A certificate's `object_repr` is its serial number; a
learner's is "learner <id>"."""

import datetime
import json

import pytest

from credentials.models import Certificate, Learner
from credentials.services import (
    certificate_issue,
    certificate_reissue,
    cohort_issue_certificates,
    learners_import,
    module_result_record,
)
from registry.models import AuditEntry
from tests import factories as f
from tests.credentials.conftest import AWARD

pytestmark = pytest.mark.django_db

LEARNERS = [
    # given, family, date of birth, personal number, e-mail
    ("Xhemajlije", "Berishaj-Qosja", datetime.date(1987, 3, 14), "1987031411", "xhemajlije.b@example.org"),
    ("Љубинка", "Ђурђевићка", datetime.date(1993, 11, 27), "1993112722", "ljubinka@example.net"),
    ("Zymrytë", "Thaçi-Kryeziu", datetime.date(2001, 8, 5), "2001080533", "zymryte@example.com"),
]
CORRECTED = ("Xhemajlie", "Berisha-Qosaj", datetime.date(1987, 3, 15), "1987031599", "xh.berisha@example.org")
IMPORTED = ("Shpresimira", "Krasniqaj", datetime.date(1979, 12, 9), "1979120944", "shpresimira@example.org")
CSV_CORRECTED_BIRTH = datetime.date(1993, 11, 28)
REISSUED_FAMILY_NAME = "Berisha-Qosaj-Hoxha"
ASSESSOR = "Valdetë Hasanaj-Ramadani"
USER_NAMES = ("Gjylfidane", "Rexhepaj-Mulliqi", "gjylfidane@example.org")


def _date_forms(day: datetime.date) -> list[str]:
    return [
        day.isoformat(),
        day.strftime("%d.%m.%Y"),
        day.strftime("%d/%m/%Y"),
        day.strftime("%m/%d/%Y"),
        day.strftime("%Y%m%d"),
        day.strftime("%d%m%Y"),
        f"{day.day}.{day.month}.{day.year}",
    ]


def _personal_values() -> list[str]:
    values = [ASSESSOR, REISSUED_FAMILY_NAME, *USER_NAMES, *_date_forms(CSV_CORRECTED_BIRTH)]
    for given, family, born, number, email in [*LEARNERS, CORRECTED, IMPORTED]:
        values += [given, family, f"{given} {family}", number, email, *_date_forms(born)]
    return values


def _learner_body(given, family, born, number, email) -> dict:
    return {
        "given_name": given,
        "family_name": family,
        "date_of_birth": born.isoformat(),
        "personal_number": number,
        "email": email,
        "gender": "female",
        "municipality": "prizren",
    }


def _representative_run(client, client_for) -> None:
    provider = f.OrganisationFactory(slug="walk-provider")
    provider_user = f.UserFactory(organisation=provider)
    api = client_for(provider_user)

    # Learners through the API, then corrections of every identity field.
    ids = []
    for learner in LEARNERS:
        response = api.post("/api/v1/learners/", _learner_body(*learner), format="json")
        assert response.status_code == 201, response.json()
        ids.append(response.json()["id"])
    response = api.patch(f"/api/v1/learners/{ids[0]}/", _learner_body(*CORRECTED), format="json")
    assert response.status_code == 200, response.json()

    # A CSV import: one new learner, one update of a known one.
    given, family, born, number, email = IMPORTED
    csv = (
        "personal_number,given_name,family_name,date_of_birth,email\n"
        f"{number},{given},{family},{born.strftime('%d.%m.%Y')},{email}\n"
        f"{LEARNERS[1][3]},{LEARNERS[1][0]},{LEARNERS[1][1]},{CSV_CORRECTED_BIRTH.isoformat()},{LEARNERS[1][4]}\n"
    )
    learners_import(actor=provider_user, provider=provider, content=csv.encode())

    # Results (with the assessor's name), a certificate, a reissue with a corrected name, a cohort in bulk.
    curriculum = f.CurriculumFactory()
    cohort = f.CohortFactory(provider=provider, curriculum=curriculum)
    enrolments = [
        f.issuable_enrolment(provider=provider, curriculum=curriculum, cohort=cohort, learner=learner)
        for learner in Learner.objects.filter(pk__in=ids).order_by("pk")
    ]
    module = curriculum.modules.first()
    enrolments[0].results.filter(module=module).delete()
    module_result_record(
        actor=provider_user,
        enrolment=enrolments[0],
        module=module,
        data={
            "hours_theory": module.hours_theory,
            "hours_practice": module.hours_practice,
            "outcome": "pass",
            "assessed_on": datetime.date(2026, 5, 2),
            "assessor": ASSESSOR,
        },
    )
    certificate, _ = certificate_issue(actor=provider_user, enrolment=enrolments[0], awarded_on=AWARD)
    certificate_reissue(
        actor=provider_user, certificate=certificate, given_name=CORRECTED[0], family_name=REISSUED_FAMILY_NAME
    )
    result = cohort_issue_certificates(actor=provider_user, cohort=cohort, awarded_on=AWARD)
    assert len(result.issued) == 2

    # Admin edits of a user's names and e-mail.
    staff = f.UserFactory(organisation=None, role="", is_staff=True, is_superuser=True)
    client.force_login(staff)
    first, last, email = USER_NAMES
    response = client.post(
        f"/admin/registry/user/{provider_user.pk}/change/",
        {
            "username": provider_user.username,
            "first_name": first,
            "last_name": last,
            "email": email,
            "is_active": "on",
            "date_joined_0": "2026-01-05",
            "date_joined_1": "09:00:00",
            "organisation": provider.pk,
            "role": "provider",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors


def test_no_audit_entry_holds_a_personal_value(client, client_for):
    _representative_run(client, client_for)
    entries = list(AuditEntry.objects.all())
    kinds = {(e.object_type, e.action) for e in entries}
    assert ("credentials.learner", "create") in kinds and ("credentials.learner", "update") in kinds
    assert ("credentials.certificate", "issue") in kinds and ("credentials.certificate", "reissue") in kinds
    assert ("credentials.moduleresult", "create") in kinds and ("registry.user", "update") in kinds
    values = _personal_values()
    leaks = []
    for entry in entries:
        text = " ".join(
            [
                json.dumps(entry.before, ensure_ascii=False),
                json.dumps(entry.after, ensure_ascii=False),
                entry.object_repr,
                entry.reason,
            ]
        )
        leaks += [(entry.object_type, entry.action, value) for value in values if value in text]
    assert leaks == []


def test_a_certificates_audit_label_is_its_serial_number_and_a_learners_its_id(client, client_for):
    _representative_run(client, client_for)
    serials = dict(Certificate.objects.values_list("pk", "serial_number"))
    for entry in AuditEntry.objects.filter(object_type="credentials.certificate"):
        assert entry.object_repr == serials[int(entry.object_id)]
    for entry in AuditEntry.objects.filter(object_type="credentials.learner"):
        assert entry.object_repr == f"learner {entry.object_id}"
