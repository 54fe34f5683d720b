"""The holder's date of birth as a certificate keeps it: a keyed digest, frozen at issuance.

A verifier may ask "does this date of birth belong to the holder of this serial number?" (matches / does not
match). The answer compares with the date the certificate was issued for, never with the learner's record
as it is today: a provider that later edits a learner's date of birth (an audited correction) cannot make an
issued certificate "match" somebody else. A wrong date on an issued certificate is corrected by revoking it
(`issued_in_error`) and issuing a new one.

The digest is an HMAC-SHA256 keyed by `DOB_DIGEST_KEY` (default: derived from `SECRET_KEY`) over the learner id
and the date, so the verification path reads no date of birth, two holders born the same day have different
digests, and the certificates table alone reveals no date. It is not part of the signed snapshot and never
leaves the server. Changing the key makes every such check answer "does not match" (it fails closed): set
`DOB_DIGEST_KEY` once in production and keep it when `SECRET_KEY` rotates.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=4)
def _derived_key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), b"kqr.certificate.date-of-birth.v1", hashlib.sha256).digest()


def _key() -> bytes:
    explicit = getattr(settings, "DOB_DIGEST_KEY", "")
    return explicit.encode() if explicit else _derived_key(settings.SECRET_KEY)


def date_of_birth_digest(*, learner_id: int, date_of_birth: datetime.date) -> str:
    """What a certificate stores at issuance (`Certificate.date_of_birth_digest`)."""
    message = f"{learner_id}:{date_of_birth.isoformat()}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def date_of_birth_matches(certificate, date_of_birth: datetime.date | None) -> bool:
    """Whether `date_of_birth` is the one the certificate was issued for. Needs only the certificate's
    `learner_id` and `date_of_birth_digest`; a certificate without a digest never matches."""
    stored = certificate.date_of_birth_digest
    if not stored or date_of_birth is None:
        return False
    expected = date_of_birth_digest(learner_id=certificate.learner_id, date_of_birth=date_of_birth)
    return hmac.compare_digest(stored, expected)
