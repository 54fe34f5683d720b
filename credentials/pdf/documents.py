"""Certificate PDFs as the API serves them: rendered from the snapshot, cached, bundled for a cohort.

A render depends only on the snapshot (frozen), the status, the language, the layout version and the address
the QR points at (PUBLIC_BASE_URL), so the cache key holds exactly those (plus the verification id, which
tells two certificates apart even where database ids are reused, as in tests on SQLite). A status change
gives a new key: a revoked certificate is never served from a render made while it was valid.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Sequence

from django.conf import settings
from django.core.cache import cache

from core.errors import DomainError
from credentials.models import Certificate
from credentials.pdf.labels import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES
from credentials.pdf.render import (
    RENDER_VERSION,
    CertificatePrint,
    render_certificate_pdf,
    render_certificates_pdf,
)
from credentials.tokens import verification_url

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
    # The QR prints PUBLIC_BASE_URL: a registry moved to another address (or `make run PORT=8101` after a run on
    # 8000, sharing a Redis cache) never serves a render that sends phones to the old one.
    base = hashlib.sha256(settings.PUBLIC_BASE_URL.encode()).hexdigest()[:12]
    certificate_part = f"{certificate.pk}:{certificate.verification_id}:{certificate.status}"
    return f"certificate-pdf:{RENDER_VERSION}:{base}:{certificate_part}:{lang}"


def certificate_print(certificate: Certificate) -> CertificatePrint:
    """What the renderer needs: the frozen snapshot, today's status and the QR's signed URL."""
    return CertificatePrint(
        snapshot=certificate.snapshot, status=certificate.status, verification_url=verification_url(certificate)
    )


def certificate_pdf(certificate: Certificate, *, lang: str = DEFAULT_LANGUAGE) -> bytes:
    """The certificate and its transcript as a PDF, from the cache when it was rendered before."""
    key = pdf_cache_key(certificate, lang)
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
