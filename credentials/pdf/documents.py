"""Certificate PDFs as the API serves them: rendered from the snapshot, cached, bundled for a cohort.

A render depends only on the snapshot (frozen), the status, the language, the layout version and the URL the
QR encodes (PUBLIC_BASE_URL, verification id and the token made at issuance), so the cache key holds exactly
those: the URL as the digest its stored QR symbol is keyed by, plus the database and verification ids. A
status change or another base URL gives a new key: a revoked certificate is never served from a render made
while it was valid, and a moved registry never serves a QR pointing at its old address.

The cache is Django's (Redis when REDIS_URL is set, as production requires), so every worker shares the
renders.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence

from django.core.cache import cache

from core.errors import DomainError
from credentials.models import Certificate
from credentials.pdf.labels import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES
from credentials.pdf.qr import text_digest
from credentials.pdf.render import (
    RENDER_VERSION,
    CertificatePrint,
    render_certificate_pdf,
    render_certificates_pdf,
)
from credentials.tokens import QR_FIELDS, stamp_qr_symbol, verification_url

PDF_CACHE_SECONDS = 24 * 60 * 60
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def parse_language(value: str | None) -> str:
    """The `lang` query parameter: sq (default), sr (Serbian, Latin script) or en."""
    if value is None or value == "":
        return DEFAULT_LANGUAGE
    if value not in SUPPORTED_LANGUAGES:
        raise DomainError(
            "unsupported_language",
            f"The certificate prints in {', '.join(SUPPORTED_LANGUAGES)}.",
            fields={"lang": [f"Choose one of {', '.join(SUPPORTED_LANGUAGES)}."]},
        )
    return value


def pdf_cache_key(certificate: Certificate, lang: str) -> str:
    # The QR's URL (PUBLIC_BASE_URL included) is part of the key: a registry moved to another address (or `make run
    # PORT=8101` after a run on 8000, sharing a Redis cache) never serves a render that sends phones to the old one.
    qr = text_digest(verification_url(certificate))[:16]
    certificate_part = f"{certificate.pk}:{certificate.verification_id}:{certificate.status}"
    return f"certificate-pdf:{RENDER_VERSION}:{certificate_part}:{lang}:{qr}"


def with_current_qr(certificate: Certificate) -> Certificate:
    """`certificate`, holding the QR symbol of its URL as it is today: the one stored at issuance, or (another
    PUBLIC_BASE_URL, a record from before symbols were stored) one encoded now and stored for every later print.
    The symbol is derived data, like a cache entry: stored without an audit entry or a new `updated_at`."""
    if stamp_qr_symbol(certificate):
        Certificate.objects.filter(pk=certificate.pk).update(**{name: getattr(certificate, name) for name in QR_FIELDS})
    return certificate


def certificate_print(certificate: Certificate) -> CertificatePrint:
    """What the renderer needs: the frozen snapshot, today's status, the QR's signed URL and its stored symbol."""
    with_current_qr(certificate)
    return CertificatePrint(
        snapshot=certificate.snapshot,
        status=certificate.status,
        verification_url=verification_url(certificate),
        qr_symbol=bytes(certificate.qr_symbol),
    )


def certificate_pdf(certificate: Certificate, *, lang: str = DEFAULT_LANGUAGE) -> bytes:
    """The certificate and its transcript as a PDF, from the shared cache when it was rendered before."""
    key = pdf_cache_key(with_current_qr(certificate), lang)
    data = cache.get(key)
    if data is None:
        data = render_certificate_pdf(certificate_print(certificate), lang=lang)
        cache.set(key, data, PDF_CACHE_SECONDS)
    return data


def pdf_filename(certificate: Certificate) -> str:
    return f"{safe_filename(certificate.serial_number)}.pdf"


def safe_filename(text: str) -> str:
    return _UNSAFE_FILENAME.sub("_", text).strip("._") or "certificate"


def certificates_zip(certificates: Sequence[Certificate], *, lang: str = DEFAULT_LANGUAGE) -> bytes:
    """One PDF per certificate in a ZIP, named by serial number. Cached renders are reused (one cache
    round trip for all of them) and new ones stored. Stored, not deflated: the PDFs are compressed
    already. Entry dates are the award dates, so the same certificates give the same archive."""
    keys = {pdf_cache_key(certificate, lang): certificate for certificate in certificates}
    cached = cache.get_many(list(keys))
    fresh = {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for key, certificate in keys.items():
            data = cached.get(key)
            if data is None:
                data = fresh[key] = render_certificate_pdf(certificate_print(certificate), lang=lang)
            entry = zipfile.ZipInfo(
                pdf_filename(certificate), date_time=(*certificate.awarded_on.timetuple()[:3], 0, 0, 0)
            )
            archive.writestr(entry, data)
    if fresh:
        cache.set_many(fresh, PDF_CACHE_SECONDS)
    return buffer.getvalue()


def certificates_merged_pdf(
    certificates: Sequence[Certificate], *, cohort_code: str, lang: str = DEFAULT_LANGUAGE
) -> bytes:
    """All the certificates in one PDF for printing, each followed by its transcript."""
    return render_certificates_pdf(
        [certificate_print(certificate) for certificate in certificates], lang=lang, cohort_code=cohort_code
    )
