"""The verification page written from its stencil (core/stencil.py, ADR 0025) is the page Django's template engine
wrote before, byte for byte: every state the page can show, in every language, only the per-request CSP nonce and
the footer's clock normalised.

The reference is `verification_page_reference.html` (the page's template as it was before the stencil) rendered
with the context the view built then (`_reference_context`, its code as it was). The page's current template
rendered by Django with the same values is compared too, so a later edit of the template that the stencil cannot
follow (a filter on a per-certificate value, a comparison) fails here. Change the reference with the page on
purpose only.
"""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.template import engines
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import json_script

from core.language import localized, public_tag
from credentials import public_views as page
from credentials.models import Certificate
from credentials.services.lifecycle import certificate_revoke
from credentials.signing import generate_signing_key, public_jwks
from credentials.tokens import certificate_claims
from credentials.verification.checks import signature_memo
from credentials.verification.events import Caller
from credentials.verification.services import verify_by_id
from tests import factories

pytestmark = pytest.mark.django_db

REFERENCE = Path(__file__).with_name("verification_page_reference.html")
LANGUAGES = {"sq": "sq", "sr-Latn": "sr-latn", "sr-Cyrl": "sr", "en": "en"}
UNKNOWN_ID = "0BV7Q3M9XKZ1P4R8T2W6Y5C0DE"
HOSTILE = "<script>alert(\"x\")</script> & 'O'Brien'"


@pytest.fixture(autouse=True)
def _fresh_throttles_and_memo():
    cache.clear()
    signature_memo.clear()
    yield
    cache.clear()


def _old_date(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value[:10])
    return date_format(value)


def _reference_context(report, *, wait: int | None = None) -> dict:
    """The context `verification_page` gave its template before the stencil (its code then, verbatim, but for
    the banner's state: the report's verdict since a failed check under a valid status reads NOT CONFIRMED)."""
    base = {"lang": public_tag(), "nonce": "NONCE"}
    if wait is not None:
        return {**base, "state": "throttled", "banner": page.BANNERS["throttled"], "note": page._throttled_note(wait)}
    state = report.verdict
    context = {**base, "state": state, "banner": page.BANNERS[state], "note": page.NOTES[state]}
    if report.found:
        certificate = report.certificate
        facts = report.public_facts()
        context.update(
            facts=facts,
            status_changed_on=_old_date(facts.get("status_changed_on")),
            awarded_on=_old_date(facts.get("awarded_on")),
            qualification_title=localized(facts["qualification"]["title"]),
            hours=page._hours(facts["qualification"]),
            equivalency=page._equivalency(facts["equivalency"]),
            checks=[
                {
                    "name": page.CHECK_LABELS[check.name],
                    "result": check.result,
                    "result_label": page.BANNERS[certificate.status]
                    if check.name == "status"
                    else page.RESULT_LABELS[check.result],
                    "code": check.code,
                    "message": page.CHECK_MESSAGES.get(check.code, ""),
                }
                for check in report.checks
                if check.name in page.CHECK_NAMES
            ],
            claims=certificate_claims(certificate),
            token_texts={key: str(text) for key, text in page.TOKEN_TEXTS.items()},
            jwks=public_jwks(),
        )
    return context


def _normalised(html: str) -> str:
    html = re.sub(r'nonce="[^"]*"', 'nonce="NONCE"', html)
    return re.sub(r'(<footer>[^<]*<span class="date">)[^<]*(</span>)', r"\1NOW\2", html)


def _foreign_certificate():
    equivalency = factories.EquivalencyFactory(
        equivalent_to__code="NQA-L5-SEN", equivalent_to__title_en="Assistant for children with SEN (national)"
    )
    curriculum = factories.CurriculumFactory(qualification=equivalency.qualification)
    enrolment = factories.issuable_enrolment(curriculum=curriculum)
    return factories.CertificateFactory(enrolment=enrolment, equivalency=equivalency)


def _hostile_certificate():
    """Names that are markup: the page must print them as text, exactly as Django's autoescape did."""
    provider = factories.OrganisationFactory(name=f"Provider {HOSTILE}")
    learner = factories.LearnerFactory(provider=provider, given_name=HOSTILE, family_name="</dd><dd>")
    return factories.CertificateFactory(enrolment=factories.issuable_enrolment(provider=provider, learner=learner))


def _tampered_certificate():
    """A snapshot changed after signing, without its hours: the signature check NOT MET, the hours line gone."""
    certificate = factories.CertificateFactory()
    snapshot = certificate.snapshot
    snapshot["qualification"].pop("hours_theory", None)
    Certificate.objects.filter(pk=certificate.pk).update(snapshot=snapshot)
    return certificate


CASES = {
    "valid": lambda: factories.CertificateFactory().verification_id,
    "revoked": lambda: (
        certificate_revoke(
            actor=None, certificate=factories.CertificateFactory(), reason_code="issued_in_error", reference="R-1"
        ).verification_id
    ),
    "suspended": lambda: (
        factories.CertificateFactory(status="suspended", status_changed_at=timezone.now()).verification_id
    ),
    "superseded": lambda: (
        factories.CertificateFactory(status="superseded", status_changed_at=timezone.now()).verification_id
    ),
    "foreign": lambda: _foreign_certificate().verification_id,
    "hostile": lambda: _hostile_certificate().verification_id,
    "tampered": lambda: _tampered_certificate().verification_id,
    "not_found": lambda: UNKNOWN_ID,
    "malformed": lambda: "not-an-id",
    "throttled": lambda: factories.CertificateFactory().verification_id,
}


@pytest.mark.parametrize("tag", LANGUAGES)
@pytest.mark.parametrize("case", CASES)
def test_the_page_is_the_template_page_in_every_state_and_language(case, tag, settings):
    vid = CASES[case]()
    if case == "throttled":
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"verify_anon": "1/min", "verify_verifier": "9/min", "verify_user": "9/min"},
        }
        assert Client().get(f"/v/{vid}").status_code == 200
    before = timezone.localtime()
    response = Client().get(f"/v/{vid}?lang={tag}")
    after = timezone.localtime()
    expected_status = {"not_found": 404, "malformed": 400, "throttled": 429}.get(case, 200)
    assert response.status_code == expected_status
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()

    request = RequestFactory().get(f"/v/{vid}?lang={tag}")
    with translation.override(LANGUAGES[tag]):
        if case == "throttled":
            context = _reference_context(None, wait=int(response["Retry-After"]))
        else:
            report = verify_by_id(verification_id=vid, caller=Caller.from_request(request), channel="page")
            context = _reference_context(report)
        reference = engines["django"].from_string(REFERENCE.read_text(encoding="utf-8")).render(context, request)
        current = dict(context)
        if "claims" in current:
            current["expected_claims"] = json_script(current.pop("claims"), "expected-claims")
        current["verified_at"] = date_format(timezone.localtime(), "DATETIME_FORMAT")
        by_django = render_to_string("credentials/verification_page.html", current, request)
        clock = {date_format(moment, "DATETIME_FORMAT") for moment in (before, after)}

    assert _normalised(html) == _normalised(reference)
    assert _normalised(by_django) == _normalised(reference)
    # What the normalising hid: the nonce is the response's CSP nonce, the clock is now, in the page's language.
    nonce = re.search(r"script-src 'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert set(re.findall(r'nonce="([^"]*)"', html)) == {nonce}
    assert re.search(r'<footer>[^<]*<span class="date">([^<]*)</span>', html).group(1) in clock
    if case == "hostile":
        assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;x&quot;)" in html


def test_every_page_has_its_own_nonce(client):
    vid = factories.CertificateFactory().verification_id
    nonces = {re.search(r'<style nonce="([^"]+)"', client.get(f"/v/{vid}").content.decode()).group(1) for _ in "ab"}
    assert len(nonces) == 2


def _embedded_jwks(html: str) -> dict:
    return json.loads(re.search(r'<script id="registry-jwks" type="application/json">(.*?)</script>', html).group(1))


def test_the_page_embeds_the_keys_of_the_current_keyring_after_a_rotation():
    vid = factories.CertificateFactory().verification_id
    first = _embedded_jwks(Client().get(f"/v/{vid}").content.decode())
    assert first == public_jwks()
    new_kid = generate_signing_key(kid="rotated-for-the-page")
    second = _embedded_jwks(Client().get(f"/v/{vid}").content.decode())
    assert second == public_jwks() and second["keys"][0]["kid"] == new_kid
    assert {key["kid"] for key in first["keys"]} < {key["kid"] for key in second["keys"]}
