"""`/v/file`: verify a verifiable credential file (what `/credentials/{id}` serves, or a wallet exports), for
someone who holds the file and not a printed QR code. The form is on `/v/`; this view takes its POST (an upload,
CSRF-protected, throttled as `/v/` is) and answers with the same banner and checks as the verification page:
issuer and key, proof, status lists, accreditation on the award date, equivalency.

The file is checked by `credentials.verification.credential_document.verify_credential` (the same service as the
API); what the page shows of the certificate comes from the registry's record, never from the file.
"""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from core import json_depth
from core.language import localized
from credentials.choices import VerificationChannel, VerificationOutcome
from credentials.public_views import (
    BANNERS,
    CHECK_LABELS,
    CHECK_MESSAGES,
    FORM_REFERRER_POLICY,
    NOTES,
    RESULT_LABELS,
    _base_context,
    _date,
    _protect,
    _throttled_note,
)
from credentials.verification.credential_document import looks_like_credential, verify_credential
from credentials.verification.events import Caller
from credentials.verification.throttles import page_throttle_wait

# A credential of this registry is a few kilobytes; anything much larger is not one.
MAX_UPLOAD_BYTES = 256 * 1024

FILE_BANNERS = {
    "credential_mismatch": _("CREDENTIAL DOES NOT MATCH"),
    "not_ours": _("NOT ISSUED BY THIS REGISTRY"),
}
FILE_NOTES = {
    "credential_mismatch": _(
        "The file was changed after the registry signed it, or it was not signed by the registry. Do not accept it; "
        "below is what the registry holds for this certificate."
    ),
    "not_ours": _("This registry did not issue this credential, or has no certificate with its id."),
    "no_file": _("Choose the credential file (.json) to check."),
    "too_large": _("This file is far larger than any credential of this registry."),
    "not_a_credential": _("This file is not a verifiable credential (a JSON document)."),
    "invalid": _("This file is not a complete verifiable credential: it lacks its issuer, its proof or its id."),
}
FILE_CHECK_LABELS = {
    "issuer": _("Issuer and signing key"),
    "proof": _("Credential's digital signature (proof)"),
    "status": _("Status lists (revocation, suspension)"),
}
FILE_CHECK_MESSAGES = {
    "issuer_key_known": _("Issued by this registry, with one of its published keys."),
    "issuer_unknown": _("The credential names another issuer than this registry."),
    "issuer_key_unknown": _("The credential is signed with a key this registry does not publish."),
    "proof_valid": _("The credential is exactly as the registry signed it."),
    "proof_invalid": _("The credential was changed after signing, or was not signed by this registry."),
    "status_entry_missing": _("The credential names no status list, so its status cannot be checked."),
    "status_list_unavailable": _("The status list the credential names is not one of this registry's."),
    "status_list_disagrees": _("The status lists and the registry's record disagree; do not rely on it."),
}


def _banner(state: str, note, *, state_class: str | None = None) -> dict:
    banner = FILE_BANNERS.get(state) or BANNERS[state]
    return {"state": state, "state_class": state_class or state, "banner": banner, "note": note}


def _page(request, base: dict, *, status: int = 200, **context):
    context = {"referrer_policy": FORM_REFERRER_POLICY, **base, **context}
    response = render(request, "credentials/verification_credential_file.html", context, status=status)
    return _protect(response, base["nonce"], form_action="'self'", referrer_policy=FORM_REFERRER_POLICY)


def _checks(report) -> list[dict]:
    labels = {**CHECK_LABELS, **FILE_CHECK_LABELS}
    messages = {**CHECK_MESSAGES, **FILE_CHECK_MESSAGES}
    return [
        {
            "name": labels.get(check.name, check.name),
            "result": check.result,
            "result_label": RESULT_LABELS[check.result],
            "code": check.code,
            "message": messages.get(check.code, ""),
        }
        for check in report.checks
    ]


def _read_upload(request) -> tuple[dict | None, str | None]:
    """(the credential document, None) or (None, the note key saying why not)."""
    upload = request.FILES.get("credential")
    if upload is None:
        return None, "no_file"
    if upload.size > MAX_UPLOAD_BYTES:
        return None, "too_large"
    try:
        document = json_depth.loads(upload.read(MAX_UPLOAD_BYTES + 1).decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, json_depth.TooDeeplyNested):
        return None, "not_a_credential"
    if not looks_like_credential(document):
        return None, "not_a_credential"
    return document, None


def _answer(request, base: dict):
    wait = page_throttle_wait(request)
    if wait is not None:
        response = _page(request, base, status=429, **_banner("throttled", _throttled_note(wait)))
        response["Retry-After"] = str(wait)
        return response
    document, refusal = _read_upload(request)
    if refusal is not None:
        return _page(request, base, status=400, **_banner("bad_input", FILE_NOTES[refusal]))
    report = verify_credential(document=document, caller=Caller.from_request(request), channel=VerificationChannel.PAGE)
    if report.error is not None:
        if report.error.code == "credential_invalid":
            return _page(request, base, status=400, **_banner("bad_input", FILE_NOTES["invalid"]))
        return _page(request, base, status=404, **_banner("not_ours", FILE_NOTES["not_ours"], state_class="not_found"))
    state = report.verdict  # never "valid" when a check failed
    if state == VerificationOutcome.CREDENTIAL_MISMATCH:
        banner = _banner(state, FILE_NOTES[state], state_class="token_mismatch")
    else:
        banner = _banner(state, NOTES[state])
    facts = report.public_facts()
    return _page(
        request,
        base,
        **banner,
        facts=facts,
        qualification_title=localized(facts["qualification"]["title"]),
        awarded_on=_date(facts["awarded_on"]),
        status_changed_on=_date(facts.get("status_changed_on")),
        checks=_checks(report),
        page_url=reverse("verification-page", args=[facts["verification_id"]]) + f"?lang={base['lang']}",
    )


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
def verification_credential_file(request):
    """GET: the upload form on its own; POST: check the uploaded credential file."""
    base = _base_context(request)
    if request.method == "POST":
        return _answer(request, base)
    return _page(request, base)
