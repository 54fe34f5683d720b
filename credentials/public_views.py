"""The page a phone opens from the QR code: `/v/{verification_id}` (also with a trailing slash), and `/v/`, where a
person types a verification id or a serial number with the holder's date of birth.

Plain Django views over `credentials.verification.services` (no DRF: they must be light). They never read the
session (the pages are public; that keeps a verification at two queries) and never cache: a revocation shows on
the very next request. The signed token in the URL fragment never reaches the server; a small inline script checks
it in the browser against the public keys embedded in the page, and turns the whole banner into `token_mismatch`
when the token is not this record's. The verification page is written from a stencil of its template (ADR 0025):
the same HTML as Django's render, its per-certificate values escaped as Django escapes them; what the page shows
the same way for every certificate (the JWKS, the words of a language) is made once per process.
"""

from __future__ import annotations

import datetime
import secrets
from functools import lru_cache
from urllib.parse import quote

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import json_script
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from core.language import language_context, localized, public_tag
from core.stencil import Stencil
from credentials.choices import VerificationChannel, VerificationOutcome
from credentials.signing import SigningError, load_keyring, public_jwks
from credentials.tokens import certificate_claims
from credentials.verification.events import Caller
from credentials.verification.parsing import VerificationInputError, parse_scanned_text
from credentials.verification.services import verify_by_id, verify_by_serial_and_date_of_birth
from credentials.verification.throttles import page_throttle_wait

STATUS_FOR_OUTCOME = {"not_found": 404, "malformed": 400}
CHECK_NAMES = ("signature", "status", "accreditation", "equivalency")

# The headline and the sentence under it, for each state the banner can show (gettext catalogues in locale/).
BANNERS = {
    "valid": pgettext_lazy("certificate status", "VALID"),
    "revoked": pgettext_lazy("certificate status", "REVOKED"),
    "suspended": pgettext_lazy("certificate status", "SUSPENDED"),
    "superseded": pgettext_lazy("certificate status", "SUPERSEDED"),
    "not_confirmed": _("NOT CONFIRMED"),
    "not_found": _("NOT FOUND"),
    "malformed": _("INVALID ID"),
    "throttled": _("TOO MANY REQUESTS"),
    "token_mismatch": _("QR CODE DOES NOT MATCH"),
    "date_of_birth_match": _("MATCHES"),
    "date_of_birth_mismatch": _("DOES NOT MATCH"),
    "too_many_attempts": _("TOO MANY ATTEMPTS"),
    "bad_input": _("INVALID INPUT"),
}
NOTES = {
    "valid": _("This certificate is valid."),
    "revoked": _("This certificate was revoked and is no longer valid."),
    "suspended": _("This certificate is suspended."),
    "superseded": _("Replaced by a newer certificate. Ask the holder for the new one."),
    "not_confirmed": _(
        "The registry lists this certificate as valid, but a check below failed. Do not accept it before the "
        "provider or the registry has explained why."
    ),
    "not_found": _("No certificate of this registry has this id. Check it was typed exactly as printed."),
    "malformed": _("This is not a valid verification id."),
    "bad_id": _("This is not a verification id or a link of this registry. Type it exactly as printed."),
    "bad_serial": _("A serial number has letters, digits and hyphens only, e.g. L5-SEN-2026-000123."),
    "bad_dob": _("Give the date of birth as YYYY-MM-DD, e.g. 1995-04-12."),
    "too_many_attempts": _("Too many dates of birth were tried for this serial number today. Try again tomorrow."),
}
CHECK_LABELS = {
    "signature": _("Digital signature"),
    "status": _("Status"),
    "accreditation": _("Provider's accreditation on the award date"),
    "equivalency": _("Ministry equivalency"),
}
RESULT_LABELS = {"ok": _("OK"), "failed": _("NOT MET"), "skipped": _("NOT NEEDED")}
# A check's explanation (the tooltip), by its code; {date} is shown in the page's date format.
CHECK_MESSAGES = {
    "signature_valid": _("The printed record is signed by the registry."),
    "signature_invalid": _("The signature over the printed record does not verify."),
    "snapshot_mismatch": _("The record does not match its signed snapshot."),
    "status_valid": _("The certificate is valid."),
    "status_revoked": _("The certificate was revoked."),
    "status_suspended": _("The certificate is suspended."),
    "status_superseded": _("The certificate was replaced by a newer one; ask the holder for the new one."),
    "accreditation_in_force_on_award_date": _("The provider was accredited on the award date."),
    "accreditation_not_in_force_on_award_date": _("The provider's accreditation was not in force on the award date."),
    "accreditation_not_for_this_certificate": _(
        "The accreditation on record is not the provider's for this qualification."
    ),
    "accreditation_never_granted": _("The provider's accreditation was never granted."),
    "accreditation_without_assessment": _("The provider was not accredited to assess this qualification."),
    "equivalency_not_needed": _("A national qualification needs no equivalency."),
    "equivalency_missing": _(
        "A qualification of a foreign awarding body needs a ministry equivalency; none is recorded."
    ),
    "equivalency_in_force_on_award_date": _("The ministry's equivalency covered this qualification on the award date."),
    "equivalency_not_in_force_on_award_date": _(
        "The ministry's equivalency did not cover this qualification on the award date."
    ),
}
TOKEN_TEXTS = {
    "checking": _("Checking the signed QR code…"),
    "match": _("The signed QR code matches this record."),
    "match_unsigned": _("The QR code's data match (this browser cannot check the signature)."),
    "mismatch": _("WARNING: the QR code does not match this record."),
    "invalid": _("WARNING: the QR code is damaged or forged."),
    "banner_token_mismatch": BANNERS["token_mismatch"],
    "note_mismatch": _(
        "The QR code does not match this record: it was altered or belongs to another certificate. Do not accept "
        "the certificate; below is what the registry holds for this id."
    ),
    "note_invalid": _(
        "The QR code's signature does not verify: the code is damaged or forged. Do not accept the certificate; "
        "below is what the registry holds for this id."
    ),
}


def _protect(response, nonce: str | None, *, form_action: str = "'none'", referrer_policy: str = "no-referrer"):
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow, noarchive"
    response["Referrer-Policy"] = referrer_policy
    if nonce is not None:
        response["Content-Security-Policy"] = (
            f"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; img-src 'self' data:; "
            f"base-uri 'none'; form-action {form_action}; frame-ancestors 'none'"
        )
    response["Vary"] = "Accept-Language, Cookie"
    return response


def _base_context(request) -> dict:
    """The language was chosen by core.language (`?lang=`, the cookie, Accept-Language) and is active."""
    return {"lang": public_tag(), "nonce": secrets.token_urlsafe(16)}


def _throttled_note(wait: int) -> str:
    return ngettext(
        "Too many requests from this address. Try again in %(seconds)d second.",
        "Too many requests from this address. Try again in %(seconds)d seconds.",
        wait,
    ) % {"seconds": wait}


def _date(value) -> str:
    """A date (or its ISO text) in the active language's one format (config/formats/)."""
    if not value:
        return ""
    if not isinstance(value, str):
        value = value.isoformat()
    return _date_text(translation.get_language(), value[:10])


@lru_cache(maxsize=4096)
def _date_text(language: str | None, day: str) -> str:
    """The page's dates are few (award dates, status changes): each formatted once per language and process."""
    return date_format(datetime.date.fromisoformat(day))


@lru_cache(maxsize=8)
def _now_text(language: str | None, minute: datetime.datetime) -> str:
    """`{% now "DATETIME_FORMAT" %}` (to the minute: the formats of config/formats/ show no seconds)."""
    return date_format(minute, "DATETIME_FORMAT")


def _hours(qualification: dict) -> str | None:
    theory, practice = qualification.get("hours_theory"), qualification.get("hours_practice")
    if theory is None or practice is None:
        return None
    return gettext("%(theory)s h theory + %(practice)s h practice") % {
        "theory": theory,
        "practice": practice,
    }


def _equivalency(equivalency: dict | None) -> dict | None:
    """The printed equivalency in words: which national qualification, by which decision."""
    if not equivalency:
        return None
    target = equivalency["equivalent_to"]
    body = equivalency["decided_by"]
    return {
        "equivalent_to": gettext("Equivalent to the national qualification %(code)s “%(title)s”")
        % {"code": target["code"], "title": localized(target["title"])},
        "decision": gettext("Decision no. %(number)s of %(date)s, %(body)s")
        % {
            "number": equivalency["decision_number"],
            "date": _date(equivalency["decided_on"]),
            "body": body.get("short_name") or body.get("name") or "",
        },
    }


def _public_keys() -> dict:
    try:
        return public_jwks()
    except SigningError:  # a misconfigured keyring must not take the page down; the script then says so
        return {"keys": []}


# The page is its template cut once per language, state, keyset and optional part (core/stencil.py, ADR 0025).
PAGE = Stencil("credentials/verification_page.html")
# (the keyring it was made from, the JWKS, its number): a new number for each keyring seen by this process.
_jwks_state: tuple = (None, {"keys": []}, 0)


def _keyset() -> tuple[dict, int]:
    """The embedded JWKS and its number, made again only when the keyring changes (load_keyring() is cached per
    keyring file, so a rotation or a new key gives a new keyring)."""
    global _jwks_state  # noqa: PLW0603 - one tuple, replaced whole
    try:
        keyring = load_keyring()
    except SigningError:
        keyring = None
    state = _jwks_state
    if state[0] is not keyring:
        state = _jwks_state = (keyring, _public_keys(), state[2] + 1)
    return state[1], state[2]


@lru_cache(maxsize=8)
def _language_parts(language: str | None) -> dict:
    """What the page shows the same way for every certificate in a language: the token check's words, the check
    list's labels and explanations (strings, translated once)."""
    return {
        "token_texts": {key: str(text) for key, text in TOKEN_TEXTS.items()},
        "check_labels": {name: str(label) for name, label in CHECK_LABELS.items()},
        "results": {result: str(label) for result, label in RESULT_LABELS.items()},
        "banners": {state: str(banner) for state, banner in BANNERS.items()},
        "check_messages": {code: str(message) for code, message in CHECK_MESSAGES.items()},
    }


def _page_response(state: str, variable: dict, *, nonce: str, status: int) -> HttpResponse:
    """The page as `render(request, "credentials/verification_page.html", context)` writes it, from its stencil:
    `variable` is what differs between certificates; the rest depends on the language, the state and the keyset."""
    language = translation.get_language()
    jwks, keyset = _keyset()
    variable["nonce"] = nonce
    variable["verified_at"] = _now_text(language, timezone.localtime().replace(second=0, microsecond=0))

    def fixed() -> dict:
        return {
            **language_context(None),
            "lang": public_tag(),
            "state": state,
            "banner": BANNERS[state],
            "jwks": jwks,
            "token_texts": _language_parts(language)["token_texts"],
        }

    return HttpResponse(PAGE.render(variable, key=(language, state, keyset), fixed=fixed), status=status)


@require_safe
def verification_page(request, verification_id: str):
    nonce = secrets.token_urlsafe(16)

    wait = page_throttle_wait(request)
    if wait is not None:
        response = _page_response("throttled", {"note": _throttled_note(wait)}, nonce=nonce, status=429)
        response["Retry-After"] = str(wait)
        return _protect(response, nonce)

    report = verify_by_id(
        verification_id=verification_id, caller=Caller.from_request(request), channel=VerificationChannel.PAGE
    )
    state = report.verdict  # never "valid" when a check failed
    variable = {"note": NOTES[state]}
    if report.found:
        certificate = report.certificate
        facts = report.public_facts()
        words = _language_parts(translation.get_language())
        # The status check says the status in words (E REVOKUAR), not that a check failed.
        status_words = words["banners"][certificate.status]
        qualification = facts["qualification"]
        variable.update(
            # What the template prints of the facts (the stencil walks every value it is given; a fact the
            # template prints and this leaves out fails tests/credentials/test_verification_page_stencil.py).
            facts={
                "serial_number": facts["serial_number"],
                "verification_id": facts["verification_id"],
                "holder_name": facts["holder_name"],
                "qualification": {"nqf_level": qualification["nqf_level"], "eqf_level": qualification["eqf_level"]},
                "provider": {"name": facts["provider"]["name"]},
                "awarding_body": {"name": facts["awarding_body"]["name"]},
            },
            status_changed_on=_date(facts.get("status_changed_on")),
            awarded_on=_date(facts.get("awarded_on")),
            qualification_title=localized(qualification["title"]),
            hours=_hours(qualification),
            equivalency=_equivalency(facts["equivalency"]),
            checks=[
                {
                    "name": words["check_labels"][check.name],
                    "result": check.result,
                    "result_label": status_words if check.name == "status" else words["results"][check.result],
                    "code": check.code,
                    "message": words["check_messages"].get(check.code, ""),
                }
                for check in report.checks
                if check.name in CHECK_NAMES
            ],
            expected_claims=json_script(certificate_claims(certificate), "expected-claims"),
        )
    response = _page_response(state, variable, nonce=nonce, status=STATUS_FOR_OUTCOME.get(state, 200))
    return _protect(response, nonce)


# --- /v/: type an id, or a serial number with a date of birth -------------------------------------------------

_BAD_INPUT_NOTES = {"serial_number": "bad_serial", "date_of_birth": "bad_dob"}


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
    return _protect(response, base["nonce"], form_action="'self'", referrer_policy=FORM_REFERRER_POLICY)


def _banner(state: str, note: str, *, state_class: str | None = None, **extra) -> dict:
    return {"state": state, "state_class": state_class or state, "banner": BANNERS[state], "note": note, **extra}


def _go_to_page(request, base: dict, typed: str):
    """`GET /v/?id=...`: to the verification page of the typed id (or of a pasted QR link, token kept). Nothing is
    looked up here; the page does that (and its throttle and event log)."""
    try:
        scanned = parse_scanned_text(typed, field="id")
    except VerificationInputError:
        return _form_response(request, base, status=400, typed_id=typed[:128], **_banner("bad_input", NOTES["bad_id"]))
    url = reverse("verification-page", args=[scanned.verification_id]) + f"?lang={base['lang']}"
    if scanned.token:
        url += "#" + quote(scanned.token, safe="-._~")
    return _protect(HttpResponseRedirect(url), None)


def _date_of_birth_answer(request, base: dict):
    """`POST /v/`: does this date of birth belong to the holder of this serial? Only "matches" or "does not match"
    (an unknown serial answers as a date that does not match); never the date, never the holder's name. A match
    links to the certificate's own page, as the API answers a match with the verification."""
    typed_serial = (request.POST.get("serial_number") or "")[:64]
    wait = page_throttle_wait(request)
    if wait is not None:
        response = _form_response(
            request, base, status=429, typed_serial=typed_serial, **_banner("throttled", _throttled_note(wait))
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
            banner = _banner("too_many_attempts", NOTES["too_many_attempts"])
        else:
            field = next(iter(error.fields), "serial_number")
            banner = _banner("bad_input", NOTES[_BAD_INPUT_NOTES.get(field, "bad_serial")])
        return _form_response(request, base, status=error.status_code, typed_serial=typed_serial, **banner)
    if report.outcome == VerificationOutcome.DATE_OF_BIRTH_MISMATCH:
        note = gettext(
            "This date of birth does not belong to the holder of certificate %(serial)s, or no certificate has "
            "this serial number."
        ) % {"serial": typed_serial.strip().upper()}
        return _form_response(request, base, typed_serial=typed_serial, **_banner("date_of_birth_mismatch", note))
    certificate = report.certificate
    status = report.verdict  # the status, or not_confirmed when a check failed
    headline = str(BANNERS["date_of_birth_match"])
    if status != "valid":  # a match never reads as "valid" when the certificate is not
        headline = f"{headline} · {BANNERS[status]}"
    matched = gettext("The date of birth matches the holder of certificate %(serial)s.") % {
        "serial": certificate.serial_number
    }
    return _form_response(
        request,
        base,
        typed_serial=typed_serial,
        state="date_of_birth_match",
        state_class=status,
        certificate_status=status,
        banner=headline,
        note=f"{matched} {NOTES[status]}",
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
