"""factory_boy factories for the whole project. Defaults build a coherent, issuable world:
an available qualification with an approved curriculum (600 h theory + 600 h practice over modules)
and a provider accredited in force."""

from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from credentials import models as cm
from credentials.choices import CohortStatus, EnrolmentStatus, Gender, ResultOutcome
from credentials.date_of_birth import date_of_birth_digest
from credentials.pdf.qr import encode_symbol, text_digest
from credentials.signing import mac_for_snapshot, sign_snapshot
from credentials.snapshot import build_certificate_snapshot
from credentials.tokens import new_certificate_token, verification_url
from registry import models as rm
from registry.choices import (
    AccreditationStatus,
    CurriculumStatus,
    DeliveryMode,
    EquivalencyStatus,
    ModuleKind,
    OrganisationKind,
    QualificationStatus,
    Role,
    StandardStatus,
)

TODAY = datetime.date(2026, 6, 30)


class MunicipalityFactory(DjangoModelFactory):
    class Meta:
        model = rm.Municipality
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"municipality-{n}")
    name_sq = factory.Sequence(lambda n: f"Komuna {n}")
    name_sr = factory.Sequence(lambda n: f"Opština {n}")
    name_sr_cyrl = factory.Sequence(lambda n: f"Општина {n}")
    name_en = factory.Sequence(lambda n: f"Municipality {n}")


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = rm.Organisation

    slug = factory.Sequence(lambda n: f"org-{n}")
    kind = OrganisationKind.PROVIDER
    name = factory.Sequence(lambda n: f"Organisation {n}")
    short_name = factory.Sequence(lambda n: f"ORG{n}")
    country = "XK"

    class Params:
        ministry = factory.Trait(kind=OrganisationKind.MINISTRY)
        authority = factory.Trait(kind=OrganisationKind.QUALIFICATION_AUTHORITY)
        awarding_body = factory.Trait(kind=OrganisationKind.AWARDING_BODY)
        foreign_awarding_body = factory.Trait(kind=OrganisationKind.AWARDING_BODY, country="GB")
        municipality_org = factory.Trait(kind=OrganisationKind.MUNICIPALITY)
        employer = factory.Trait(kind=OrganisationKind.EMPLOYER)


ROLE_FOR_KIND = {
    OrganisationKind.MINISTRY: Role.MINISTRY,
    OrganisationKind.QUALIFICATION_AUTHORITY: Role.MINISTRY,
    OrganisationKind.AWARDING_BODY: Role.AWARDING_BODY,
    OrganisationKind.PROVIDER: Role.PROVIDER,
    OrganisationKind.EMPLOYER: Role.VERIFIER,
    OrganisationKind.MUNICIPALITY: Role.VERIFIER,
}


class UserFactory(DjangoModelFactory):
    """`UserFactory(organisation=org)` picks the role that fits the organisation's kind."""

    class Meta:
        model = rm.User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    role = factory.LazyAttribute(lambda o: ROLE_FOR_KIND[o.organisation.kind] if o.organisation else "")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery-staple")

    class Params:
        ministry = factory.Trait(organisation=factory.SubFactory(OrganisationFactory, ministry=True))
        awarding_body = factory.Trait(organisation=factory.SubFactory(OrganisationFactory, awarding_body=True))
        verifier = factory.Trait(organisation=factory.SubFactory(OrganisationFactory, municipality_org=True))

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OccupationalStandardFactory(DjangoModelFactory):
    class Meta:
        model = rm.OccupationalStandard

    code = factory.Sequence(lambda n: f"OS-{n:04d}")
    title = "Assistant for children with special educational needs"
    version = 1
    isco08_code = "5312"
    status = StandardStatus.APPROVED
    approved_on = datetime.date(2017, 3, 1)
    review_on = datetime.date(2027, 3, 1)


class DutyFactory(DjangoModelFactory):
    class Meta:
        model = rm.Duty

    standard = factory.SubFactory(OccupationalStandardFactory)
    code = factory.Sequence(lambda n: f"D{n}")
    title = "Support the learning of the child"


class CompetenceFactory(DjangoModelFactory):
    class Meta:
        model = rm.Competence

    duty = factory.SubFactory(DutyFactory)
    code = factory.Sequence(lambda n: f"C{n}")
    kind = "skill"
    description = "Adapts learning material to the child's individual education plan."


class QualificationFactory(DjangoModelFactory):
    class Meta:
        model = rm.Qualification
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"Q-{n:04d}")
    serial_prefix = factory.Sequence(lambda n: f"Q{n}")
    title_sq = "Asistent për fëmijë/nxënës me nevoja të veçanta arsimore"
    title_sr = "Asistent za decu/učenike sa posebnim obrazovnim potrebama"
    title_en = "Assistant for children/pupils with special educational needs"
    nqf_level = 5
    eqf_level = 5
    credits = 120
    isced_f_code = "0113"
    hours_theory = 600
    hours_practice = 600
    owner = factory.SubFactory(OrganisationFactory, ministry=True)
    awarding_body = factory.SubFactory(OrganisationFactory, authority=True)
    status = QualificationStatus.AVAILABLE
    operational_start = datetime.date(2017, 9, 1)


class CurriculumFactory(DjangoModelFactory):
    """An approved curriculum whose two mandatory modules carry the qualification's hours."""

    class Meta:
        model = rm.Curriculum
        skip_postgeneration_save = True

    qualification = factory.SubFactory(QualificationFactory)
    version = factory.Sequence(lambda n: f"v{n}")
    delivery_modes = factory.LazyFunction(lambda: [DeliveryMode.HYBRID])
    status = CurriculumStatus.APPROVED

    @factory.post_generation
    def modules(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        q = obj.qualification
        CurriculumModuleFactory(
            curriculum=obj,
            code="M1",
            title="Theory of inclusive education",
            kind=ModuleKind.THEORY,
            hours_theory=q.hours_theory,
            hours_practice=0,
            credits=q.credits // 2,
            order=1,
        )
        CurriculumModuleFactory(
            curriculum=obj,
            code="M2",
            title="Supervised practice placement",
            kind=ModuleKind.PRACTICE,
            hours_theory=0,
            hours_practice=q.hours_practice,
            credits=q.credits - q.credits // 2,
            order=2,
        )


class CurriculumModuleFactory(DjangoModelFactory):
    class Meta:
        model = rm.CurriculumModule

    curriculum = factory.SubFactory(CurriculumFactory, modules=False)
    code = factory.Sequence(lambda n: f"MOD{n}")
    title = "Module"
    kind = ModuleKind.MIXED
    hours_theory = 10
    hours_practice = 10
    credits = 2
    mandatory = True


class AccreditationFactory(DjangoModelFactory):
    class Meta:
        model = rm.Accreditation
        skip_postgeneration_save = True

    provider = factory.SubFactory(OrganisationFactory)
    qualification = factory.SubFactory(QualificationFactory)
    agent = factory.LazyAttribute(lambda o: o.qualification.awarding_body)
    decision_number = factory.Sequence(lambda n: f"NQA-{n:05d}")
    valid_from = datetime.date(2024, 1, 1)
    valid_until = datetime.date(2026, 12, 31)
    status = AccreditationStatus.GRANTED


class EquivalencyFactory(DjangoModelFactory):
    class Meta:
        model = rm.Equivalency

    qualification = factory.SubFactory(
        QualificationFactory, awarding_body=factory.SubFactory(OrganisationFactory, foreign_awarding_body=True)
    )
    equivalent_to = factory.SubFactory(QualificationFactory)
    decided_by = factory.SubFactory(OrganisationFactory, ministry=True)
    decision_number = factory.Sequence(lambda n: f"MESTI-EQ-{n:04d}")
    decided_on = datetime.date(2023, 9, 1)
    valid_from = datetime.date(2023, 9, 1)
    status = EquivalencyStatus.GRANTED


class LearnerFactory(DjangoModelFactory):
    class Meta:
        model = cm.Learner

    provider = factory.SubFactory(OrganisationFactory)
    given_name = "Ardita"
    family_name = "Krasniqi"
    date_of_birth = datetime.date(1995, 4, 12)
    personal_number = factory.Sequence(lambda n: f"{1100000000 + n:010d}")
    gender = Gender.FEMALE


class CohortFactory(DjangoModelFactory):
    class Meta:
        model = cm.Cohort

    provider = factory.SubFactory(OrganisationFactory)
    curriculum = factory.SubFactory(CurriculumFactory)
    code = factory.Sequence(lambda n: f"C{n:03d}")
    start_date = datetime.date(2025, 1, 15)
    end_date = datetime.date(2026, 5, 31)
    delivery_mode = DeliveryMode.HYBRID
    status = CohortStatus.FINISHED


class EnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = cm.Enrolment

    cohort = factory.SubFactory(CohortFactory)
    learner = factory.SubFactory(LearnerFactory, provider=factory.SelfAttribute("..cohort.provider"))
    status = EnrolmentStatus.ACTIVE
    enrolled_on = datetime.date(2025, 1, 15)


class ModuleResultFactory(DjangoModelFactory):
    class Meta:
        model = cm.ModuleResult

    enrolment = factory.SubFactory(EnrolmentFactory)
    module = factory.SubFactory(CurriculumModuleFactory)
    outcome = ResultOutcome.PASS
    assessed_on = datetime.date(2026, 5, 20)
    assessor = "Drita Berisha"


def issuable_enrolment(**enrolment_kwargs) -> cm.Enrolment:
    """An enrolment that meets every issuance rule on TODAY: accredited provider, available
    qualification, every mandatory module passed with its full hours."""
    provider = enrolment_kwargs.pop("provider", None) or OrganisationFactory()
    curriculum = enrolment_kwargs.pop("curriculum", None) or CurriculumFactory()
    if not rm.Accreditation.objects.filter(provider=provider, qualification=curriculum.qualification).exists():
        AccreditationFactory(provider=provider, qualification=curriculum.qualification)
    cohort = enrolment_kwargs.pop("cohort", None) or CohortFactory(provider=provider, curriculum=curriculum)
    enrolment = EnrolmentFactory(cohort=cohort, **enrolment_kwargs)
    for module in curriculum.modules.all():
        ModuleResultFactory(
            enrolment=enrolment, module=module, hours_theory=module.hours_theory, hours_practice=module.hours_practice
        )
    return enrolment


def _crockford_id(n: int) -> str:
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    value, out = 0x5EED_0000_0000_0000_0000_0000_0000_0000 + n, []
    for _ in range(26):
        value, rem = divmod(value, 32)
        out.append(alphabet[rem])
    return "".join(reversed(out))


class CertificateFactory(DjangoModelFactory):
    """A certificate row built directly (no issuance rules checked, unsigned unless `signed=True` is
    handled by the signing module). Prefer `credentials.services.certificate_issue` in tests of rules."""

    class Meta:
        model = cm.Certificate

    enrolment = factory.LazyFunction(issuable_enrolment)
    learner = factory.SelfAttribute("enrolment.learner")
    curriculum = factory.SelfAttribute("enrolment.cohort.curriculum")
    qualification = factory.SelfAttribute("curriculum.qualification")
    provider = factory.SelfAttribute("enrolment.cohort.provider")
    awarding_body = factory.SelfAttribute("qualification.awarding_body")
    accreditation = factory.LazyAttribute(
        lambda o: rm.Accreditation.objects.filter(provider=o.provider, qualification=o.qualification).first()
    )
    equivalency = None
    serial_number = factory.Sequence(lambda n: f"TEST-2026-{n + 1:06d}")
    verification_id = factory.Sequence(_crockford_id)
    awarded_on = datetime.date(2026, 6, 1)
    issued_on = datetime.date(2026, 6, 2)
    holder_name = factory.LazyAttribute(lambda o: o.enrolment.learner.full_name)
    date_of_birth_digest = factory.LazyAttribute(
        lambda o: date_of_birth_digest(learner_id=o.learner.pk, date_of_birth=o.learner.date_of_birth)
    )
    snapshot = factory.LazyAttribute(
        lambda o: build_certificate_snapshot(
            enrolment=o.enrolment,
            accreditation=o.accreditation,
            equivalency=o.equivalency,
            serial_number=o.serial_number,
            verification_id=o.verification_id,
            awarded_on=o.awarded_on,
            issued_on=o.issued_on,
        )
    )
    signature = factory.LazyAttribute(lambda o: o.signed[0])
    key_id = factory.LazyAttribute(lambda o: o.signed[1])
    qr_token = factory.LazyAttribute(new_certificate_token)  # made once, as issuance does
    qr_symbol = factory.LazyAttribute(lambda o: encode_symbol(verification_url(o)))  # so is its QR symbol
    qr_symbol_digest = factory.LazyAttribute(lambda o: text_digest(verification_url(o)))
    # As issuance does: the MAC only over a signature the key verifies (a forged signature gets none).
    signature_mac = factory.LazyAttribute(lambda o: mac_for_snapshot(o.snapshot, o.signature, o.key_id))

    class Params:
        # (signature, key id) of the snapshot by the test's active key; pass signature=... to forge one.
        signed = factory.LazyAttribute(lambda o: sign_snapshot(o.snapshot))
