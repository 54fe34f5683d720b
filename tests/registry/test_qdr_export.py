"""The Europass QDR datasets (registry/qdr.py, /datasets/): the full export and a single qualification's record
validate against the European Commission's LOQ XSD (bundled, registry/schemas/europass-loq), carry the facts a
register needs in the Commission's vocabularies, leave out drafts and records that could not be valid, and
refuse writes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from registry import demo, qdr
from registry.choices import QualificationStatus
from registry.models import Qualification
from tests import factories

pytestmark = pytest.mark.django_db

SCHEMA_DIR = Path(settings.BASE_DIR) / "registry" / "schemas" / "europass-loq"
NS = {"loq": qdr.LOQ, "skos": qdr.SKOS}


@pytest.fixture(scope="module")
def loq_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "loq.xsd")))


def qualification(**kwargs) -> Qualification:
    """A qualification whose occupational standard has one competence (so its record has a learning outcome)."""
    q = factories.QualificationFactory(**kwargs)
    q.standards.set([factories.CompetenceFactory().duty.standard])
    return q


def valid_document(schema: etree.XMLSchema, body: bytes) -> etree._Element:
    document = etree.fromstring(body)
    if not schema.validate(document):
        raise AssertionError("\n".join(str(error)[:400] for error in schema.error_log))
    return document


def values(document, xpath: str) -> list[str]:
    return [str(v) for v in document.xpath(xpath, namespaces=NS)]


def test_the_full_export_of_the_demo_catalogue_validates_against_the_commissions_xsd(client, loq_schema):
    demo.seed()

    response = client.get("/datasets/qualifications.xml")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    document = valid_document(loq_schema, response.content)
    records = document.xpath("//loq:qualification", namespaces=NS)
    assert sorted(values(document, "//loq:qualification/loq:identifier/skos:notation/text()")) == [
        "NQA-L5-SEN",
        "OCN-L5-SEN",
    ]
    national = Qualification.objects.get(code="NQA-L5-SEN")
    record = next(r for r in records if r.get("id").endswith(f"/api/v1/qualifications/{national.pk}"))
    titles = {t.get("language"): t.text for t in record.findall("loq:title", NS)}
    assert titles == {"sq": national.title_sq, "sr": national.title_sr, "en": national.title_en}
    assert record.find("loq:EQFLevel", NS).get("uri") == "http://data.europa.eu/snb/eqf/5"
    assert record.find("loq:NQFLevel", NS).get("uri") == "http://data.europa.eu/snb/qdr/c_030f5138"  # KS NQF 5
    assert record.find("loq:ISCEDFCode", NS).get("uri") == "http://data.europa.eu/snb/isced-f/0113"
    assert record.find("loq:volumeOfLearning", NS).text == "PT1200H"
    assert record.find("loq:creditPoint/loq:point", NS).text == "120"
    assert record.find("loq:creditPoint/loq:framework", NS).get("uri") == qdr.ECVET
    assert record.find("loq:status", NS).text == "available"
    assert len(record.findall("loq:learningOutcome", NS)) == 12  # the standard's competences
    awarding = record.find("loq:awardingOpportunity/loq:awardingBody", NS).get("idref")
    assert awarding.endswith("/api/v1/organisations/nqa")
    # The right to work as a teachers' aide (ISCO-08 5312, as ESCO publishes the group), in Kosovo.
    entitlement_id = record.find("loq:entitlesTo", NS).get("idref")
    entitlement = document.xpath(f"//loq:learningEntitlementSpecification[@id='{entitlement_id}']", namespaces=NS)[0]
    occupation = entitlement.find("loq:limitOccupation", NS)
    assert occupation.get("uri") == "http://data.europa.eu/esco/isco/C5312"
    assert occupation.find("skos:notation", NS).text == "5312"
    # Learning outcomes typed knowledge or skill; organisations located (Kosovo is 1A0 in the EU's table).
    types = values(document, "//loq:learningOutcomeReferences/loq:learningOutcome/loq:type/@uri")
    assert set(types) == {qdr.SKILL_TYPES["knowledge"], qdr.SKILL_TYPES["skill"]}
    assert "http://publications.europa.eu/resource/authority/country/1A0" in values(
        document, "//loq:location/loq:address/loq:countryCode/@uri"
    )
    assert "http://publications.europa.eu/resource/authority/country/GBR" in values(
        document, "//loq:location/loq:address/loq:countryCode/@uri"
    )


def test_one_qualification_has_its_own_record_that_validates(client, loq_schema):
    demo.seed()

    response = client.get("/datasets/qualifications/OCN-L5-SEN.xml")

    assert response.status_code == 200
    document = valid_document(loq_schema, response.content)
    assert values(document, "//loq:qualification/loq:identifier/skos:notation/text()") == ["OCN-L5-SEN"]
    assert values(document, "//loq:awardingBody/@idref")[0].endswith("/organisations/ocn-london")
    # Delivered in person, online and hybrid, with work-based practice.
    assert sorted(values(document, "//loq:qualification/loq:mode/@uri")) == sorted(
        [*qdr.MODES.values(), qdr.WORK_BASED]
    )


def test_drafts_and_unknown_codes_are_not_published(client, loq_schema):
    draft = qualification(status=QualificationStatus.DRAFT)
    published = qualification()

    full = valid_document(loq_schema, client.get("/datasets/qualifications.xml").content)

    assert values(full, "//loq:qualification/loq:identifier/skos:notation/text()") == [published.code]
    assert client.get(f"/datasets/qualifications/{draft.code}.xml").status_code == 404
    assert client.get("/datasets/qualifications/NO-SUCH-CODE.xml").status_code == 404


def test_a_qualification_that_cannot_make_a_valid_record_is_left_out_and_named(client, loq_schema):
    complete = qualification()
    no_field = qualification(isced_f_code="")
    no_outcomes = factories.QualificationFactory()  # no occupational standard, so no learning outcome

    body = client.get("/datasets/qualifications.xml").content

    document = valid_document(loq_schema, body)
    assert values(document, "//loq:qualification/loq:identifier/skos:notation/text()") == [complete.code]
    comment = re.search(rb"<!-- Left out.*?-->", body).group(0).decode()
    assert f"{no_field.code}: no ISCED-F field" in comment
    assert f"{no_outcomes.code}: no learning outcomes" in comment
    refused = client.get(f"/datasets/qualifications/{no_field.code}.xml")
    assert refused.status_code == 404


def test_an_organisation_of_an_unmapped_country_is_published_by_name(client, loq_schema):
    body = factories.OrganisationFactory(country="JP", authority=True)
    qualification(awarding_body=body)

    document = valid_document(loq_schema, client.get("/datasets/qualifications.xml").content)

    agent = document.xpath("//loq:agentReferences/loq:agent", namespaces=NS)[0]
    assert agent.find("skos:prefLabel", NS).text == body.name


def test_an_empty_catalogue_is_a_valid_empty_document(client, loq_schema):
    document = valid_document(loq_schema, client.get("/datasets/qualifications.xml").content)

    assert document.xpath("//loq:qualification", namespaces=NS) == []


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_datasets_refuse_writes(client, method):
    demo.seed()

    for url in ("/datasets/qualifications.xml", "/datasets/qualifications/NQA-L5-SEN.xml"):
        assert getattr(client, method)(url).status_code == 405


def test_the_export_costs_the_same_few_queries_for_one_or_many_qualifications(client, django_assert_max_num_queries):
    qualification()
    with django_assert_max_num_queries(8) as one:
        client.get("/datasets/qualifications.xml")
    for _ in range(5):
        qualification()
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get("/datasets/qualifications.xml")


def test_the_kosovo_nqf_levels_are_the_ones_the_commission_lists():
    """The mapping in registry/qdr.py against the documentation of the bundled vocabulary (cv/nqf.xsd)."""
    text = (SCHEMA_DIR / "cv" / "nqf.xsd").read_text()
    listed = dict(
        (int(level), uri)
        for uri, level in re.findall(r'value="([^"]+)">\s*<xs:annotation>\s*<xs:documentation>KS NQF Level (\d)', text)
    )

    assert listed == qdr.KOSOVO_NQF_LEVELS
