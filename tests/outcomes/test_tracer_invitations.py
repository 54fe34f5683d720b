"""One-time links: the provider or ministry creates one; the graduate answers once, without an account."""

import datetime

import pytest
from django.utils import timezone

from outcomes.models import TracerInvitation, TracerResponse
from outcomes.services import hash_token
from registry.models import AuditEntry
from tests import factories as f

from .conftest import TracerResponseFactory

URL = "/api/v1/tracer-invitations"
ANSWER_URL = "/api/v1/tracer-answers"

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(client_for, provider_user, certificate):
    response = client_for(provider_user).post(URL, {"certificate": certificate.pk, "wave": 6}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def form_data(**overrides):
    data = {
        "employment_status": "employed_private_family",
        "employer_name": "",
        "work_municipality": "prizren",
        "months_to_first_job": "3",
        "job_uses_qualification": "true",
        "skill_inclusive_education": "5",
        "skill_working_with_families": "4",
        "would_choose_again": "true",
    }
    data.update(overrides)
    return data


def test_provider_creates_a_link_whose_token_is_stored_only_hashed(invitation, certificate):
    token = invitation["token"]
    assert invitation["url"].endswith(f"/tracer/{token}/")
    assert len(token) >= 40
    saved = TracerInvitation.objects.get()
    assert saved.token_hash == hash_token(token)
    assert token not in saved.token_hash
    assert saved.certificate == certificate
    assert saved.expires_at > timezone.now() + datetime.timedelta(days=29)
    # Neither the token nor its hash reaches the audit trail or a later read.
    entry = AuditEntry.objects.get(object_type="outcomes.tracerinvitation")
    assert saved.token_hash not in str(entry.after)


def test_the_list_never_shows_the_token(client_for, provider_user, invitation):
    body = client_for(provider_user).get(URL).json()

    assert body["count"] == 1
    assert "token" not in body["results"][0]
    assert invitation["token"] not in str(body)


def test_refused_callers_create_no_link(anon_client, client_for, other_provider_user, certificate):
    verifier = f.UserFactory(verifier=True)
    body = {"certificate": certificate.pk, "wave": 6}

    assert anon_client.post(URL, body, format="json").status_code == 401
    assert client_for(verifier).post(URL, body, format="json").status_code == 403
    assert client_for(other_provider_user).post(URL, body, format="json").status_code == 400
    assert TracerInvitation.objects.count() == 0


@pytest.mark.parametrize(("body", "field"), [({"wave": 7}, "wave"), ({"wave": 6, "valid_days": 999}, "valid_days")])
def test_bad_link_requests_are_refused(client_for, provider_user, certificate, body, field):
    response = client_for(provider_user).post(URL, {"certificate": certificate.pk, **body}, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert TracerInvitation.objects.count() == 0


def test_no_link_for_a_wave_already_answered(client_for, provider_user, certificate):
    TracerResponseFactory(certificate=certificate, wave=6)

    response = client_for(provider_user).post(URL, {"certificate": certificate.pk, "wave": 6}, format="json")

    assert response.status_code == 409
    assert TracerInvitation.objects.count() == 0


def test_the_graduate_opens_the_form_in_albanian_by_default_and_in_english(client, invitation):
    page = client.get(f"/tracer/{invitation['token']}/")
    english = client.get(f"/tracer/{invitation['token']}/?lang=en")

    assert page.status_code == 200
    assert 'lang="sq"' in page.content.decode()
    assert "Statusi juaj i punësimit" in page.content.decode()
    assert "Your employment status" in english.content.decode()
    assert page["Referrer-Policy"] == "no-referrer"
    assert "no-store" in page["Cache-Control"]
    assert "noindex" in page["X-Robots-Tag"]


def test_the_graduate_answers_once(client, invitation, certificate):
    url = f"/tracer/{invitation['token']}/"

    first = client.post(url, form_data())
    again = client.post(url, form_data(employment_status="unemployed"))

    assert first.status_code == 200
    assert "Faleminderit" in first.content.decode()
    response = TracerResponse.objects.get()
    assert response.certificate == certificate
    assert response.source == "graduate"
    assert response.employment_status == "employed_private_family"
    assert response.skills_satisfaction == {"inclusive_education": 5, "working_with_families": 4}
    assert response.work_municipality.slug == "prizren"
    assert response.recorded_by is None
    assert TracerInvitation.objects.get().response == response
    assert again.status_code == 404
    assert TracerResponse.objects.count() == 1
    assert client.get(url).status_code == 404


def test_a_bad_form_is_shown_again_and_writes_nothing(client, invitation):
    url = f"/tracer/{invitation['token']}/"

    response = client.post(url, form_data(employment_status="", months_to_first_job="-4"))

    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert TracerResponse.objects.count() == 0
    assert TracerInvitation.objects.get().used_at is None


def _without_nonce(response) -> bytes:
    nonce = str(response.wsgi_request.csp_nonce).encode()
    return response.content.replace(nonce, b"NONCE")


def test_unknown_and_expired_links_answer_alike(client, invitation):
    TracerInvitation.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    expired = client.get(f"/tracer/{invitation['token']}/")
    unknown = client.get("/tracer/not-a-real-token/")
    posted = client.post(f"/tracer/{invitation['token']}/", form_data())

    assert expired.status_code == unknown.status_code == posted.status_code == 404
    # Byte for byte, but for the per-response CSP nonce.
    assert _without_nonce(expired) == _without_nonce(unknown)
    assert TracerResponse.objects.count() == 0


def test_the_graduate_may_answer_through_the_json_api(anon_client, invitation):
    body = {
        "token": invitation["token"],
        "employment_status": "employed_public_school",
        "skills_satisfaction": {"communication": 5},
    }

    first = anon_client.post(ANSWER_URL, body, format="json")
    again = anon_client.post(ANSWER_URL, body, format="json")

    assert first.status_code == 201, first.json()
    assert first.json()["wave"] == 6
    assert again.status_code == 404
    assert again.json()["error"]["code"] == "invitation_invalid"
    assert TracerResponse.objects.get().skills_mean == 5


def test_a_bad_json_answer_spends_nothing(anon_client, invitation):
    body = {
        "token": invitation["token"],
        "employment_status": "employed_public_school",
        "skills_satisfaction": {"x": 1},
    }

    response = anon_client.post(ANSWER_URL, body, format="json")

    assert response.status_code == 400
    assert TracerResponse.objects.count() == 0
    assert TracerInvitation.objects.get().used_at is None
