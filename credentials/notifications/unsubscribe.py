"""Unsubscribe links of topic e-mails (the tracer study's): a signed token (django.core.signing, salted) naming the
learner and the topic, so it needs no storage and cannot be made for another learner; `/unsubscribe/{token}`."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from credentials.models import EmailOptOut, Learner

UNSUBSCRIBE_SALT = "kqr.unsubscribe.v1"
TOPICS = (EmailOptOut.TRACER,)


def unsubscribe_url(learner: Learner, topic: str = EmailOptOut.TRACER) -> str:
    token = signing.dumps({"l": learner.pk, "t": topic}, salt=UNSUBSCRIBE_SALT, compress=True)
    return settings.PUBLIC_BASE_URL + reverse("email-unsubscribe", args=[token])


def unsubscribe_token_learner(token: str) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("l"), int) or data.get("t") not in TOPICS:
        return None
    return data["l"], data["t"]


def email_opt_out(*, learner_id: int, topic: str) -> None:
    EmailOptOut.objects.get_or_create(learner_id=learner_id, topic=topic)


def opted_out(topic: str) -> set[int]:
    return set(EmailOptOut.objects.filter(topic=topic).values_list("learner_id", flat=True))
