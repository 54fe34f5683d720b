"""Demo training records and certificates, on top of registry.demo's catalogue.

- QPGJ's finished cohort on the OCN London programme (OCN-L5-SEN 2024.1, hybrid, Prishtinë): 14 learners
  with Albanian and Serbian (Latin and Cyrillic) names, results, and certificates issued under the OCN
  accreditation and the MESTI equivalency; one learner failed a module (no certificate), one certificate
  is revoked and one reissued for a name correction.
- QPGJ's second finished cohort (Ferizaj, 2025-2026) and QK Prizren's finished cohort on the national
  programme (NQA-L5-SEN 2017.1, in person, 2024-2025), all certified, so the tracer study has cohorts and
  years to compare.
- QK Prizren's running cohort on the national programme with 6 learners part-way through.

Idempotent (everything looked up first; certificates issued only for a cohort that has none) and written
through the services with actor=None, so the demo data is audited like any other change.
"""

from __future__ import annotations

import datetime

from credentials import services
from credentials.choices import CertificateStatus, CohortStatus, Gender, ResultOutcome, RevocationReason
from credentials.models import Certificate, Cohort, Enrolment, Learner, ModuleResult
from credentials.signing import ensure_active_key
from registry.choices import DeliveryMode
from registry.models import Curriculum, Municipality, Organisation, User

F, M = Gender.FEMALE, Gender.MALE

# given name, family name, gender, municipality, date of birth
QPGJ_LEARNERS = [
    ("Ardita", "Krasniqi", F, "prishtine", "1996-04-12"),
    ("Đorđe", "Čolić", M, "gracanice", "1994-11-02"),
    ("Ђорђе", "Јовановић", M, "mitrovice-e-veriut", "1998-02-03"),
    ("Blerta", "Gashi", F, "prishtine", "1999-07-21"),
    ("Arbër", "Hoxha", M, "ferizaj", "1997-01-30"),
    ("Valbona", "Berisha", F, "gjilan", "1993-05-16"),
    ("Fjolla", "Shala", F, "podujeve", "2000-09-09"),
    ("Dafina", "Morina", F, "prizren", "1995-12-01"),
    ("Teuta", "Rexhepi", F, "peje", "1992-03-27"),
    ("Milica", "Petrović", F, "gracanice", "1996-10-14"),
    ("Besarta", "Kelmendi", F, "gjakove", "1998-06-05"),
    ("Lirije", "Bytyqi", F, "prishtine", "1991-08-18"),
    ("Egzona", "Syla", F, "mitrovice-e-jugut", "2001-02-11"),
    ("Јелена", "Стојановић", F, "shterpce", "1997-04-04"),
]
PRIZREN_LEARNERS = [
    ("Drenusha", "Thaçi", F, "prizren", "2002-01-15"),
    ("Alban", "Kryeziu", M, "prizren", "2001-06-23"),
    ("Shpresa", "Hasani", F, "suhareke", "1999-11-30"),
    ("Nikola", "Đurić", M, "prizren", "2000-03-08"),
    ("Erëza", "Bajrami", F, "rahovec", "2003-05-19"),
    ("Ајла", "Хоџић", F, "prizren", "2002-09-27"),
]

QPGJ_LEARNERS_B = [
    ("Albulena", "Ahmeti", F, "ferizaj", "1995-02-14"),
    ("Kaltrina", "Zeqiri", F, "ferizaj", "1998-08-03"),
    ("Driton", "Osmani", M, "kacanik", "1993-10-22"),
    ("Mimoza", "Aliu", F, "shtime", "1997-12-09"),
    ("Vlora", "Ismaili", F, "ferizaj", "2000-04-28"),
    ("Ana", "Stanković", F, "gracanice", "1996-07-17"),
    ("Fitore", "Jashari", F, "lipjan", "1999-01-05"),
    ("Mentor", "Bislimi", M, "ferizaj", "1994-03-12"),
    ("Luljeta", "Mehmeti", F, "hani-i-elezit", "1992-11-25"),
    ("Марија", "Николић", F, "shterpce", "1998-05-31"),
]
PRIZREN_LEARNERS_2025 = [
    ("Arta", "Gashi", F, "prizren", "1996-09-14"),
    ("Rina", "Hoti", F, "prizren", "1999-04-02"),
    ("Besnik", "Krasniqi", M, "suhareke", "1995-06-19"),
    ("Gresa", "Limani", F, "rahovec", "2000-10-10"),
    ("Merita", "Sopi", F, "prizren", "1993-02-07"),
    ("Selma", "Kurtović", F, "prizren", "1997-08-21"),
    ("Jeton", "Berisha", M, "dragash", "1998-12-30"),
    ("Lindita", "Hajdari", F, "mamushe", "1994-05-06"),
    ("Nora", "Elshani", F, "prizren", "2001-03-15"),
]

QPGJ_COHORT = {
    "code": "OCN-SEN-2024-A",
    "name": "Kohorta hibride 2024 (Prishtinë)",
    "start_date": datetime.date(2024, 2, 5),
    "end_date": datetime.date(2025, 6, 27),
    "delivery_mode": DeliveryMode.HYBRID,
    "municipality": "prishtine",
    "mentors": ["Drita Berisha", "Milica Marković", "Arta Dobruna"],
}
PRIZREN_COHORT = {
    "code": "QKP-SEN-2026",
    "name": "Grupi 2026",
    "start_date": datetime.date(2026, 2, 2),
    "end_date": datetime.date(2027, 1, 29),
    "delivery_mode": DeliveryMode.IN_PERSON,
    "municipality": "prizren",
    "mentors": ["Mirlinda Kabashi"],
}
QPGJ_COHORT_B = {
    "code": "OCN-SEN-2025-B",
    "name": "Kohorta hibride 2025 (Ferizaj)",
    "start_date": datetime.date(2025, 3, 3),
    "end_date": datetime.date(2026, 3, 27),
    "delivery_mode": DeliveryMode.HYBRID,
    "municipality": "ferizaj",
    "mentors": ["Drita Berisha", "Valdete Ramadani"],
}
PRIZREN_COHORT_2025 = {
    "code": "QKP-SEN-2025",
    "name": "Grupi 2024/25",
    "start_date": datetime.date(2024, 9, 16),
    "end_date": datetime.date(2025, 6, 27),
    "delivery_mode": DeliveryMode.IN_PERSON,
    "municipality": "prizren",
    "mentors": ["Mirlinda Kabashi"],
}
QPGJ_AWARD = datetime.date(2025, 7, 15)
QPGJ_ASSESSED = datetime.date(2025, 6, 20)
PRIZREN_ASSESSED = datetime.date(2026, 6, 12)
FAILING = ("Egzona", "Syla")  # failed one mandatory module: no certificate
REVOKED = ("Teuta", "Rexhepi")
REISSUED = (("Blerta", "Gashi"), ("Blerta", "Gashi-Krasniqi"))


def _personal_number(series: int, index: int) -> str:
    return f"{series}{index:08d}"


def _learners(provider: Organisation, rows, series: int) -> list[Learner]:
    municipalities = {m.slug: m for m in Municipality.objects.all()}
    learners = []
    for i, (given, family, gender, municipality, born) in enumerate(rows, start=1):
        number = _personal_number(series, i)
        learner = Learner.objects.filter(provider=provider, personal_number=number).first()
        if learner is None:
            learner = services.learner_create(
                actor=None,
                provider=provider,
                data={
                    "given_name": given,
                    "family_name": family,
                    "gender": gender,
                    "municipality": municipalities.get(municipality),
                    "date_of_birth": datetime.date.fromisoformat(born),
                    "personal_number": number,
                },
            )
        learners.append(learner)
    return learners


def _cohort(provider: Organisation, curriculum: Curriculum, spec: dict) -> Cohort:
    cohort = Cohort.objects.filter(provider=provider, code=spec["code"]).first()
    if cohort is None:
        data = dict(spec, curriculum=curriculum, status=CohortStatus.RUNNING)
        data["municipality"] = Municipality.objects.get(slug=spec["municipality"])
        cohort = services.cohort_create(actor=None, provider=provider, data=data)
    return cohort


def _enrol(cohort: Cohort, learners: list[Learner]) -> list[Enrolment]:
    enrolments = []
    for learner in learners:
        enrolment = Enrolment.objects.filter(cohort=cohort, learner=learner).first()
        if enrolment is None:
            enrolment = services.enrolment_create(
                actor=None, cohort=cohort, learner=learner, enrolled_on=cohort.start_date
            )
        enrolments.append(enrolment)
    return enrolments


def _record(enrolment: Enrolment, module, *, share: float, outcome: str, assessed_on) -> None:
    if ModuleResult.objects.filter(enrolment=enrolment, module=module).exists():
        return
    services.module_result_record(
        actor=None,
        enrolment=enrolment,
        module=module,
        data={
            "hours_theory": int(module.hours_theory * share),
            "hours_practice": int(module.hours_practice * share),
            "outcome": outcome,
            "assessed_on": assessed_on if outcome != ResultOutcome.PENDING else None,
            "assessor": "Drita Berisha" if enrolment.cohort.provider.slug == "qpgj" else "Mirlinda Kabashi",
        },
    )


def _seed_finished(
    provider: Organisation,
    curriculum: Curriculum,
    spec: dict,
    rows,
    *,
    series: int,
    assessed_on,
    awarded_on,
    failing: tuple[str, str] | None = None,
) -> tuple[Cohort, int]:
    """A finished cohort: every learner passed every mandatory module (but `failing`, who failed one),
    certificates issued for the whole cohort at once. Returns the cohort and how many were issued now."""
    cohort = _cohort(provider, curriculum, spec)
    enrolments = _enrol(cohort, _learners(provider, rows, series=series))
    modules = list(curriculum.modules.order_by("order", "code"))
    for i, enrolment in enumerate(enrolments):
        fails = (enrolment.learner.given_name, enrolment.learner.family_name) == failing
        for module in modules:
            if not module.mandatory and i % 3:
                continue  # about a third take the elective, where there is one
            outcome = ResultOutcome.FAIL if fails and module == modules[-2] else ResultOutcome.PASS
            _record(enrolment, module, share=1.0, outcome=outcome, assessed_on=assessed_on)
    issued = 0
    if not Certificate.objects.filter(enrolment__cohort=cohort).exists():
        result = services.cohort_issue_certificates(actor=None, cohort=cohort, awarded_on=awarded_on)
        issued = len(result.issued)
    if cohort.status != CohortStatus.FINISHED:
        services.cohort_update(actor=None, cohort=cohort, data={"status": CohortStatus.FINISHED})
    return cohort, issued


def _seed_qpgj(qpgj: Organisation) -> int:
    curriculum = Curriculum.objects.get(qualification__code="OCN-L5-SEN", version="2024.1")
    cohort, issued = _seed_finished(
        qpgj,
        curriculum,
        QPGJ_COHORT,
        QPGJ_LEARNERS,
        series=12,
        assessed_on=QPGJ_ASSESSED,
        awarded_on=QPGJ_AWARD,
        failing=FAILING,
    )
    if issued:
        _revoke_and_reissue(cohort)
    _cohort_b, issued_b = _seed_finished(
        qpgj,
        curriculum,
        QPGJ_COHORT_B,
        QPGJ_LEARNERS_B,
        series=14,
        assessed_on=datetime.date(2026, 3, 20),
        awarded_on=datetime.date(2026, 4, 15),
    )
    return issued + issued_b


def _certificate_of(cohort: Cohort, given: str, family: str) -> Certificate:
    return Certificate.objects.get(
        enrolment__cohort=cohort,
        learner__given_name=given,
        learner__family_name=family,
        status=CertificateStatus.VALID,
    )


def _revoke_and_reissue(cohort: Cohort) -> None:
    # QPGJ's own decision (its demo user acts, so the revocation carries the provider's rank, not the
    # system's, which is the ministry's).
    qpgj_user = User.objects.filter(username="qpgj", organisation=cohort.provider).first()
    services.certificate_revoke(
        actor=qpgj_user,
        certificate=_certificate_of(cohort, *REVOKED),
        reason_code=RevocationReason.ISSUED_IN_ERROR,
        reference="QPGJ/2025/117: practice hours recorded twice; certificate withdrawn pending review",
    )
    (given, family), (new_given, new_family) = REISSUED
    services.certificate_reissue(
        actor=None,
        certificate=_certificate_of(cohort, given, family),
        given_name=new_given,
        family_name=new_family,
        reason="Name correction after marriage (copy of ID card on file)",
    )


def _seed_prizren(qk: Organisation) -> int:
    curriculum = Curriculum.objects.get(qualification__code="NQA-L5-SEN", version="2017.1")
    _finished, issued = _seed_finished(
        qk,
        curriculum,
        PRIZREN_COHORT_2025,
        PRIZREN_LEARNERS_2025,
        series=15,
        assessed_on=datetime.date(2025, 6, 20),
        awarded_on=datetime.date(2025, 7, 10),
    )
    cohort = _cohort(qk, curriculum, PRIZREN_COHORT)
    learners = _learners(qk, PRIZREN_LEARNERS, series=13)
    enrolments = _enrol(cohort, learners)
    modules = list(curriculum.modules.filter(mandatory=True).order_by("order", "code"))
    for i, enrolment in enumerate(enrolments):
        done = 3 + i % 3  # part-way through: the first few modules assessed
        for module in modules[:done]:
            _record(enrolment, module, share=1.0, outcome=ResultOutcome.PASS, assessed_on=PRIZREN_ASSESSED)
        _record(enrolment, modules[done], share=0.5, outcome=ResultOutcome.PENDING, assessed_on=None)
    return issued


def seed() -> str:
    qpgj = Organisation.objects.get(slug="qpgj")
    qk = Organisation.objects.get(slug="qk-prizren")
    ensure_active_key()  # certificates are signed at issuance
    issued = _seed_qpgj(qpgj) + _seed_prizren(qk)
    return (
        f"{Learner.objects.count()} learners, {Cohort.objects.count()} cohorts, "
        f"{Certificate.objects.count()} certificates ({issued} issued now)"
    )
