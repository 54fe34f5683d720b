"""The caller's IP address, decided in one place for every limit that counts per address: the verification
throttles, the date-of-birth guess cap's events, the verification event's IP hash and the login lockout
(django-axes, through `AXES_CLIENT_IP_CALLABLE`).

Only the socket's address and the hops our own proxies appended are believed. `TRUSTED_PROXY_DEPTH` (settings,
from the environment; also DRF's `NUM_PROXIES`) says how many proxies of ours stand in front of the
application: each appends the address it received the request from to `X-Forwarded-For`, so the client is
the depth-th entry from the right. Everything to the left of it, and every other header a client can send
(`True-Client-IP`, `X-Real-IP`, `Forwarded`, `CF-Connecting-IP` ...), is the caller's own say and is
ignored: believing it would let a caller name a fresh address for each request and escape every per-address
limit. With depth 0 (no proxy, the default) `X-Forwarded-For` itself is ignored.
"""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str:
    """The address per-address limits count; "" when the request has none (a test request or a socket)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    depth = settings.TRUSTED_PROXY_DEPTH
    if depth:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            # Fewer hops than proxies: the request skipped an outer proxy; the leftmost one is the one the
            # innermost proxy saw (no client-written entry can be to its right).
            return hops[-min(depth, len(hops))]
    return remote
