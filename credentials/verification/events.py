"""The verification log: one `VerificationEvent` per verification, with no personal data.

The client IP is stored only as a keyed hash (HMAC-SHA256 with `settings.IP_HASH_KEY`, or a key derived from
`SECRET_KEY`), enough to spot abuse from one address without keeping the address. The user agent is reduced to
a family name. Anonymous link-preview bots (a certificate link pasted into WhatsApp or Slack) get the page but are
not counted: they are not verifications. A caller with a token or a session is always counted.

Writing an event is deliberately a single INSERT without `full_clean()` or an audit entry: every value is
produced by our code (never raw input), foreign keys come from rows just read, and the event log is itself the
record. `full_clean()` would add a query per foreign key to the busiest path (DESIGN.md budgets it at 3).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import connection
from django.utils import timezone

from core import policy
from core.client_ip import client_ip
from credentials.models import VerificationEvent

# Link-preview and crawler bots: they fetch a link to draw a preview or index it, nobody verified anything.
_PREVIEW_BOTS = re.compile(
    r"WhatsApp|facebookexternalhit|facebookcatalog|Facebot|Slackbot|Slack-ImgProxy|Twitterbot|TelegramBot|"
    r"Viber|Discordbot|LinkedInBot|Googlebot|Google-InspectionTool|bingbot|BingPreview|Applebot|"
    r"DuckDuckBot|YandexBot|Baiduspider|SkypeUriPreview|Pinterestbot|redditbot|Embedly|Iframely|"
    r"vkShare|MicrosoftPreview|Mastodon|Signal|SkypeSpaces|ZoominfoBot|AhrefsBot|SemrushBot",
    re.IGNORECASE,
)
# Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
_FAMILIES = (
    ("edge", re.compile(r"Edg(e|A|iOS)?/", re.I)),
    ("opera", re.compile(r"OPR/|Opera", re.I)),
    ("samsung", re.compile(r"SamsungBrowser", re.I)),
    ("firefox", re.compile(r"Firefox/|FxiOS/", re.I)),
    ("chrome", re.compile(r"Chrome/|CriOS/|Chromium/", re.I)),
    ("safari", re.compile(r"Safari/", re.I)),
    ("curl", re.compile(r"^curl/", re.I)),
    ("python", re.compile(r"python|httpx|aiohttp", re.I)),
    ("java", re.compile(r"Java/|okhttp", re.I)),
)


def is_preview_bot(user_agent: str) -> bool:
    return bool(user_agent) and _PREVIEW_BOTS.search(user_agent) is not None


def user_agent_family(user_agent: str) -> str:
    if not user_agent:
        return ""
    if match := _PREVIEW_BOTS.search(user_agent):
        return match.group(0).lower()[:32]
    for name, pattern in _FAMILIES:
        if pattern.search(user_agent):
            return name
    return "other"


@lru_cache(maxsize=4)
def _derived_key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), b"kqr.verification.ip-hash.v1", hashlib.sha256).digest()


def ip_hash(ip: str) -> str:
    if not ip:
        return ""
    key = settings.IP_HASH_KEY.encode() if settings.IP_HASH_KEY else _derived_key(settings.SECRET_KEY)
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Caller:
    """Who asked, reduced to what the event log may keep."""

    organisation_id: int | None = None
    ip_hash: str = ""
    user_agent_family: str = ""
    is_bot: bool = False

    @classmethod
    def from_request(cls, request, *, user=None) -> Caller:
        """`user` is passed by API views (already authenticated); the HTML page passes none and so never
        touches the session (the page is public, and that keeps it at two queries).

        The link-preview filter is for anonymous callers only: a caller with a token or a session verified
        something whatever its User-Agent says (a verifier must not keep its checks out of the log that way)."""
        agent = request.META.get("HTTP_USER_AGENT", "")[:512]
        organisation_id = policy.acting_organisation_id(user) if user is not None else None
        return cls(
            organisation_id=organisation_id,
            ip_hash=ip_hash(client_ip(request)),
            user_agent_family=user_agent_family(agent),
            is_bot=user is None and is_preview_bot(agent),
        )


def verification_event_build(
    *, caller: Caller, channel: str, outcome: str, certificate_id: int | None, verification_id_tried: str
) -> VerificationEvent:
    return VerificationEvent(
        certificate_id=certificate_id,
        verification_id_tried=verification_id_tried[:64],
        outcome=outcome,
        channel=channel,
        verifier_organisation_id=caller.organisation_id,
        ip_hash=caller.ip_hash,
        user_agent_family=caller.user_agent_family[:32],
    )


def verification_event_record(**kwargs) -> VerificationEvent | None:
    """Write one event (one INSERT), unless the caller is a link-preview bot."""
    if kwargs["caller"].is_bot:
        return None
    event = verification_event_build(**kwargs)
    event.save(force_insert=True)
    return event


def verification_events_record(*, caller: Caller, channel: str, rows: list[tuple[int | None, str, str]]) -> None:
    """A batch's events, each (certificate id or None, verification id tried, outcome), in one INSERT of plain
    values: building 500 model instances (and their init signals) was a tenth of a batch's time."""
    if not rows:
        return
    # As the ORM would write it (SQLite stores text; PostgreSQL takes the datetime), one time for every event.
    created_at = connection.ops.adapt_datetimefield_value(timezone.now())
    values = [
        (
            certificate_id,
            tried[:64],
            outcome,
            channel,
            caller.organisation_id,
            created_at,
            caller.ip_hash,
            caller.user_agent_family[:32],
        )
        for certificate_id, tried, outcome in rows
    ]
    meta = VerificationEvent._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in _EVENT_FIELDS)
    one = "(" + ", ".join(["%s"] * len(_EVENT_FIELDS)) + ")"
    # Only model metadata is interpolated; every value is a parameter.
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([one] * len(values))}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in values for value in row])


_EVENT_FIELDS = (
    "certificate_id",
    "verification_id_tried",
    "outcome",
    "channel",
    "verifier_organisation_id",
    "created_at",
    "ip_hash",
    "user_agent_family",
)
