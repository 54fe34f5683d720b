"""The holder's pages: `/my/{token}` (their certificates, who checked them, share links), `/my/` (send me my link) and
`/s/{token}` (a share link: the public facts of `/v/`, counted apart).

Plain Django views. The token in the path is the credential (a capability URL), so the pages:
- answer "not valid" alike for an unknown, malformed or revoked token (an expired one offers a new link by e-mail,
  sent only to the address on record);
- send `Cache-Control: no-store`, `X-Robots-Tag: noindex`, `Referrer-Policy: no-referrer` (the token must not leave
  in a Referer header) and a Content-Security-Policy with nothing from another host;
- are throttled per client address in the cache every worker shares (core/throttles.py);
- take their POSTs without a CSRF cookie: a forged request would need the token, which is the secret itself
  (`/my/` itself, which has no token, is CSRF-protected).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from core.client_ip import client_ip
from core.errors import DomainError
from core.language import language_from_query, public_tag
from core.throttles import SlidingWindowThrottle, page_wait
from credentials.choices import VerificationChannel
from credentials.models import Certificate
from credentials.verification.events import Caller
from credentials.verification.services import verify_by_id
from credentials.verification.throttles import page_throttle_wait

from . import selectors, services

# The verifiable credential of a certificate, when the registry serves one (credentials/vc): the first of these URL
# names that exists is linked from the page.
CREDENTIAL_URL_NAMES = ("credential", "verifiable-credential", "credential-document")
CHECK_LABELS = {
    "signature": _("Digital signature"),
    "status": _("Status"),
    "accreditation": _("Accreditation of the provider on the award date"),
    "equivalency": _("Equivalency by the ministry"),
}
RESULT_LABELS = {"ok": _("OK"), "failed": _("FAILED"), "skipped": _("NOT APPLICABLE")}


class HolderPageThrottle(SlidingWindowThrottle):
    """Views and actions of private pages, per client address (rate `holder_page`)."""

    @staticmethod
    def scope_and_ident(request):
        return "holder_page", client_ip(request) or "unknown"


class HolderLinkRequestThrottle(SlidingWindowThrottle):
    """ "Send me my link" requests, per client address (rate `holder_link_request`)."""

    @staticmethod
    def scope_and_ident(request):
        return "holder_link_request", client_ip(request) or "unknown"


def _language(request, preferred: str = "") -> str:
    """`?lang=` (or the form's `lang`), else the holder's own language on their page, else the request's (cookie,
    Accept-Language: core.language). A Django language code."""
    asked = request.GET.get("lang") or (request.POST.get("lang") if request.method == "POST" else None)
    chosen = language_from_query(asked)
    if chosen:
        return chosen
    languages = dict(settings.LANGUAGES)
    if preferred in languages:
        return preferred
    current = translation.get_language() or settings.LANGUAGE_CODE
    return current if current in languages else settings.LANGUAGE_CODE


def _protect(response, nonce: str | None = None):
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow, noarchive"
    response["Referrer-Policy"] = "no-referrer"
    style = f"'nonce-{nonce}'" if nonce else "'none'"
    response["Content-Security-Policy"] = (
        f"default-src 'none'; style-src {style}; img-src 'self' data:; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )
    return response


def _page(request, template: str, context: dict, *, lang: str, status: int = 200):
    nonce = secrets.token_urlsafe(16)
    with translation.override(lang):
        response = render(
            request,
            template,
            {**context, "lang": lang, "lang_tag": public_tag(lang), "nonce": nonce},
            status=status,
        )
    response["Content-Language"] = lang
    return _protect(response, nonce)


def _throttled(request, throttle, lang: str):
    wait = page_wait(throttle, request)
    if wait is None:
        return None
    response = _page(request, "holders/message.html", {"state": "throttled", "seconds": wait}, lang=lang, status=429)
    response["Retry-After"] = str(wait)
    return response


def credential_url(certificate: Certificate) -> str | None:
    for name in CREDENTIAL_URL_NAMES:
        try:
            return reverse(name, args=[certificate.verification_id])
        except NoReverseMatch:
            continue
    return None


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def holder_page(request, token: str):
    lang = _language(request)
    if refused := _throttled(request, HolderPageThrottle(), lang):
        return refused
    opened = services.holder_access_open(token)
    if opened.state == "expired":
        if request.method == "POST" and request.POST.get("action") == "renew":
            services.holder_access_renew(token=token)
            return _page(request, "holders/message.html", {"state": "renew_sent"}, lang=lang)
        return _page(request, "holders/message.html", {"state": "expired"}, lang=lang, status=410)
    if not opened.ok:
        return _page(request, "holders/message.html", {"state": "invalid"}, lang=lang, status=404)
    access = opened.access
    lang = _language(request, access.learner.language)
    if request.method == "POST":
        return _act(request, token, access, lang)
    return _holder_page(request, access, token, lang)


def _act(request, token: str, access, lang: str):
    action = request.POST.get("action")
    certificate_id = request.POST.get("certificate")
    anchor, done = "", ""
    try:
        if action == "share":
            services.share_link_create(access=access, certificate_id=certificate_id, days=request.POST.get("days"))
            anchor, done = f"#certificate-{certificate_id}", "shared"
        elif action == "withdraw":
            share = services.share_link_withdraw(access=access, share_id=request.POST.get("share"))
            anchor, done = f"#certificate-{share.certificate_id}", "withdrawn"
        elif action in ("hide", "unhide"):
            services.certificate_lookup_hide(access=access, certificate_id=certificate_id, hidden=action == "hide")
            anchor, done = f"#certificate-{certificate_id}", action
        elif action == "end":
            services.holder_access_end(access=access)
            return _page(request, "holders/message.html", {"state": "ended"}, lang=lang)
        else:
            return _page(request, "holders/message.html", {"state": "bad_request"}, lang=lang, status=400)
    except DomainError as exc:
        state = "not_found" if exc.status_code == 404 else "bad_request"
        return _page(request, "holders/message.html", {"state": state}, lang=lang, status=exc.status_code)
    url = reverse("holder-page", args=[token]) + f"?lang={public_tag(lang)}&done={done}{anchor}"
    return _protect(HttpResponseRedirect(url, status=303))


def _holder_page(request, access, token: str, lang: str):
    certificates = selectors.holder_certificates(access.learner_id)
    ids = [c.pk for c in certificates]
    checks = selectors.checks_of(ids)
    shares = selectors.share_links_of(ids)
    hidden = selectors.hidden_certificate_ids(ids)
    rows = []
    for certificate in certificates:
        snapshot = certificate.snapshot or {}
        titles = (snapshot.get("qualification") or {}).get("title") or {}
        rows.append(
            {
                "certificate": certificate,
                "title": titles.get(lang) or titles.get(lang.split("-")[0]) or titles.get("sq") or "",
                "provider": (snapshot.get("provider") or {}).get("name") or certificate.provider.name,
                "checks": checks[certificate.pk],
                "shares": [(share, services.share_url(share)) for share in shares.get(certificate.pk, [])],
                "hidden": certificate.pk in hidden,
                "pdf_url": reverse("holder-certificate-pdf", args=[token, certificate.pk])
                + f"?lang={public_tag(lang)}",
                "credential_url": credential_url(certificate),
                "verification_url": reverse("verification-page", args=[certificate.verification_id]),
            }
        )
    context = {
        "token": token,
        "access": access,
        "holder_name": access.learner.full_name,
        "rows": rows,
        "done": request.GET.get("done", "")[:16],
        "share_default_days": services.SHARE_DEFAULT_DAYS,
        "share_max_days": services.share_link_max_days(),
    }
    return _page(request, "holders/page.html", context, lang=lang)


@require_safe
def holder_certificate_pdf(request, token: str, certificate_id: int):
    """The certificate and its transcript as PDF (the same file the provider prints), for the link's own
    certificates only."""
    from credentials.pdf.documents import certificate_pdf, parse_language, pdf_filename

    lang = _language(request)
    if refused := _throttled(request, HolderPageThrottle(), lang):
        return refused
    opened = services.holder_access_open(token)
    if not opened.ok:
        raise Http404
    certificate = Certificate.objects.filter(pk=certificate_id, learner_id=opened.access.learner_id).first()
    if certificate is None:
        raise Http404
    try:
        pdf_lang = parse_language(request.GET.get("lang"))
    except DomainError:
        pdf_lang = parse_language(None)
    response = HttpResponse(certificate_pdf(certificate, lang=pdf_lang), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(certificate)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return _protect(response)


@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def holder_link_request(request):
    """`/my/`: type the e-mail address the provider has on record; the private link goes there. The answer never
    says whether the address is known."""
    lang = _language(request)
    if request.method == "POST":
        if refused := _throttled(request, HolderLinkRequestThrottle(), lang):
            return refused
        services.holder_link_request(email=request.POST.get("email", "")[:254])
        response = _page(request, "holders/message.html", {"state": "request_sent"}, lang=lang)
    else:
        response = _page(request, "holders/request.html", {}, lang=lang)
    # The form posts to itself: same-origin, so the browser sends the Origin the CSRF check needs.
    response["Referrer-Policy"] = "same-origin"
    return response


@require_safe
def share_page(request, token: str):
    """A share link: the certificate's public facts and checks, as `/v/` shows them, logged as a `share`
    verification (counted apart on the holder's page). No verification id on the page: when the link is withdrawn
    or expires, the person it was given to holds nothing that still opens the certificate."""
    lang = _language(request)
    wait = page_throttle_wait(request)
    if wait is not None:
        response = _page(
            request, "holders/message.html", {"state": "throttled", "seconds": wait}, lang=lang, status=429
        )
        response["Retry-After"] = str(wait)
        return response
    share = services.share_link_open(token)
    if share is None:
        return _page(request, "holders/message.html", {"state": "share_invalid"}, lang=lang, status=404)
    verification_id = Certificate.objects.filter(pk=share.certificate_id).values_list("verification_id", flat=True)
    caller = Caller.from_request(request)
    report = verify_by_id(verification_id=verification_id[0], caller=caller, channel=VerificationChannel.SHARE)
    if not caller.is_bot:  # a link preview is not a check
        services.share_link_viewed(share)
    facts = report.public_facts() or {}
    titles = (facts.get("qualification") or {}).get("title") or {}
    context = {
        "state": report.verdict,  # never "valid" when a check failed
        "facts": facts,
        "qualification_title": titles.get(lang) or titles.get("sq") or "",
        "checks": [
            {
                "name": CHECK_LABELS.get(check.name, check.name),
                "code": check.name,
                "result": check.result,
                "result_label": RESULT_LABELS.get(check.result, check.result),
            }
            for check in report.checks
            if check.name in CHECK_LABELS
        ],
        "expires_at": share.expires_at,
    }
    return _page(request, "holders/share_page.html", context, lang=lang)
