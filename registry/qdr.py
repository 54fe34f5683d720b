"""The qualification catalogue as Europass QDR records: XML of the European Learning Model's "learning
opportunities and qualifications" application profile (LOQ, XSD 3.1.0, bundled in registry/schemas/europass-loq
with its licence; ADR 0014, docs/datasets.md).

One document holds the qualifications, their learning outcomes (the competences of their occupational
standards, typed knowledge or skill), the right each gives to work in an occupation (the ISCO-08 group in ESCO),
and the organisations that own and award them, each with its location. Vocabularies are the Commission's: EQF
levels, the Kosovo NQF levels of the QDR, ISCED-F 2013 fields, ECVET credits, the EU Publications Office's
languages and countries. A qualification that cannot make a valid record (no ISCED-F field, no learning outcome)
is left out and named in a comment at the top of the document; drafts are never published.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from lxml import etree

from registry.choices import CompetenceKind, CurriculumStatus, DeliveryMode, QualificationStatus
from registry.models import Competence, Curriculum, Duty, OccupationalStandard, Organisation, Qualification

XSD_VERSION = "3.1.0"
LOQ = "http://data.europa.eu/snb/model/ap/loq-constraints/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
NSMAP = {None: LOQ, "skos": SKOS}

# --- the Commission's vocabularies (every value below is an enumeration of the bundled XSD) ------------------

EQF_LEVEL = "http://data.europa.eu/snb/eqf/{level}"
ISCED_F = "http://data.europa.eu/snb/isced-f/{code}"
# The Kosovo NQF's levels in the QDR's framework vocabulary ("KS NQF Level n", cv/nqf.xsd).
KOSOVO_NQF_LEVELS = {
    1: "http://data.europa.eu/snb/qdr/c_7203c28f",
    2: "http://data.europa.eu/snb/qdr/c_c8293950",
    3: "http://data.europa.eu/snb/qdr/c_ec2e2ebe",
    4: "http://data.europa.eu/snb/qdr/c_a31706ad",
    5: "http://data.europa.eu/snb/qdr/c_030f5138",
    6: "http://data.europa.eu/snb/qdr/c_ca282dd9",
    7: "http://data.europa.eu/snb/qdr/c_fa8f5b4b",
    8: "http://data.europa.eu/snb/qdr/c_4ba29707",
}
ECVET = "http://data.europa.eu/snb/education-credit/60b314e826"  # "European credit system for VET"
FORMAL_LEARNING = "http://data.europa.eu/snb/learning-setting/6fd4685715"
ENTITLEMENT_OCCUPATION = "http://data.europa.eu/snb/entitlement/52f62180c2"
ENTITLEMENT_PROSPECTIVE = "http://data.europa.eu/snb/entitlement-status/5b8d6b34fb"  # may apply for such work
SKILL_TYPES = {
    CompetenceKind.KNOWLEDGE: "http://data.europa.eu/snb/skill-type/knowledge",
    CompetenceKind.SKILL: "http://data.europa.eu/snb/skill-type/skill",
}  # autonomy and responsibility has no type in the vocabulary: left untyped
MODES = {
    DeliveryMode.IN_PERSON: "http://data.europa.eu/snb/learning-assessment/9191af2ed9",  # presential
    DeliveryMode.ONLINE: "http://data.europa.eu/snb/learning-assessment/920fbb3cbe",
    DeliveryMode.HYBRID: "http://data.europa.eu/snb/learning-assessment/e92d221e4d",  # blended
}
WORK_BASED = "http://data.europa.eu/snb/learning-assessment/729f3bed4b"
LANGUAGE = "http://publications.europa.eu/resource/authority/language/{code}"
INSTRUCTION_LANGUAGES = ("SQI", "SRP")  # Albanian and Serbian, Kosovo's official languages
COUNTRY = "http://publications.europa.eu/resource/authority/country/{code}"
# ISO 3166-1 alpha-2 (Organisation.country) to the Publications Office's country table: alpha-3, and "1A0" for
# Kosovo. The countries the catalogue names; an organisation of another country is published as a plain agent
# (name only), which needs no location.
COUNTRIES = {
    "XK": "1A0", "AL": "ALB", "AT": "AUT", "BA": "BIH", "BE": "BEL", "BG": "BGR", "CH": "CHE", "CY": "CYP",
    "CZ": "CZE", "DE": "DEU", "DK": "DNK", "EE": "EST", "ES": "ESP", "FI": "FIN", "FR": "FRA", "GB": "GBR",
    "GR": "GRC", "HR": "HRV", "HU": "HUN", "IE": "IRL", "IS": "ISL", "IT": "ITA", "LI": "LIE", "LT": "LTU",
    "LU": "LUX", "LV": "LVA", "ME": "MNE", "MK": "MKD", "MT": "MLT", "NL": "NLD", "NO": "NOR", "PL": "POL",
    "PT": "PRT", "RO": "ROU", "RS": "SRB", "SE": "SWE", "SI": "SVN", "SK": "SVK", "TR": "TUR", "US": "USA",
}  # fmt: skip
ISCO_LABELS = {"5312": "Teachers' aides"}  # ISCO-08 unit group titles of the standards the catalogue holds


# --- what is published -----------------------------------------------------------------------------------------


def published_qualifications() -> QuerySet[Qualification]:
    """Every qualification past draft, with what its record needs in a fixed number of queries."""
    competences = Competence.objects.order_by("order", "code")
    duties = Duty.objects.order_by("order", "code").prefetch_related(Prefetch("competences", queryset=competences))
    standards = OccupationalStandard.objects.order_by("code", "version").prefetch_related(
        Prefetch("duties", queryset=duties)
    )
    curricula = Curriculum.objects.filter(status=CurriculumStatus.APPROVED).order_by("version")
    return (
        Qualification.objects.exclude(status=QualificationStatus.DRAFT)
        .select_related("owner__municipality", "awarding_body__municipality")
        .prefetch_related(Prefetch("standards", queryset=standards), Prefetch("curricula", queryset=curricula))
        .order_by("code")
    )


@dataclass(frozen=True)
class Omission:
    code: str
    reason: str


def omission(qualification: Qualification) -> Omission | None:
    """Why the qualification cannot make a valid QDR record, or None."""
    if not qualification.isced_f_code:
        return Omission(qualification.code, "no ISCED-F field of education")
    if not _competences(qualification):
        return Omission(qualification.code, "no learning outcomes (no competence in its occupational standards)")
    return None


def safe_name(code: str) -> str:
    """A qualification code as a file name."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in code) or "qualification"


# --- URIs ------------------------------------------------------------------------------------------------------


def _base() -> str:
    return settings.PUBLIC_BASE_URL


def qualification_uri(q: Qualification) -> str:
    return f"{_base()}/api/v1/qualifications/{q.pk}"


def dataset_url(q: Qualification) -> str:
    return f"{_base()}/datasets/qualifications/{quote(q.code, safe='')}.xml"


def organisation_uri(org: Organisation) -> str:
    return f"{_base()}/api/v1/organisations/{quote(org.slug)}"


def standard_uri(standard: OccupationalStandard) -> str:
    return f"{_base()}/api/v1/occupational-standards/{standard.pk}"


def competence_uri(standard: OccupationalStandard, competence: Competence) -> str:
    return f"{standard_uri(standard)}#competence-{competence.pk}"


# --- the document ---------------------------------------------------------------------------------------------


def qdr_document(qualifications: Iterable[Qualification]) -> bytes:
    """The QDR XML (UTF-8, with declaration) of those of `qualifications` that make a valid record."""
    included, omitted = [], []
    for q in qualifications:
        (omitted.append(reason) if (reason := omission(q)) else included.append(q))
    root = etree.Element(f"{{{LOQ}}}Courses", nsmap=NSMAP, xsdVersion=XSD_VERSION)
    if omitted:
        listed = "; ".join(f"{o.code}: {o.reason}" for o in omitted)
        root.append(etree.Comment(f" Left out, they cannot make a valid record: {listed} "))
    if included:
        _qualifications(root, included)
        _outcomes(root, included)
        _entitlements(root, included)
        organisations = _organisations(included)
        _agents(root, organisations)
        _locations(root, organisations)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _el(parent, name: str, text: str | None = None, **attrs) -> etree._Element:
    ns, _, local = name.rpartition(":")
    tag = f"{{{SKOS if ns == 'skos' else LOQ}}}{local}"
    element = etree.SubElement(parent, tag, {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = text
    return element


def _texts(parent, name: str, values: dict[str, str]) -> None:
    for lang, value in values.items():
        if value:
            _el(parent, name, value, language=lang)


def _when(day: datetime.date | datetime.datetime) -> str:
    if isinstance(day, datetime.datetime):
        return day.astimezone(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return f"{day.isoformat()}T00:00:00Z"


def _competences(q: Qualification) -> list[tuple[OccupationalStandard, Competence]]:
    return [
        (standard, competence)
        for standard in q.standards.all()
        for duty in standard.duties.all()
        for competence in duty.competences.all()
    ]


def _qualifications(root, qualifications: list[Qualification]) -> None:
    container = _el(root, "learningAchievementSpecificationReferences")
    for q in qualifications:
        record = _el(container, "qualification", id=qualification_uri(q))
        identifier = _el(record, "identifier")
        _el(identifier, "skos:notation", q.code)
        _el(identifier, "schemeAgency", q.owner.name, language="sq")
        _el(identifier, "schemeName", "Kosovo qualification code")
        _texts(record, "title", {"sq": q.title_sq, "sr": q.title_sr, "en": q.title_en})
        hours = f"{q.hours_theory} hours of theory and {q.hours_practice} hours of practice ({q.hours_total} hours)."
        _el(record, "description", hours, language="en")
        homepage = _el(record, "homepage")
        _el(homepage, "title", "Record in the Kosovo qualification and credential registry", language="en")
        _el(homepage, "contentUrl", dataset_url(q))
        _el(record, "status", q.status)
        _el(record, "modified", _when(q.updated_at))
        _el(record, "publisher", idref=organisation_uri(q.owner))
        _el(record, "ISCEDFCode", uri=ISCED_F.format(code=q.isced_f_code))
        _el(record, "volumeOfLearning", f"PT{q.hours_total}H")
        if q.credits:
            credit = _el(record, "creditPoint")
            _el(credit, "framework", uri=ECVET)
            _el(credit, "point", str(q.credits))
        for code in INSTRUCTION_LANGUAGES:
            _el(record, "language", uri=LANGUAGE.format(code=code))
        for mode in _modes(q):
            _el(record, "mode", uri=mode)
        _el(record, "learningSetting", uri=FORMAL_LEARNING)
        seen = set()
        for standard, competence in _competences(q):
            uri = competence_uri(standard, competence)
            if uri not in seen:
                seen.add(uri)
                _el(record, "learningOutcome", idref=uri)
        if _occupations(q):
            _el(record, "entitlesTo", idref=f"{qualification_uri(q)}#occupation")
        opportunity = _el(record, "awardingOpportunity")
        _el(opportunity, "awardingBody", idref=organisation_uri(q.awarding_body))
        if q.operational_start or q.certification_end:
            period = _el(opportunity, "temporal")
            if q.operational_start:
                _el(period, "startDate", _when(q.operational_start))
            if q.certification_end:
                _el(period, "endDate", _when(q.certification_end))
        _el(opportunity, "learningAchievementSpecification", idref=qualification_uri(q))
        _el(record, "isPartialQualification", "false")
        _el(record, "EQFLevel", uri=EQF_LEVEL.format(level=q.eqf_level))
        _el(record, "NQFLevel", uri=KOSOVO_NQF_LEVELS[q.nqf_level])


def _modes(q: Qualification) -> list[str]:
    modes = {MODES[m] for c in q.curricula.all() for m in c.delivery_modes if m in MODES}
    if q.hours_practice:
        modes.add(WORK_BASED)  # the practice hours are placements in schools and with families
    return sorted(modes)


def _outcomes(root, qualifications: list[Qualification]) -> None:
    container = _el(root, "learningOutcomeReferences")
    seen = set()
    for q in qualifications:
        for standard, competence in _competences(q):
            uri = competence_uri(standard, competence)
            if uri in seen:
                continue
            seen.add(uri)
            outcome = _el(container, "learningOutcome", id=uri)
            _el(outcome, "title", competence.description, language="en")
            if competence.kind in SKILL_TYPES:
                _el(outcome, "type", uri=SKILL_TYPES[competence.kind])


def _occupations(q: Qualification) -> list[OccupationalStandard]:
    return [s for s in q.standards.all() if s.isco08_code]


def _entitlements(root, qualifications: list[Qualification]) -> None:
    with_occupation = [q for q in qualifications if _occupations(q)]
    if not with_occupation:
        return
    container = _el(root, "learningEntitlementSpecificationReferences")
    for q in with_occupation:
        entitlement = _el(container, "learningEntitlementSpecification", id=f"{qualification_uri(q)}#occupation")
        _el(entitlement, "title", f"May apply for work as: {q.title_en}", language="en")
        _el(entitlement, "type", uri=ENTITLEMENT_OCCUPATION)
        _el(entitlement, "entitlementStatus", uri=ENTITLEMENT_PROSPECTIVE)
        for standard in _occupations(q):
            if standard.esco_uri:
                occupation = _el(entitlement, "limitOccupation", uri=standard.esco_uri)
                if standard.isco08_code in ISCO_LABELS:
                    _el(occupation, "skos:prefLabel", ISCO_LABELS[standard.isco08_code], language="en")
                else:
                    _el(occupation, "skos:prefLabel", standard.title, language="sq")
                _el(occupation, "skos:notation", standard.isco08_code)
            national = _el(entitlement, "limitNationalOccupation", uri=standard_uri(standard))
            _el(national, "skos:prefLabel", standard.title, language="sq")
            _el(national, "skos:notation", f"{standard.code} v{standard.version}")


def _organisations(qualifications: list[Qualification]) -> list[Organisation]:
    found: dict[int, Organisation] = {}
    for q in qualifications:
        found.setdefault(q.owner.pk, q.owner)
        found.setdefault(q.awarding_body.pk, q.awarding_body)
    return sorted(found.values(), key=lambda org: org.slug)


def _agents(root, organisations: list[Organisation]) -> None:
    container = _el(root, "agentReferences")
    for org in organisations:
        if org.country not in COUNTRIES:
            agent = _el(container, "agent", id=organisation_uri(org))
            _el(agent, "skos:prefLabel", org.name, language="en")
            continue
        record = _el(container, "organisation", id=organisation_uri(org))
        lang = "sq" if org.country == "XK" else "en"
        if org.short_name and org.short_name != org.name:
            _el(record, "skos:altLabel", org.short_name, language=lang)
        _el(record, "legalName", org.name, language=lang)
        if org.website:
            homepage = _el(record, "homepage")
            _el(homepage, "contentUrl", org.website)
        _el(record, "location", idref=f"{organisation_uri(org)}#location")


def _locations(root, organisations: list[Organisation]) -> None:
    located = [org for org in organisations if org.country in COUNTRIES]
    if not located:
        return
    container = _el(root, "locationReferences")
    for org in located:
        location = _el(container, "location", id=f"{organisation_uri(org)}#location")
        address = _el(location, "address")
        if org.municipality_id:
            full = _el(address, "fullAddress")
            _el(full, "noteLiteral", f"{org.municipality.name_sq}, Kosovë", language="sq")
        _el(address, "countryCode", uri=COUNTRY.format(code=COUNTRIES[org.country]))
