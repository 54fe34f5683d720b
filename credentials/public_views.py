"""The page a phone opens from the QR code: `/v/{verification_id}`.

A plain Django view over `credentials.verification.services.verify_by_id` (no DRF: it must be light). It never
reads the session (the page is public; that keeps it at two queries) and never caches: a revocation shows on the
very next request. The signed token in the URL fragment never reaches the server; a small inline script checks
it in the browser against the public keys embedded in the page.
"""

from __future__ import annotations

import secrets

from django.shortcuts import render
from django.views.decorators.http import require_safe

from credentials.choices import VerificationChannel
from credentials.signing import SigningError, public_jwks
from credentials.tokens import certificate_claims
from credentials.verification.events import Caller
from credentials.verification.page_texts import LANGUAGE_NAMES, LANGUAGES, TEXTS, choose_language
from credentials.verification.services import verify_by_id
from credentials.verification.throttles import page_throttle_wait

STATUS_FOR_OUTCOME = {"not_found": 404, "malformed": 400}
CHECK_NAMES = ("signature", "status", "accreditation", "equivalency")
TOKEN_STATES = ("checking", "match", "match_unsigned", "mismatch", "invalid")


def _protect(response, nonce: str):
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow, noarchive"
    response["Referrer-Policy"] = "no-referrer"
    response["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; img-src 'self' data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    response["Vary"] = "Accept-Language"
    return response


def _public_keys() -> dict:
    try:
        return public_jwks()
    except SigningError:  # a misconfigured keyring must not take the page down; the script then says so
        return {"keys": []}


@require_safe
def verification_page(request, verification_id: str):
    lang = choose_language(request.GET.get("lang"), request.headers.get("Accept-Language", ""))
    texts = TEXTS[lang]
    nonce = secrets.token_urlsafe(16)
    base = {
        "lang": lang,
        "t": texts,
        "nonce": nonce,
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
    }

    wait = page_throttle_wait(request)
    if wait is not None:
        context = {
            **base,
            "state": "throttled",
            "banner": texts["banner_throttled"],
            "note": texts["note_throttled"].format(seconds=wait),
        }
        response = render(request, "credentials/verification_page.html", context, status=429)
        response["Retry-After"] = str(wait)
        return _protect(response, nonce)

    report = verify_by_id(
        verification_id=verification_id, caller=Caller.from_request(request), channel=VerificationChannel.PAGE
    )
    state = report.outcome
    context = {**base, "state": state, "banner": texts[f"banner_{state}"], "note": texts[f"note_{state}"]}
    if report.found:
        certificate = report.certificate
        facts = report.public_facts()
        title = facts["qualification"]["title"]
        context.update(
            facts=facts,
            qualification_title=title.get(lang) or title.get("sq") or "",
            checks=[
                {
                    "name": texts[f"check_{check.name}"],
                    "result": check.result,
                    "result_label": texts[f"result_{check.result}"],
                    "code": check.code,
                    "message": check.message,
                }
                for check in report.checks
                if check.name in CHECK_NAMES
            ],
            claims=certificate_claims(certificate),
            token_texts={key: texts[f"token_{key}"] for key in TOKEN_STATES},
            jwks=_public_keys(),
        )
    status = STATUS_FOR_OUTCOME.get(state, 200)
    response = render(request, "credentials/verification_page.html", context, status=status)
    response["Content-Language"] = lang
    return _protect(response, nonce)
