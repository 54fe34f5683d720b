"""`/credentials/{verification_id}` (the verifiable credential) and `/.well-known/did.json` (the issuer's DID
document). Plain Django views, outside the /api/v1 OpenAPI schema: their shapes are fixed by the W3C and 1EdTech
specifications (docs/credentials.md).

The credential is public to whoever holds the 128-bit verification id, like `/v/{id}`: an unknown and a malformed
id get the same 404. It is served as `application/vc` (VC Data Model 2.0), or as `application/json` to a client
that asks for JSON and not for `application/vc`.
"""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.api.errors import error_body
from credentials.models import Certificate
from credentials.signing import SigningError
from credentials.verification.throttles import page_throttle_wait
from credentials.wellknown_views import public_document

from .credential import MEDIA_TYPE, build_credential, credential_bytes
from .did import did_document

DID_MAX_AGE = 300  # as the JWKS: a rotation shows within five minutes; retired keys never disappear
VERIFICATION_ID_LENGTH = 26
CROCKFORD = frozenset("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


def _media_type(request) -> str:
    accept = request.headers.get("Accept", "")
    if not accept or MEDIA_TYPE in accept or "*/*" in accept:
        return MEDIA_TYPE
    if "json" in accept:  # application/json, application/ld+json
        return "application/json"
    return MEDIA_TYPE


def _public(response):
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow, noarchive"
    response["Referrer-Policy"] = "no-referrer"
    response["Access-Control-Allow-Origin"] = "*"  # wallets and verifiers fetch it from their own pages
    response["Vary"] = "Accept"
    return response


def _find(verification_id: str) -> Certificate | None:
    normalised = verification_id.strip().upper()
    if len(normalised) != VERIFICATION_ID_LENGTH or not set(normalised) <= CROCKFORD:
        normalised = ""  # looked up all the same: a malformed id costs what an unknown one does
    return Certificate.objects.select_related("qualification").filter(verification_id=normalised).first()


@require_safe
def verifiable_credential(request, verification_id: str):
    wait = page_throttle_wait(request)
    if wait is not None:
        response = JsonResponse(error_body("throttled", _("Too many requests.")), status=429)
        response["Retry-After"] = str(wait)
        return _public(response)
    certificate = _find(verification_id)
    if certificate is None:
        return _public(JsonResponse(error_body("not_found", _("Nothing here.")), status=404))
    try:
        credential = build_credential(certificate)
    except SigningError:
        response = JsonResponse(error_body("unavailable", _("The credential cannot be signed now.")), status=503)
        return _public(response)
    response = HttpResponse(credential_bytes(credential), content_type=_media_type(request))
    return _public(response)


@require_safe
def did_json(request):
    return public_document(request, did_document(), content_type="application/did+json", max_age=DID_MAX_AGE)
