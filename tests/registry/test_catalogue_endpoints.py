"""Every catalogue endpoint: success, bad input (400 naming the field, nothing written), refused callers,
no delete, and a constant number of queries per list whatever the page size.

Each endpoint is described once in ENDPOINTS; the tests run over all of them (NetBox's APIViewTestCases idea).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from registry.models import (
    Accreditation,
    AuditEntry,
    Curriculum,
    Equivalency,
    OccupationalStandard,
    Organisation,
    Qualification,
)
from tests import factories as f


def _modules(q, theory=None, practice=None):
    theory = q.hours_theory if theory is None else theory
    practice = q.hours_practice if practice is None else practice
    return [
        {
            "code": "T1",
            "title": "Teoria",
            "kind": "theory",
            "hours_theory": theory,
            "hours_practice": 0,
            "credits": 60,
            "mandatory": True,
            "learning_outcomes": [{"code": "T1.1", "description": "Explains", "assessment_criteria": ["Names"]}],
        },
        {
            "code": "P1",
            "title": "Praktika",
            "kind": "practice",
            "hours_theory": 0,
            "hours_practice": practice,
            "credits": 60,
            "mandatory": True,
        },
    ]


@dataclass
class Endpoint:
    name: str
    url: str
    model: type
    writer: str  # the role that may write
    valid: Callable  # world -> payload
    invalid: list[tuple[str, Callable]]  # (field named in the error, world -> payload)
    patch: Callable  # world -> (object, partial payload, attribute, expected value)
    make_many: Callable  # (world, n) -> None
    lookup: str = "pk"
    extra_refused: list[str] = field(default_factory=list)


def _org_payload(w):
    return {
        "slug": "new-provider",
        "kind": "provider",
        "name": "Shkolla e Re",
        "country": "XK",
        "municipality": "prishtine",
    }


def _standard_payload(w):
    return {
        "code": "SP-NEW",
        "title": "Asistent",
        "version": 1,
        "isco08_code": "5312",
        "status": "draft",
        "duties": [
            {
                "code": "A",
                "title": "Mbështet",
                "competences": [
                    {"code": "A.1", "kind": "knowledge", "description": "Knows"},
                    {"code": "A.2", "kind": "autonomy_responsibility", "description": "Acts"},
                ],
            }
        ],
    }


def _qualification_payload(w):
    return {
        "code": "NEW-L4",
        "serial_prefix": "L4-NEW",
        "title_sq": "Kualifikim i ri",
        "title_en": "New qualification",
        "nqf_level": 4,
        "eqf_level": 4,
        "credits": 60,
        "hours_theory": 300,
        "hours_practice": 300,
        "owner": "w-ministry",
        "awarding_body": "w-nqa",
        "standards": [w.standard.pk],
        "operational_start": "2026-09-01",
        "operational_end": "2030-08-31",
    }


def _curriculum_payload(w):
    return {
        "qualification": w.national.pk,
        "version": "2026.1",
        "delivery_modes": ["hybrid", "online"],
        "status": "draft",
        "modules": _modules(w.national),
    }


def _accreditation_payload(w):
    return {
        "provider": "w-provider-2",
        "qualification": w.foreign.pk,
        "agent": "w-ocn",
        "decision_number": "OCN-2026-1",
        "valid_from": "2026-01-01",
        "valid_until": "2028-12-31",
        "status": "granted",
        "municipalities": ["prishtine", "ferizaj"],
    }


def _equivalency_payload(w):
    other = f.QualificationFactory(owner=w.ministry, awarding_body=w.other_body)
    return {
        "qualification": other.pk,
        "equivalent_to": w.national.pk,
        "decided_by": "w-ministry",
        "decision_number": "MESTI-EQ-2026-1",
        "decided_on": "2026-02-01",
        "valid_from": "2026-02-01",
    }


def _with(payload_fn, **changes):
    def build(w):
        payload = payload_fn(w)
        payload.update(changes)
        return payload

    return build


def _without(payload_fn, key):
    def build(w):
        payload = payload_fn(w)
        payload.pop(key)
        return payload

    return build


ENDPOINTS = [
    Endpoint(
        name="organisations",
        url="/api/v1/organisations/",
        model=Organisation,
        writer="ministry",
        valid=_org_payload,
        lookup="slug",
        invalid=[
            ("kind", _with(_org_payload, kind="bank")),
            ("municipality", _with(_org_payload, municipality="atlantis")),
            ("name", _with(_org_payload, name="x" * 300)),
            ("slug", _with(_org_payload, slug="w-provider")),
        ],
        patch=lambda w: (w.provider, {"short_name": "WP"}, "short_name", "WP"),
        make_many=lambda w, n: f.OrganisationFactory.create_batch(n, municipality_id=1),
    ),
    Endpoint(
        name="occupational-standards",
        url="/api/v1/occupational-standards/",
        model=OccupationalStandard,
        writer="ministry",
        valid=_standard_payload,
        invalid=[
            ("isco08_code", _with(_standard_payload, isco08_code="53")),
            (
                "duties.0.competences.0.kind",
                _with(
                    _standard_payload,
                    duties=[
                        {
                            "code": "A",
                            "title": "t",
                            "competences": [{"code": "A.1", "kind": "wisdom", "description": "x"}],
                        }
                    ],
                ),
            ),
            ("review_on", _with(_standard_payload, approved_on="2026-01-01", review_on="2025-01-01")),
            ("title", _with(_standard_payload, title="x" * 300)),
        ],
        patch=lambda w: (w.standard, {"review_on": "2030-01-01"}, "review_on", datetime.date(2030, 1, 1)),
        make_many=lambda w, n: [f.CompetenceFactory(duty=f.DutyFactory()) for _ in range(n)],
    ),
    Endpoint(
        name="qualifications",
        url="/api/v1/qualifications/",
        model=Qualification,
        writer="ministry",
        valid=_qualification_payload,
        invalid=[
            ("eqf_level", _with(_qualification_payload, eqf_level=9)),
            ("nqf_level", _with(_qualification_payload, nqf_level=0)),
            ("operational_end", _with(_qualification_payload, operational_end="2020-01-01")),
            ("awarding_body", _with(_qualification_payload, awarding_body="no-such-body")),
            ("standards", _with(_qualification_payload, standards=[999999])),
            ("title_en", _with(_qualification_payload, title_en="x" * 256)),
            ("serial_prefix", _with(_qualification_payload, serial_prefix="bad prefix")),
            ("awarding_body", _with(_qualification_payload, awarding_body="w-provider")),
            ("hours_theory", _without(_qualification_payload, "hours_theory")),
        ],
        patch=lambda w: (w.national, {"credits": 90}, "credits", 90),
        make_many=lambda w, n: [
            f.QualificationFactory(owner=w.ministry, awarding_body=w.nqa).standards.set([w.standard]) for _ in range(n)
        ],
    ),
    Endpoint(
        name="curricula",
        url="/api/v1/curricula/",
        model=Curriculum,
        writer="ministry",
        valid=_curriculum_payload,
        invalid=[
            ("modules", lambda w: {**_curriculum_payload(w), "modules": _modules(w.national, theory=599)}),
            ("modules", lambda w: {**_curriculum_payload(w), "modules": _modules(w.national, practice=650)}),
            ("delivery_modes", _with(_curriculum_payload, delivery_modes=["carrier_pigeon"])),
            ("delivery_modes", _with(_curriculum_payload, delivery_modes=[])),
            ("qualification", _with(_curriculum_payload, qualification=999999)),
            ("version", _with(_curriculum_payload, version="x" * 40)),
        ],
        patch=lambda w: (w.curriculum, {"title": "Programi publik"}, "title", "Programi publik"),
        make_many=lambda w, n: [f.CurriculumFactory(qualification=w.national) for _ in range(n)],
    ),
    Endpoint(
        name="accreditations",
        url="/api/v1/accreditations/",
        model=Accreditation,
        writer="awarding_body",
        valid=_accreditation_payload,
        invalid=[
            ("valid_until", _with(_accreditation_payload, valid_until="2025-01-01")),
            ("provider", _with(_accreditation_payload, provider="nobody")),
            ("status", _with(_accreditation_payload, status="expired")),
            ("extent", _with(_accreditation_payload, extent="everything")),
            ("qualification", _with(_accreditation_payload, qualification=None)),
            ("provider", _with(_accreditation_payload, provider="w-komuna")),
            ("decision_number", _with(_accreditation_payload, decision_number="x" * 65)),
        ],
        patch=lambda w: (w.accreditation, {"sites": "Prishtinë"}, "sites", "Prishtinë"),
        make_many=lambda w, n: [f.AccreditationFactory(qualification=w.foreign, agent=w.ocn) for _ in range(n)],
        extra_refused=["other_awarding_body"],
    ),
    Endpoint(
        name="equivalencies",
        url="/api/v1/equivalencies/",
        model=Equivalency,
        writer="ministry",
        valid=_equivalency_payload,
        invalid=[
            ("valid_until", _with(_equivalency_payload, valid_until="2020-01-01")),
            ("equivalent_to", lambda w: {**_equivalency_payload(w), "equivalent_to": w.foreign.pk}),
            ("decided_by", _with(_equivalency_payload, decided_by="w-provider")),
            ("decision_number", _with(_equivalency_payload, decision_number=None)),
        ],
        patch=lambda w: (w.equivalency, {"notes": "Reviewed"}, "notes", "Reviewed"),
        make_many=lambda w, n: [
            f.EquivalencyFactory(equivalent_to=w.national, decided_by=w.ministry) for _ in range(n)
        ],
    ),
]
IDS = [e.name for e in ENDPOINTS]


def _detail(e: Endpoint, obj) -> str:
    return f"{e.url}{getattr(obj, e.lookup)}/"


@pytest.mark.parametrize("e", ENDPOINTS, ids=IDS)
def test_anyone_reads_the_catalogue(e, world, as_role):
    for role in ("anonymous", "provider", "verifier"):
        response = as_role(role).get(e.url)
        assert response.status_code == 200, role
        assert response.json()["count"] >= 1


@pytest.mark.parametrize("e", ENDPOINTS, ids=IDS)
def test_writer_creates_and_the_change_is_audited(e, world, as_role):
    before, audits = e.model.objects.count(), AuditEntry.objects.count()
    response = as_role(e.writer).post(e.url, e.valid(world), format="json")
    assert response.status_code == 201, response.json()
    assert e.model.objects.count() == before + 1
    created = e.model.objects.get(pk=response.json()["id"])
    entry = AuditEntry.objects.filter(object_type=created._meta.label_lower, object_id=str(created.pk)).get(
        action="create"
    )
    assert entry.actor == world.users[e.writer]
    assert entry.organisation_id == world.users[e.writer].organisation_id
    assert AuditEntry.objects.count() > audits


@pytest.mark.parametrize("e", ENDPOINTS, ids=IDS)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(e, world, as_role):
    client = as_role(e.writer)
    for field_name, build in e.invalid:
        payload = build(world)
        counts = (e.model.objects.count(), AuditEntry.objects.count())
        response = client.post(e.url, payload, format="json")
        assert response.status_code == 400, (field_name, response.json())
        error = response.json()["error"]
        assert error["code"] and error["message"]
        named = [k for k in error["fields"] if k == field_name or k.startswith(f"{field_name}.")]
        assert named, (field_name, error)
        assert (e.model.objects.count(), AuditEntry.objects.count()) == counts, field_name


@pytest.mark.parametrize("e", ENDPOINTS, ids=IDS)
def test_refused_callers_write_nothing(e, world, as_role):
    payload = e.valid(world)
    refused = {"anonymous": 401, "provider": 403, "verifier": 403}
    if e.writer == "ministry":
        refused["awarding_body"] = 403
    refused.update({role: 403 for role in e.extra_refused})
    for role, expected in refused.items():
        before = e.model.objects.count()
        response = as_role(role).post(e.url, payload, format="json")
        assert response.status_code == expected, (role, response.json())
        assert response.json()["error"]["code"] in ("not_authenticated", "permission_denied")
        assert e.model.objects.count() == before, role


@pytest.mark.parametrize("e", ENDPOINTS, ids=IDS)
def test_writer_updates_with_audit_and_others_cannot(e, world, as_role):
    obj, payload, attribute, expected = e.patch(world)
    for role in ("anonymous", "provider", "verifier"):
        assert as_role(role).patch(_detail(e, obj), payload, format="json").status_code in (401, 403)
    response = as_role(e.writer).patch(_detail(e, obj), payload, format="json")
    assert response.status_code == 200, response.json()
    obj.refresh_from_db()
    assert getattr(obj, attribute) == expected
    assert AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk), action="update").exists()


@pytest.mark.parametrize("e", ENDPOINTS, ids=IDS)
def test_nothing_in_the_catalogue_is_deleted(e, world, as_role):
    obj = e.patch(world)[0]
    response = as_role(e.writer).delete(_detail(e, obj))
    assert response.status_code == 405
    assert e.model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("e", ENDPOINTS, ids=IDS)
def test_list_costs_the_same_queries_at_page_size_1_and_100(e, world, anon_client, django_assert_max_num_queries):
    e.make_many(world, 6)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (1, 100):
        with CaptureQueriesContext(connection) as ctx:
            response = anon_client.get(e.url, {"page_size": size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == (1 if size == 1 else response.json()["count"])
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(6):
        anon_client.get(e.url, {"page_size": 100})
