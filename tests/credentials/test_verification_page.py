"""The page a phone opens from the QR code: `/v/{verification_id}`."""

from __future__ import annotations

import json
import re

import pytest
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.formats import date_format

from credentials.models import VerificationEvent
from credentials.services.lifecycle import certificate_revoke
from tests import factories

pytestmark = pytest.mark.django_db

PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"
)


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def certificate():
    return factories.CertificateFactory()


def _page(client, vid, **headers):
    return client.get(f"/v/{vid}", HTTP_USER_AGENT=headers.pop("ua", PHONE), **headers)


def test_the_page_shows_the_banner_the_printed_facts_and_the_checks(client, certificate):
    response = _page(client, certificate.verification_id)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-state="valid"' in html and "E VLEFSHME" in html  # Albanian by default
    for fact in (
        "Ardita Krasniqi",
        certificate.serial_number,
        "Asistent për fëmijë/nxënës me nevoja të veçanta arsimore",
        certificate.provider.name,
        certificate.awarding_body.name,
        "2026-06-01",
        "5 / 5",
        "letërnjoftimin",  # compare with the holder's ID card
    ):
        assert fact in html, fact
    assert re.findall(r'data-check="(\w+)" data-result="(\w+)"', html) == [
        ("signature_valid", "ok"),
        ("status_valid", "ok"),
        ("accreditation_in_force_on_award_date", "ok"),
        ("equivalency_not_needed", "skipped"),
    ]


def test_the_page_is_never_cached_indexed_or_referred(client, certificate):
    response = _page(client, certificate.verification_id)
    assert response["Cache-Control"] == "no-store"
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert '<meta name="robots" content="noindex' in response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'nonce-" in csp


def test_the_page_loads_no_external_assets(client, certificate):
    html = _page(client, certificate.verification_id).content.decode()
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<link" not in html
    nonce = re.search(
        r"script-src 'nonce-([^']+)'", _page(client, certificate.verification_id)["Content-Security-Policy"]
    )
    assert nonce


@pytest.mark.parametrize(
    ("query", "accept", "banner", "title"),
    [
        ("", "", "E VLEFSHME", "Asistent për fëmijë"),
        ("?lang=sr", "", "VAŽEĆI", "Asistent za decu"),
        ("?lang=en", "sq", "VALID", "Assistant for children"),
        ("", "en-GB,en;q=0.9", "VALID", "Assistant for children"),
        ("", "de-DE, sr-Latn-RS;q=0.8, en;q=0.5", "VAŽEĆI", "Asistent za decu"),
        ("", "fr", "E VLEFSHME", "Asistent për fëmijë"),
        ("?lang=xx", "en", "VALID", "Assistant for children"),
    ],
)
def test_albanian_by_default_serbian_and_english_by_switch_or_accept_language(
    client, certificate, query, accept, banner, title
):
    response = client.get(f"/v/{certificate.verification_id}{query}", HTTP_ACCEPT_LANGUAGE=accept)
    html = response.content.decode()
    assert f"<strong>{banner}</strong>" in html
    assert title in html


def test_revoked_page_says_revoked_with_the_date(client, certificate):
    certificate_revoke(actor=None, certificate=certificate, reason_code="issued_in_error", reference="R-1")
    html = _page(client, f"{certificate.verification_id}?lang=en").content.decode()
    assert "<strong>REVOKED</strong>" in html
    # The date in the page language's one format (config/formats/en), kept on one line.
    with translation.override("en"):
        assert f'<span class="date">{date_format(timezone.localdate())}</span>' in html
    assert "issued_in_error" not in html  # the reason stays with the registry


@pytest.mark.parametrize(
    ("status", "banner", "note"),
    [("suspended", "SUSPENDED", "suspended"), ("superseded", "SUPERSEDED", "Replaced by a newer certificate")],
)
def test_suspended_and_superseded_pages(client, status, banner, note):
    certificate = factories.CertificateFactory(status=status, status_changed_at=timezone.now())
    html = _page(client, f"{certificate.verification_id}?lang=en").content.decode()
    assert f"<strong>{banner}</strong>" in html and note in html


def test_the_page_costs_two_queries(client, certificate, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        _page(client, certificate.verification_id)
    event = VerificationEvent.objects.get()
    assert (event.channel, event.outcome, event.certificate_id) == ("page", "valid", certificate.pk)
    assert event.user_agent_family == "chrome"


@pytest.mark.parametrize(
    "agent",
    [
        "WhatsApp/2.23.20.0 A",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Twitterbot/1.0",
        "TelegramBot (like TwitterBot)",
        "Mozilla/5.0 (Linux; Android 13) Viber/21.0",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    ],
)
def test_link_preview_bots_get_the_page_but_are_not_counted(client, certificate, agent):
    response = _page(client, certificate.verification_id, ua=agent)
    assert response.status_code == 200 and b'data-state="valid"' in response.content
    assert VerificationEvent.objects.count() == 0


def test_the_page_is_throttled_per_ip_with_retry_after(client, anon_client, certificate, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"verify_anon": "2/min", "verify_verifier": "100/min", "verify_user": "100/min"},
    }
    assert _page(client, certificate.verification_id).status_code == 200
    assert anon_client.get(f"/api/v1/verifications/{certificate.verification_id}").status_code == 200
    refused = _page(client, f"{certificate.verification_id}?lang=en")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert b"TOO MANY REQUESTS" in refused.content and b"Ardita" not in refused.content
    api = anon_client.get(f"/api/v1/verifications/{certificate.verification_id}")
    assert api.status_code == 429 and api["Retry-After"] and api.json()["error"]["code"] == "throttled"
    # Another address has its own budget; a forged X-Forwarded-For is not another address.
    assert _page(client, certificate.verification_id, REMOTE_ADDR="10.1.2.3").status_code == 200
    assert _page(client, certificate.verification_id, HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429
    assert VerificationEvent.objects.count() == 3


def test_verifier_organisations_get_a_higher_quota_with_their_token(client_for, verifier_user, certificate, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"verify_anon": "1/min", "verify_verifier": "5/min", "verify_user": "2/min"},
    }
    client = client_for(verifier_user)
    statuses = [client.get(f"/api/v1/verifications/{certificate.verification_id}").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    # Colleagues in the same organisation share its quota.
    colleague = factories.UserFactory(organisation=verifier_user.organisation)
    assert client_for(colleague).get(f"/api/v1/verifications/{certificate.verification_id}").status_code == 429


def test_head_is_allowed_and_post_is_not(client, certificate):
    assert client.head(f"/v/{certificate.verification_id}").status_code == 200
    assert client.post(f"/v/{certificate.verification_id}").status_code == 405


@pytest.fixture
def foreign_certificate():
    """A certificate of a foreign awarding body, issued under the ministry's equivalency."""
    equivalency = factories.EquivalencyFactory(
        equivalent_to__code="NQA-L5-SEN", equivalent_to__title_en="Assistant for children with SEN (national)"
    )
    curriculum = factories.CurriculumFactory(qualification=equivalency.qualification)
    enrolment = factories.issuable_enrolment(curriculum=curriculum)
    return factories.CertificateFactory(enrolment=enrolment, equivalency=equivalency)


@pytest.mark.parametrize(
    ("lang", "equivalent", "decision", "hours"),
    [
        (
            "sq",
            "Ekuivalente me kualifikimin kombëtar NQA-L5-SEN",
            "Vendimi nr. {n} i datës 01.09.2023",
            "600 orë teori + 600",
        ),
        (
            "sr",
            "Ekvivalentna nacionalnoj kvalifikaciji NQA-L5-SEN",
            "Odluka br. {n} od 01.09.2023.",
            "600 časova teorije + 600",
        ),
        (
            "en",
            "Equivalent to the national qualification NQA-L5-SEN",
            "Decision no. {n} of 1 Sep 2023",
            "600 h theory + 600",
        ),
    ],
)
def test_the_page_explains_the_equivalency_and_shows_the_hours(
    client, foreign_certificate, lang, equivalent, decision, hours
):
    html = _page(client, f"{foreign_certificate.verification_id}?lang={lang}").content.decode()
    number = foreign_certificate.equivalency.decision_number
    equivalency = re.search(r'<dd id="equivalency">(.*?)</dd>', html).group(1)
    assert equivalent in equivalency and decision.format(n=number) in equivalency
    assert re.search(r'<dd id="hours">([^<]*)</dd>', html).group(1).startswith(hours)
    if lang == "en":
        assert "Assistant for children with SEN (national)" in equivalency


def test_a_national_certificate_shows_hours_and_no_equivalency(client, certificate):
    html = _page(client, f"{certificate.verification_id}?lang=en").content.decode()
    assert '<dd id="hours">600 h theory + 600 h practice</dd>' in html
    assert 'id="equivalency"' not in html


def test_the_api_gives_the_same_equivalency_and_hours(anon_client, foreign_certificate):
    facts = anon_client.get(f"/api/v1/verifications/{foreign_certificate.verification_id}").json()["certificate"]
    assert (facts["qualification"]["hours_theory"], facts["qualification"]["hours_practice"]) == (600, 600)
    equivalency = facts["equivalency"]
    assert equivalency["decision_number"] == foreign_certificate.equivalency.decision_number
    assert equivalency["decided_on"] == "2023-09-01"
    assert equivalency["equivalent_to"]["code"] == "NQA-L5-SEN"


def test_a_trailing_slash_opens_the_same_page(client, certificate):
    response = _page(client, f"{certificate.verification_id}/")
    assert response.status_code == 200
    assert 'data-state="valid"' in response.content.decode()
    assert VerificationEvent.objects.get().outcome == "valid"
    assert _page(client, "0BV7Q3M9XKZ1P4R8T2W6Y5C0DE/").status_code == 404


def test_the_page_carries_the_words_for_a_token_mismatch_banner(client, certificate):
    """The in-page token check turns the whole banner into `token_mismatch` (tested in a browser in
    tests/e2e/test_verification_page.py); here: the page carries its words in the page's language."""
    html = _page(client, f"{certificate.verification_id}?lang=en").content.decode()
    texts = json.loads(re.search(r'<script id="token-texts" type="application/json">(.*?)</script>', html).group(1))
    assert texts["banner_token_mismatch"] == "QR CODE DOES NOT MATCH"
    assert texts["note_mismatch"].startswith("The QR code does not match this record")
    assert texts["note_invalid"].startswith("The QR code's signature does not verify")
    assert 'banner.setAttribute("data-state", "token_mismatch")' in html
