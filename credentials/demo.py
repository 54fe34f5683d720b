"""Demo training records and certificates, on top of registry.demo's catalogue.

- QPGJ's finished cohort on the OCN London programme (OCN-L5-SEN 2024.1, hybrid, Prishtinë): 14 learners
  with Albanian and Serbian (Latin and Cyrillic) names, results, and certificates issued under the OCN
  accreditation and the MESTI equivalency; one learner failed a module (no certificate), one certificate
  is revoked and one reissued for a name correction.
- QK Prizren's running cohort on the national programme (NQA-L5-SEN 2017.1, in person) with 6 learners
  part-way through.

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
from registry.models import Curriculum, Municipality, Organisation

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


def _seed_qpgj(qpgj: Organisation) -> tuple[Cohort, int]:
    curriculum = Curriculum.objects.get(qualification__code="OCN-L5-SEN", version="2024.1")
    cohort = _cohort(qpgj, curriculum, QPGJ_COHORT)
    learners = _learners(qpgj, QPGJ_LEARNERS, series=12)
    enrolments = _enrol(cohort, learners)
    modules = list(curriculum.modules.order_by("order", "code"))
    for i, enrolment in enumerate(enrolments):
        failing = (enrolment.learner.given_name, enrolment.learner.family_name) == FAILING
        for module in modules:
            if not module.mandatory and i % 3:
                continue  # about a third take the family-focused elective
            outcome = ResultOutcome.FAIL if failing and module == modules[-2] else ResultOutcome.PASS
            _record(enrolment, module, share=1.0, outcome=outcome, assessed_on=QPGJ_ASSESSED)
    issued = 0
    if not Certificate.objects.filter(enrolment__cohort=cohort).exists():
        result = services.cohort_issue_certificates(actor=None, cohort=cohort, awarded_on=QPGJ_AWARD)
        issued = len(result.issued)
        _revoke_and_reissue(cohort)
    if cohort.status != CohortStatus.FINISHED:
        services.cohort_update(actor=None, cohort=cohort, data={"status": CohortStatus.FINISHED})
    return cohort, issued


def _certificate_of(cohort: Cohort, given: str, family: str) -> Certificate:
    return Certificate.objects.get(
        enrolment__cohort=cohort,
        learner__given_name=given,
        learner__family_name=family,
        status=CertificateStatus.VALID,
    )


def _revoke_and_reissue(cohort: Cohort) -> None:
    services.certificate_revoke(
        actor=None,
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


def _seed_prizren(qk: Organisation) -> Cohort:
    curriculum = Curriculum.objects.get(qualification__code="NQA-L5-SEN", version="2017.1")
    cohort = _cohort(qk, curriculum, PRIZREN_COHORT)
    learners = _learners(qk, PRIZREN_LEARNERS, series=13)
    enrolments = _enrol(cohort, learners)
    modules = list(curriculum.modules.filter(mandatory=True).order_by("order", "code"))
    for i, enrolment in enumerate(enrolments):
        done = 3 + i % 3  # part-way through: the first few modules assessed
        for module in modules[:done]:
            _record(enrolment, module, share=1.0, outcome=ResultOutcome.PASS, assessed_on=PRIZREN_ASSESSED)
        _record(enrolment, modules[done], share=0.5, outcome=ResultOutcome.PENDING, assessed_on=None)
    return cohort


def seed() -> str:
    qpgj = Organisation.objects.get(slug="qpgj")
    qk = Organisation.objects.get(slug="qk-prizren")
    ensure_active_key()  # certificates are signed at issuance
    _cohort_qpgj, issued = _seed_qpgj(qpgj)
    _seed_prizren(qk)
    return (
        f"{Learner.objects.count()} learners, {Cohort.objects.count()} cohorts, "
        f"{Certificate.objects.count()} certificates ({issued} issued now)"
    )
