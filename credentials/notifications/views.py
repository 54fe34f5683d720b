"""`/unsubscribe/{token}`: leave the tracer study's e-mails. The token is signed (django.core.signing, salted), so it
needs no storage and cannot be made for another learner. GET asks; POST (the button, or a mail client's RFC 8058
one-click POST) records it. CSRF-exempt: the signed token is the credential."""

from __future__ import annotations

from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from credentials.holders.views import HolderPageThrottle, _language, _page, _throttled

from .unsubscribe import email_opt_out, unsubscribe_token_learner


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def email_unsubscribe(request, token: str):
    lang = _language(request)
    if refused := _throttled(request, HolderPageThrottle(), lang):
        return refused
    parsed = unsubscribe_token_learner(token)
    if parsed is None:
        return _page(request, "holders/message.html", {"state": "invalid"}, lang=lang, status=404)
    if request.method == "POST":
        email_opt_out(learner_id=parsed[0], topic=parsed[1])
        return _page(request, "holders/message.html", {"state": "unsubscribed"}, lang=lang)
    return _page(request, "holders/message.html", {"state": "unsubscribe_confirm"}, lang=lang)
