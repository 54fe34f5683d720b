"""Turning what a person typed, pasted or scanned into a verification id (and maybe a signed token).

Every refusal is a `VerificationInputError` with a stable, machine-readable `code`:

    empty                 nothing was given
    too_long              longer than anything we print (a paste of a whole page, an attack)
    nul_byte              a NUL character (never in a real id; PostgreSQL refuses it in text too)
    non_ascii             a character outside ASCII, e.g. the Cyrillic "О" instead of the digit 0: the printed
                          id is ASCII, so a look-alike means a mistyped or a spoofed id; the message says which
    invalid_characters    ASCII, but outside the Crockford base32 alphabet (e.g. "U", "*")
    wrong_length          not 26 characters once hyphens and spaces are dropped
    foreign_host          a URL of another web site
    foreign_qr            another system's QR code (an EU COVID pass `HC1:...`, a Wi-Fi code, a vCard, ...)
    invalid_date_of_birth not a date in the form YYYY-MM-DD (or DD.MM.YYYY)

Normalisation follows Crockford: case-insensitive, I and L read as 1, O as 0, hyphens and spaces ignored.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
VERIFICATION_ID_LENGTH = 26
MAX_ID_INPUT = 128  # an id with hyphens every few characters is ~40; allow generous formatting
MAX_SCAN_INPUT = 4096  # a URL with a signed token is ~550 characters
_CROCKFORD_SET = frozenset(CROCKFORD_ALPHABET)
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SEPARATORS = re.compile(r"[\s-]+")
# Prefixes of QR payloads from other systems people carry in the same wallet.
_FOREIGN_QR = "This QR code belongs to another system, not to a certificate of this registry."
_FOREIGN_PREFIXES = ("HC1:", "SHC:", "DGC", "LT1:", "WIFI:", "BEGIN:", "MECARD:", "MATMSG:", "SMSTO:", "TEL:")


class VerificationInputError(DomainError):
    """A bad verification input: always a 4xx, never a 500."""

    def __init__(self, code: str, message: str, *, field: str = "verification_id", status_code: int = 400):
        super().__init__(code, message, fields={field: [message]}, status_code=status_code)


@dataclass(frozen=True)
class ScannedCode:
    verification_id: str
    token: str | None


def _check_text(text, *, field: str, limit: int) -> str:
    if not isinstance(text, str):
        raise VerificationInputError("invalid_characters", "Expected text.", field=field)
    if "\x00" in text:
        raise VerificationInputError("nul_byte", "The input contains a NUL character.", field=field)
    if len(text) > limit:
        raise VerificationInputError(
            "too_long", format_lazy(_("The input is longer than {limit} characters."), limit=limit), field=field
        )
    text = text.strip()
    if not text:
        raise VerificationInputError("empty", "Nothing was given to verify.", field=field)
    return text


def normalise_verification_id(raw, *, field: str = "verification_id") -> str:
    """The canonical 26-character id, or VerificationInputError. Percent-encoding is decoded once."""
    text = _check_text(raw, field=field, limit=MAX_ID_INPUT)
    if "%" in text:
        try:
            text = unquote(text, errors="strict") if _is_percent_encoded(text) else text
        except UnicodeDecodeError as exc:
            raise VerificationInputError(
                "invalid_characters", "The percent-encoding does not decode to text.", field=field
            ) from exc
        if "\x00" in text:
            raise VerificationInputError("nul_byte", "The input contains a NUL character.", field=field)
    for position, char in enumerate(text, start=1):
        if not char.isascii():
            name = unicodedata.name(char, f"U+{ord(char):04X}")
            raise VerificationInputError(
                "non_ascii",
                format_lazy(
                    _(
                        "Character {position} ({name}) is not a Latin letter or digit; "
                        "type the id exactly as printed, in Latin letters and digits."
                    ),
                    position=position,
                    name=name,
                ),
                field=field,
            )
    compact = _SEPARATORS.sub("", text).upper().translate(_READ_AS)
    bad = sorted({c for c in compact if c not in _CROCKFORD_SET})
    if bad:
        raise VerificationInputError(
            "invalid_characters",
            format_lazy(
                _("A verification id uses only digits and the letters A-Z without I, L, O and U; got {characters}."),
                characters=repr("".join(bad)),
            ),
            field=field,
        )
    if len(compact) != VERIFICATION_ID_LENGTH:
        raise VerificationInputError(
            "wrong_length",
            format_lazy(
                _("A verification id has {expected} characters; this one has {length}."),
                expected=VERIFICATION_ID_LENGTH,
                length=len(compact),
            ),
            field=field,
        )
    return compact


def _is_percent_encoded(text: str) -> bool:
    return re.search(r"%[0-9A-Fa-f]{2}", text) is not None


def _our_host() -> tuple[str, int | None]:
    parts = urlsplit(settings.PUBLIC_BASE_URL)
    return (parts.hostname or "").lower(), parts.port


def parse_scanned_text(raw, *, field: str = "qr") -> ScannedCode:
    """What a QR scanner returned: our URL `{PUBLIC_BASE_URL}/v/{id}#{token}`, or a bare id (maybe `#token`).

    The scheme may differ (http/https) but the host and port must be ours; credentials in the URL
    (`https://ours@evil.example/...`) make it someone else's URL.
    """
    text = _check_text(raw, field=field, limit=MAX_SCAN_INPUT)
    upper = text.upper()
    if upper.startswith(_FOREIGN_PREFIXES):
        raise VerificationInputError("foreign_qr", _FOREIGN_QR, field=field)
    if "://" in text:
        try:
            parts = urlsplit(text)
            host, port = (parts.hostname or "").lower(), parts.port
        except ValueError as exc:
            raise VerificationInputError("foreign_qr", "This is not a URL of this registry.", field=field) from exc
        if parts.scheme.lower() not in ("http", "https"):
            raise VerificationInputError("foreign_qr", "This is not a URL of this registry.", field=field)
        if parts.username is not None or parts.password is not None or (host, port) != _our_host():
            raise VerificationInputError(
                "foreign_host",
                "This URL points to another web site, not to this registry. Do not trust the page it opens.",
                field=field,
            )
        match = re.fullmatch(r"/v/([^/]+)/?", parts.path)
        if not match:
            raise VerificationInputError(
                "foreign_qr", "This URL of the registry is not a certificate verification link.", field=field
            )
        candidate, token = match.group(1), parts.fragment or None
    else:
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", text):
            raise VerificationInputError("foreign_qr", _FOREIGN_QR, field=field)
        candidate, _, token = text.partition("#")
        token = token or None
    return ScannedCode(verification_id=normalise_verification_id(candidate, field=field), token=token)


_DOB_FORMATS = (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$"))


def parse_date_of_birth(raw, *, field: str = "date_of_birth") -> datetime.date:
    """A date of birth as YYYY-MM-DD (ISO 8601) or DD.MM.YYYY (as written in Kosovo); nothing ambiguous."""
    message = "Give the date of birth as YYYY-MM-DD, for example 1995-04-12."
    if not isinstance(raw, str) or "\x00" in raw or len(raw) > 32:
        raise VerificationInputError("invalid_date_of_birth", message, field=field)
    text = raw.strip()
    iso, dotted = _DOB_FORMATS
    if m := iso.match(text):
        year, month, day = m.groups()
    elif m := dotted.match(text):
        day, month, year = m.groups()
    else:
        raise VerificationInputError("invalid_date_of_birth", message, field=field)
    try:
        value = datetime.date(int(year), int(month), int(day))
    except ValueError as exc:
        raise VerificationInputError("invalid_date_of_birth", "This date does not exist.", field=field) from exc
    if not datetime.date(1900, 1, 1) <= value <= datetime.date.today():
        raise VerificationInputError("invalid_date_of_birth", "This date of birth is out of range.", field=field)
    return value


def normalise_serial_number(raw, *, field: str = "serial_number") -> str:
    """Serials are printed as `L5-SEN-2026-000123`: upper-case ASCII letters, digits and hyphens."""
    text = _check_text(raw, field=field, limit=64).upper()
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9-]{2,47}", text):
        raise VerificationInputError(
            "invalid_serial_number", "A serial number has letters, digits and hyphens only.", field=field
        )
    return text
