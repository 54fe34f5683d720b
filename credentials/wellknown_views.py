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


@require_safe
def jwks(request):
    body = json.dumps(public_jwks(), sort_keys=True, separators=(",", ":")).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={JWKS_MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"
    return response
