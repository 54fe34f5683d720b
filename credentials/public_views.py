"""The page a phone opens from the QR code: `/v/{verification_id}` (also with a trailing slash), and `/v/`, where a
person types a verification id or a serial number with the holder's date of birth.

Plain Django views over `credentials.verification.services` (no DRF: they must be light). They never read the
session (the pages are public; that keeps a verification at two queries) and never cache: a revocation shows on
the very next request. The signed token in the URL fragment never reaches the server; a small inline script checks
it in the browser against the public keys embedded in the page, and turns the whole banner into `token_mismatch`
when the token is not this record's.
"""

from __future__ import annotations

import secrets
from urllib.parse import quote

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from credentials.choices import VerificationChannel, VerificationOutcome
from credentials.signing import SigningError, public_jwks
from credentials.tokens import certificate_claims
from credentials.verification.events import Caller
from credentials.verification.page_texts import LANGUAGE_NAMES, LANGUAGES, TEXTS, choose_language
from credentials.verification.parsing import VerificationInputError, parse_scanned_text
from credentials.verification.services import verify_by_id, verify_by_serial_and_date_of_birth
from credentials.verification.throttles import page_throttle_wait

STATUS_FOR_OUTCOME = {"not_found": 404, "malformed": 400}
CHECK_NAMES = ("signature", "status", "accreditation", "equivalency")
TOKEN_STATES = ("checking", "match", "match_unsigned", "mismatch", "invalid")


def _protect(response, nonce: str | None, *, form_action: str = "'none'", referrer_policy: str = "no-referrer"):
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow, noarchive"
    response["Referrer-Policy"] = referrer_policy
    if nonce is not None:
        response["Content-Security-Policy"] = (
            f"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; img-src 'self' data:; "
            f"base-uri 'none'; form-action {form_action}; frame-ancestors 'none'"
        )
    response["Vary"] = "Accept-Language"
    return response


def _base_context(request) -> dict:
    lang = choose_language(request.GET.get("lang"), request.headers.get("Accept-Language", ""))
    return {
        "lang": lang,
        "t": TEXTS[lang],
        "nonce": secrets.token_urlsafe(16),
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
    }


def _hours(qualification: dict, texts: dict) -> str | None:
    theory, practice = qualification.get("hours_theory"), qualification.get("hours_practice")
    if theory is None or practice is None:
        return None
    return texts["hours_value"].format(theory=theory, practice=practice)


def _equivalency(equivalency: dict | None, lang: str, texts: dict) -> dict | None:
    """The printed equivalency in words: which national qualification, by which decision."""
    if not equivalency:
        return None
    target = equivalency["equivalent_to"]
    title = target["title"].get(lang) or target["title"].get("sq") or ""
    body = equivalency["decided_by"]
    return {
        "equivalent_to": texts["equivalent_to"].format(code=target["code"], title=title),
        "decision": texts["equivalency_decision"].format(
            number=equivalency["decision_number"],
            date=equivalency["decided_on"],
            body=body.get("short_name") or body.get("name") or "",
        ),
    }


def _public_keys() -> dict:
    try:
        return public_jwks()
    except SigningError:  # a misconfigured keyring must not take the page down; the script then says so
        return {"keys": []}


@require_safe
def verification_page(request, verification_id: str):
    base = _base_context(request)
    lang, texts, nonce = base["lang"], base["t"], base["nonce"]

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
            hours=_hours(facts["qualification"], texts),
            equivalency=_equivalency(facts["equivalency"], lang, texts),
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
            token_texts={
                **{key: texts[f"token_{key}"] for key in TOKEN_STATES},
                "banner_token_mismatch": texts["banner_token_mismatch"],
                "note_mismatch": texts["note_token_mismatch"],
                "note_invalid": texts["note_token_invalid"],
            },
            jwks=_public_keys(),
        )
    status = STATUS_FOR_OUTCOME.get(state, 200)
    response = render(request, "credentials/verification_page.html", context, status=status)
    response["Content-Language"] = lang
    return _protect(response, nonce)


# --- /v/: type an id, or a serial number with a date of birth -------------------------------------------------

_BAD_INPUT_NOTES = {"serial_number": "note_bad_serial", "date_of_birth": "note_bad_dob"}


# The form's own URL holds nothing secret. Under `no-referrer` a browser sends `Origin: null` with the form's POST,
# which Django's CSRF check rightly refuses; `same-origin` sends the origin to this site only, never to another.
FORM_REFERRER_POLICY = "same-origin"


def _form_response(request, base: dict, *, status: int = 200, **context):
    context = {
        "today": timezone.localdate().isoformat(),
        "typed_id": "",
        "typed_serial": "",
        "referrer_policy": FORM_REFERRER_POLICY,
        **base,
        **context,
    }
    response = render(request, "credentials/verification_form.html", context, status=status)
    response["Content-Language"] = base["lang"]
    return _protect(response, base["nonce"], form_action="'self'", referrer_policy=FORM_REFERRER_POLICY)


def _banner(texts: dict, state: str, note: str, *, state_class: str | None = None, **extra) -> dict:
    return {
        "state": state,
        "state_class": state_class or state,
        "banner": texts[f"banner_{state}"],
        "note": note,
        **extra,
    }


def _go_to_page(request, base: dict, typed: str):
    """`GET /v/?id=...`: to the verification page of the typed id (or of a pasted QR link, token kept). Nothing is
    looked up here; the page does that (and its throttle and event log)."""
    texts = base["t"]
    try:
        scanned = parse_scanned_text(typed, field="id")
    except VerificationInputError:
        return _form_response(
            request, base, status=400, typed_id=typed[:128], **_banner(texts, "bad_input", texts["note_bad_id"])
        )
    url = reverse("verification-page", args=[scanned.verification_id]) + f"?lang={base['lang']}"
    if scanned.token:
        url += "#" + quote(scanned.token, safe="-._~")
    return _protect(HttpResponseRedirect(url), None)


def _date_of_birth_answer(request, base: dict):
    """`POST /v/`: does this date of birth belong to the holder of this serial? Only "matches" or "does not match"
    (an unknown serial answers as a date that does not match); never the date, never the holder's name. A match
    links to the certificate's own page, as the API answers a match with the verification."""
    texts = base["t"]
    typed_serial = (request.POST.get("serial_number") or "")[:64]
    wait = page_throttle_wait(request)
    if wait is not None:
        response = _form_response(
            request,
            base,
            status=429,
            typed_serial=typed_serial,
            **_banner(texts, "throttled", texts["note_throttled"].format(seconds=wait)),
        )
        response["Retry-After"] = str(wait)
        return response
    report = verify_by_serial_and_date_of_birth(
        serial_number=request.POST.get("serial_number"),
        date_of_birth=request.POST.get("date_of_birth"),
        caller=Caller.from_request(request),
        channel=VerificationChannel.PAGE,
    )
    error = report.error
    if error is not None:
        if error.code == "too_many_attempts":
            banner = _banner(texts, "too_many_attempts", texts["note_too_many_attempts"])
        else:
            field = next(iter(error.fields), "serial_number")
            banner = _banner(texts, "bad_input", texts[_BAD_INPUT_NOTES.get(field, "note_bad_serial")])
        return _form_response(request, base, status=error.status_code, typed_serial=typed_serial, **banner)
    if report.outcome == VerificationOutcome.DATE_OF_BIRTH_MISMATCH:
        note = texts["note_date_of_birth_mismatch"].format(serial=typed_serial.strip().upper())
        return _form_response(
            request, base, typed_serial=typed_serial, **_banner(texts, "date_of_birth_mismatch", note)
        )
    certificate = report.certificate
    status = certificate.status
    headline = texts["banner_date_of_birth_match"]
    if status != "valid":  # a match never reads as "valid" when the certificate is not
        headline = f"{headline} · {texts[f'banner_{status}']}"
    note = f"{texts['note_date_of_birth_match'].format(serial=certificate.serial_number)} {texts[f'note_{status}']}"
    return _form_response(
        request,
        base,
        typed_serial=typed_serial,
        state="date_of_birth_match",
        state_class=status,
        certificate_status=status,
        banner=headline,
        note=note,
        open_url=reverse("verification-page", args=[certificate.verification_id]) + f"?lang={base['lang']}",
    )


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
def verification_form(request):
    """`/v/`: a box for a verification id (GET, to `/v/{id}`) and one for a serial number + date of birth (POST,
    CSRF-protected, throttled as the API). No personal data on the page: the date typed is never echoed."""
    base = _base_context(request)
    if request.method == "POST":
        return _date_of_birth_answer(request, base)
    if "id" in request.GET:
        return _go_to_page(request, base, request.GET["id"])
    return _form_response(request, base)
