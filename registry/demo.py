"""Demo catalogue: the real Level 5 qualification for assistants to children with SEN, the bodies around it,
QPGJ's hybrid programme accredited by OCN London with its ministry equivalency, and one user per role.

Idempotent: everything is looked up by slug/code first. Writes go through the services (actor=None: the
system), so the demo data is audited like any other change.
"""

from __future__ import annotations

import datetime

from registry.choices import (
    AccreditationExtent,
    AccreditationKind,
    AccreditationStatus,
    CompetenceKind,
    CurriculumStatus,
    DeliveryMode,
    ModuleKind,
    OrganisationKind,
    QualificationStatus,
    QualificationType,
    Role,
    StandardStatus,
)
from registry.models import (
    Accreditation,
    Competence,
    Curriculum,
    Equivalency,
    Municipality,
    OccupationalStandard,
    Organisation,
    Qualification,
    User,
)
from registry.reference_data import ensure_municipalities
from registry.services import accreditation as acc_services
from registry.services import catalogue

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - published demo credentials, local use only

ORGANISATIONS = [
    # slug, kind, name, short name, country, municipality, registration number
    (
        "mesti",
        OrganisationKind.MINISTRY,
        "Ministria e Arsimit, Shkencës, Teknologjisë dhe Inovacionit",
        "MESTI",
        "XK",
        "prishtine",
        "",
    ),
    (
        "nqa",
        OrganisationKind.QUALIFICATION_AUTHORITY,
        "Autoriteti Kombëtar i Kualifikimeve",
        "AKK / NQA",
        "XK",
        "prishtine",
        "",
    ),
    ("ocn-london", OrganisationKind.AWARDING_BODY, "OCN London", "OCN London", "GB", None, ""),
    ("pearson", OrganisationKind.AWARDING_BODY, "Pearson Education Ltd (BTEC)", "Pearson", "GB", None, ""),
    (
        "qpgj",
        OrganisationKind.PROVIDER,
        "Qendra Profesionale për Gjithëpërfshirje",
        "QPGJ",
        "XK",
        "prishtine",
        "811234567",
    ),
    ("qk-prizren", OrganisationKind.PROVIDER, "Qendra e Kompetencës Prizren", "QK Prizren", "XK", "prizren", ""),
    (
        "komuna-prishtine",
        OrganisationKind.MUNICIPALITY,
        "Komuna e Prishtinës – Drejtoria e Arsimit",
        "Komuna Prishtinë",
        "XK",
        "prishtine",
        "",
    ),
    (
        "komuna-prizren",
        OrganisationKind.MUNICIPALITY,
        "Komuna e Prizrenit – Drejtoria e Arsimit",
        "Komuna Prizren",
        "XK",
        "prizren",
        "",
    ),
    (
        "komuna-ferizaj",
        OrganisationKind.MUNICIPALITY,
        "Komuna e Ferizajt – Drejtoria e Arsimit",
        "Komuna Ferizaj",
        "XK",
        "ferizaj",
        "",
    ),
    (
        "ojq-hapa",
        OrganisationKind.EMPLOYER,
        "OJQ Hapa – shërbime për familje me fëmijë me NVA",
        "OJQ Hapa",
        "XK",
        "prishtine",
        "",
    ),
]

USERS = [
    # username, organisation slug, role, first name, last name
    ("ministry", "mesti", Role.MINISTRY, "Lulavere", "Behluli"),
    ("nqa", "nqa", Role.MINISTRY, "Arben", "Hoxha"),
    ("ocn", "ocn-london", Role.AWARDING_BODY, "Sarah", "Mitchell"),
    ("qpgj", "qpgj", Role.PROVIDER, "Teuta", "Gashi"),
    ("qkprizren", "qk-prizren", Role.PROVIDER, "Besnik", "Morina"),
    ("prishtina", "komuna-prishtine", Role.VERIFIER, "Vjosa", "Shala"),
]

STANDARD = {
    "code": "SP-ANVA-5",
    "title": "Asistent/e për fëmijë/nxënës me nevoja të veçanta arsimore",
    "version": 1,
    "isco08_code": "5312",
    "esco_uri": "http://data.europa.eu/esco/isco/C5312",
    "status": StandardStatus.APPROVED,
    "approved_on": datetime.date(2017, 6, 15),
    "review_on": datetime.date(2027, 6, 15),
    "developed_by": "Local experts with MESTI, supported by Project KSV/015",
}

K, S, A = CompetenceKind.KNOWLEDGE, CompetenceKind.SKILL, CompetenceKind.AUTONOMY_RESPONSIBILITY
DUTIES = [
    (
        "A",
        "Mbështet zhvillimin dhe mësimin e fëmijës",
        [
            ("A.1", K, "Knows the stages of child development and how disabilities affect learning."),
            ("A.2", S, "Adapts learning materials and tasks to the child's individual education plan (IEP)."),
            ("A.3", A, "Works under the teacher's guidance and reports the child's progress."),
        ],
    ),
    (
        "B",
        "Lehtëson komunikimin dhe pjesëmarrjen",
        [
            ("B.1", K, "Knows alternative and augmentative communication (AAC) methods."),
            ("B.2", S, "Uses pictures, signs and devices to communicate with the child."),
        ],
    ),
    (
        "C",
        "Mbështet sjelljen pozitive dhe mirëqenien",
        [
            ("C.1", K, "Understands the causes of challenging behaviour."),
            ("C.2", S, "Applies agreed positive behaviour support strategies."),
            ("C.3", S, "Provides personal care safely and with dignity."),
        ],
    ),
    (
        "D",
        "Bashkëpunon me familjen dhe ekipin",
        [
            ("D.1", S, "Communicates respectfully with parents and carers."),
            ("D.2", A, "Takes part in the school's inclusion team and respects confidentiality."),
        ],
    ),
    (
        "E",
        "Siguron mbrojtjen dhe sigurinë e fëmijës",
        [
            ("E.1", K, "Knows safeguarding procedures and Kosovo's child-protection law."),
            ("E.2", A, "Acts on safeguarding concerns and follows health and safety rules."),
        ],
    ),
]

# code, title (sq), title (en), kind, theory, practice, credits, competences
MODULES = [
    (
        "M01",
        "Zhvillimi i fëmijës dhe të nxënit",
        "Child development and learning",
        ModuleKind.MIXED,
        80,
        20,
        10,
        ["A.1"],
    ),
    (
        "M02",
        "Arsimi gjithëpërfshirës: legjislacioni dhe politikat në Kosovë",
        "Inclusive education: law and policy in Kosovo",
        ModuleKind.THEORY,
        50,
        0,
        5,
        ["E.1"],
    ),
    (
        "M03",
        "Nevojat e veçanta arsimore dhe aftësitë e kufizuara",
        "Special educational needs and disabilities",
        ModuleKind.MIXED,
        90,
        20,
        11,
        ["A.1", "C.1"],
    ),
    (
        "M04",
        "Mbështetja e të nxënit dhe plani individual i arsimit (PIA)",
        "Supporting learning and the individual education plan",
        ModuleKind.MIXED,
        80,
        40,
        12,
        ["A.2", "A.3"],
    ),
    (
        "M05",
        "Komunikimi, gjuha dhe komunikimi alternativ (AAC)",
        "Communication, language and AAC",
        ModuleKind.MIXED,
        70,
        30,
        10,
        ["B.1", "B.2"],
    ),
    (
        "M06",
        "Mbështetja e sjelljes pozitive",
        "Positive behaviour support",
        ModuleKind.MIXED,
        60,
        30,
        9,
        ["C.1", "C.2"],
    ),
    (
        "M07",
        "Puna me familjet dhe komunitetin",
        "Working with families and the community",
        ModuleKind.MIXED,
        50,
        20,
        7,
        ["D.1"],
    ),
    (
        "M08",
        "Shëndeti, siguria, kujdesi personal dhe mbrojtja e fëmijës",
        "Health, safety, personal care and safeguarding",
        ModuleKind.MIXED,
        60,
        20,
        8,
        ["C.3", "E.1", "E.2"],
    ),
    (
        "M09",
        "Teknologjia ndihmëse dhe materialet e qasshme",
        "Assistive technology and accessible materials",
        ModuleKind.MIXED,
        30,
        20,
        5,
        ["B.2"],
    ),
    (
        "M10",
        "Etika profesionale, puna në ekip dhe praktika reflektuese",
        "Professional ethics, teamwork and reflective practice",
        ModuleKind.THEORY,
        30,
        0,
        3,
        ["D.2"],
    ),
    (
        "M11",
        "Praktika e mbikëqyrur në shkollë",
        "Supervised practice placement in a school",
        ModuleKind.PRACTICE,
        0,
        350,
        35,
        ["A.2", "A.3", "C.2", "D.2"],
    ),
    (
        "M12",
        "Praktika e mbikëqyrur me familjet",
        "Supervised practice with families",
        ModuleKind.PRACTICE,
        0,
        50,
        5,
        ["D.1", "C.3"],
    ),
]

QUALIFICATIONS = [
    {
        "code": "NQA-L5-SEN",
        "serial_prefix": "L5-SEN",
        "title_sq": "Asistent/e për fëmijë/nxënës me nevoja të veçanta arsimore",
        "title_sr": "Asistent/kinja za decu/učenike sa posebnim obrazovnim potrebama",
        "title_en": "Assistant for children/pupils with special educational needs (SEN)",
        "owner": "mesti",
        "awarding_body": "nqa",
        "operational_start": datetime.date(2017, 9, 1),
        "curriculum": (
            "2017.1",
            [DeliveryMode.IN_PERSON],
            "Pearson (BTEC) for Project KSV/015",
            datetime.date(2017, 8, 1),
        ),
    },
    {
        "code": "OCN-L5-SEN",
        "serial_prefix": "L5-SEN-OCN",
        "title_sq": "Diplomë e nivelit 5 për asistentë të fëmijëve me nevoja të veçanta arsimore (OCN London)",
        "title_sr": "Diploma nivoa 5 za asistente dece sa posebnim obrazovnim potrebama (OCN London)",
        "title_en": "OCN London Level 5 Diploma for Assistants to Children with Special Educational Needs",
        "owner": "mesti",
        "awarding_body": "ocn-london",
        "operational_start": datetime.date(2023, 10, 1),
        "curriculum": (
            "2024.1",
            [DeliveryMode.HYBRID, DeliveryMode.ONLINE, DeliveryMode.IN_PERSON],
            "QPGJ with OCN London",
            datetime.date(2023, 12, 1),
        ),
    },
]

# ISCED-F 2013 detailed field 0113 "Teacher training without subject specialisation": UNESCO's detailed field
# descriptions (2015) put "the study of teaching children with special needs" in this field.
ISCED_F_SEN = "0113"

# sites of QPGJ's hybrid programme: the eight municipalities it plans to reach
QPGJ_MUNICIPALITIES = ["prishtine", "ferizaj", "gjilan", "prizren", "peje", "mitrovice-e-jugut", "gjakove", "podujeve"]


def _outcomes(code: str, title_en: str) -> list[dict]:
    return [
        {
            "code": f"{code}.LO1",
            "description": f"Explain the key ideas of: {title_en.lower()}.",
            "assessment_criteria": ["Describes the main concepts accurately", "Relates them to a real case"],
        },
        {
            "code": f"{code}.LO2",
            "description": f"Apply {title_en.lower()} when supporting a child in practice.",
            "assessment_criteria": ["Plans the support with the teacher", "Reflects on the outcome in a log"],
        },
    ]


# Who signs for the organisations that sign certificates (their signature lines). The seeds name no one at these
# organisations, so the demo prints role titles only; a real organisation records its signatory's name too.
SIGNATORY_TITLES = {
    "nqa": "Drejtor/e ekzekutiv/e",
    "ocn-london": "Responsible Officer",
    "pearson": "Responsible Officer",
    "qpgj": "Drejtor/e ekzekutiv/e",
    "qk-prizren": "Drejtor/e i/e Qendrës",
}


def _seed_organisations() -> dict[str, Organisation]:
    orgs = {}
    for slug, kind, name, short, country, municipality, reg in ORGANISATIONS:
        org = Organisation.objects.filter(slug=slug).first()
        if org is None:
            org = catalogue.organisation_create(
                actor=None,
                data={
                    "slug": slug,
                    "kind": kind,
                    "name": name,
                    "short_name": short,
                    "country": country,
                    "registration_number": reg,
                    "municipality": Municipality.objects.get(slug=municipality) if municipality else None,
                    "signatory_title": SIGNATORY_TITLES.get(slug, ""),
                },
            )
        elif SIGNATORY_TITLES.get(slug) and not (org.signatory_name or org.signatory_title):  # demo data of before
            org = catalogue.organisation_update(
                actor=None, organisation=org, data={"signatory_title": SIGNATORY_TITLES[slug]}
            )
        orgs[slug] = org
    return orgs


def _seed_users(orgs: dict[str, Organisation]) -> int:
    created = 0
    for username, slug, role, first, last in USERS:
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username,
            organisation=orgs[slug],
            role=role,
            first_name=first,
            last_name=last,
            email=f"{username}@demo.invalid",
        )
        user.set_password(DEMO_PASSWORD)
        user.full_clean()
        user.save()
        created += 1
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@demo.invalid", DEMO_PASSWORD)
        created += 1
    return created


def _seed_standard() -> OccupationalStandard:
    standard = OccupationalStandard.objects.filter(code=STANDARD["code"], version=STANDARD["version"]).first()
    if standard:
        return standard
    duties = [
        {"code": code, "title": title, "competences": [{"code": c, "kind": k, "description": d} for c, k, d in comps]}
        for code, title, comps in DUTIES
    ]
    return catalogue.occupational_standard_create(actor=None, data=STANDARD, duties=duties)


def _seed_qualification(spec: dict, orgs, standard) -> Qualification:
    q = Qualification.objects.filter(code=spec["code"]).first()
    if q is None:
        data = {k: v for k, v in spec.items() if k not in ("curriculum", "owner", "awarding_body")}
        data.update(
            owner=orgs[spec["owner"]],
            awarding_body=orgs[spec["awarding_body"]],
            type=QualificationType.VOCATIONAL,
            nqf_level=5,
            eqf_level=5,
            credits=120,
            isced_f_code=ISCED_F_SEN,
            hours_theory=600,
            hours_practice=600,
        )
        q = catalogue.qualification_create(actor=None, data=data, standards=[standard])
    elif not q.isced_f_code:  # a demo catalogue seeded before the field existed
        q = catalogue.qualification_update(actor=None, qualification=q, data={"isced_f_code": ISCED_F_SEN})
    version, modes, developed_by, approved_on = spec["curriculum"]
    if not Curriculum.objects.filter(qualification=q, version=version).exists():
        competences = {c.code: c for c in Competence.objects.filter(duty__standard=standard)}
        modules = [
            {
                "code": code,
                "title": title,
                "title_en": title_en,
                "kind": kind,
                "hours_theory": t,
                "hours_practice": p,
                "credits": cr,
                "mandatory": True,
                "competences": [competences[c] for c in comps],
                "learning_outcomes": _outcomes(code, title_en),
            }
            for code, title, title_en, kind, t, p, cr, comps in MODULES
        ]
        if q.code == "OCN-L5-SEN":  # QPGJ's family-focused elective, beyond the 600 + 600 hours
            modules.append(
                {
                    "code": "E01",
                    "title": "Ndërhyrja e hershme dhe kujdesi ditor për fëmijët me NVA",
                    "title_en": "Early intervention and day care for children with SEN",
                    "kind": ModuleKind.MIXED,
                    "hours_theory": 20,
                    "hours_practice": 20,
                    "credits": 4,
                    "mandatory": False,
                    "learning_outcomes": _outcomes("E01", "Early intervention"),
                }
            )
        catalogue.curriculum_create(
            actor=None,
            data={
                "qualification": q,
                "version": version,
                "delivery_modes": list(modes),
                "developed_by": developed_by,
                "status": CurriculumStatus.APPROVED,
                "approved_on": approved_on,
                "title": q.title_en,
            },
            modules=modules,
        )
    if q.status == QualificationStatus.DRAFT:
        catalogue.qualification_transition(actor=None, qualification=q, status=QualificationStatus.APPROVED)
        catalogue.qualification_transition(actor=None, qualification=q, status=QualificationStatus.AVAILABLE)
    return q


def _seed_accreditations(orgs, quals) -> None:
    specs = [
        (
            "OCN-LDN-2024-0412",
            "qpgj",
            "OCN-L5-SEN",
            "ocn-london",
            datetime.date(2024, 1, 15),
            datetime.date(2027, 1, 14),
            AccreditationStatus.GRANTED,
            QPGJ_MUNICIPALITIES,
            "Online classroom; workshops in Prishtinë and partner schools",
        ),
        (
            "AKK-2021-118",
            "qk-prizren",
            "NQA-L5-SEN",
            "nqa",
            datetime.date(2021, 9, 1),
            datetime.date(2024, 8, 31),
            AccreditationStatus.GRANTED,
            ["prizren"],
            "Qendra e Kompetencës Prizren",
        ),
        (
            "AKK-2024-093",
            "qk-prizren",
            "NQA-L5-SEN",
            "nqa",
            datetime.date(2024, 9, 1),
            datetime.date(2027, 8, 31),
            AccreditationStatus.GRANTED,
            ["prizren", "suhareke", "rahovec"],
            "Qendra e Kompetencës Prizren",
        ),
    ]
    for number, provider, qual, agent, start, end, status, municipalities, sites in specs:
        if Accreditation.objects.filter(agent=orgs[agent], decision_number=number).exists():
            continue
        acc = acc_services.accreditation_create(
            actor=None,
            data={
                "provider": orgs[provider],
                "qualification": quals[qual],
                "agent": orgs[agent],
                "kind": AccreditationKind.PROGRAMME,
                "extent": AccreditationExtent.TRAINING_AND_ASSESSMENT,
                "decision_number": number,
                "valid_from": start,
                "valid_until": end,
                "status": status,
                "sites": sites,
            },
            municipalities=list(Municipality.objects.filter(slug__in=municipalities)),
        )
        if end < datetime.date(2026, 1, 1):
            acc_services.accreditation_transition(
                actor=None,
                accreditation=acc,
                status=AccreditationStatus.EXPIRED,
                reason="Validity period ended; renewed by AKK-2024-093.",
            )


def _seed_equivalency(orgs, quals) -> None:
    if Equivalency.objects.filter(decision_number="MESTI-EQ-2024-017").exists():
        return
    acc_services.equivalency_create(
        actor=None,
        data={
            "qualification": quals["OCN-L5-SEN"],
            "equivalent_to": quals["NQA-L5-SEN"],
            "decided_by": orgs["mesti"],
            "decision_number": "MESTI-EQ-2024-017",
            "decided_on": datetime.date(2024, 3, 12),
            "valid_from": datetime.date(2024, 3, 12),
            "notes": "QPGJ's hybrid programme accredited by OCN London is equivalent to the public Level 5 programme.",
        },
    )


def seed() -> str:
    ensure_municipalities()
    orgs = _seed_organisations()
    users = _seed_users(orgs)
    standard = _seed_standard()
    quals = {spec["code"]: _seed_qualification(spec, orgs, standard) for spec in QUALIFICATIONS}
    _seed_accreditations(orgs, quals)
    _seed_equivalency(orgs, quals)
    return (
        f"{len(orgs)} organisations, {users} new users, {len(quals)} qualifications, "
        f"{Accreditation.objects.count()} accreditations, {Equivalency.objects.count()} equivalencies"
    )
