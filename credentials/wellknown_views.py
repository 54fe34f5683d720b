"""`/.well-known/jwks.json`: the public keys that check certificate signatures and QR tokens.

A plain Django view, not part of the /api/v1 OpenAPI schema: its shape is fixed by RFC 7517/8037.
Public, cacheable for five minutes (a rotation shows within that time; old keys never disappear),
and readable cross-origin so offline verification tools can fetch it.
"""

import hashlib
import json

from django.http import HttpResponse
from django.views.decorators.http import require_safe

from credentials.signing import public_jwks

JWKS_MAX_AGE = 300


def public_document(request, data, *, content_type: str, max_age: int) -> HttpResponse:
    """A public JSON document anyone may fetch and cache (keys, the DID document): canonical bytes, an ETag
    with 304 on If-None-Match, Cache-Control and open CORS."""
    body = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={max_age}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def jwks(request):
    return public_document(request, public_jwks(), content_type="application/json", max_age=JWKS_MAX_AGE)
