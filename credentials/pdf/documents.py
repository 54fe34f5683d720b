"""Certificate PDFs as the API serves them: rendered from the snapshot, cached, bundled for a cohort.

A render depends only on the snapshot (frozen), the status, the language, the layout version and the URL the
QR encodes (PUBLIC_BASE_URL, verification id and the token made at issuance), so the cache key holds exactly
those: the URL as the digest its stored QR symbol is keyed by, plus the database and verification ids. A
status change or another base URL gives a new key: a revoked certificate is never served from a render made
while it was valid, and a moved registry never serves a QR pointing at its old address.

The cache is Django's (Redis when REDIS_URL is set, as production requires), so every worker shares the
renders. A cohort's ZIP is written as it is read (`certificates_zip`): one certificate loaded, rendered or
fetched from the cache, and sent at a time, so its memory does not grow with the cohort. One merged PDF is
made in memory (reportlab writes a document at its end), so it holds at most MERGED_PDF_MAX certificates.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, choose_one_of
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
            format_lazy(
                _("The certificate prints in these languages: {languages}."), languages=", ".join(SUPPORTED_LANGUAGES)
            ),
            fields={"lang": [choose_one_of(SUPPORTED_LANGUAGES)]},
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


# ---------------------------------------------------------------------------------------------- a cohort

ZIP_BATCH = 20  # certificates loaded per query while a ZIP streams: what the stream holds at most
MERGED_PDF_MAX = 200  # certificates in one merged PDF (~80 kB of memory each while it is made); more: the ZIP


def by_serial_number(queryset: QuerySet[Certificate], *, batch: int = ZIP_BATCH) -> Iterator[Certificate]:
    """The certificates of `queryset` in serial-number order, `batch` rows per query, each query starting after
    the last serial number sent (keyset, not OFFSET): a cohort of any size is never in memory at once. Lazy:
    the first query runs at the first `next()`."""
    ordered = queryset.order_by("serial_number")
    last = None
    while True:
        rows = list((ordered if last is None else ordered.filter(serial_number__gt=last))[:batch])
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1].serial_number


class _Chunks:
    """A write-only file for zipfile that hands what was written since the last `take()` (unseekable, so
    zipfile writes each entry's sizes after its data and never seeks back)."""

    def __init__(self):
        self._parts: list[bytes] = []

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def certificates_zip(certificates: Iterable[Certificate], *, lang: str = DEFAULT_LANGUAGE) -> Iterator[bytes]:
    """One PDF per certificate in a ZIP, named by serial number, generated as it is sent: each certificate
    is taken from the cache or rendered (and cached for everyone), written and handed on before the next is
    read, so memory stays that of one PDF and a batch of rows whatever the cohort's size. Stored, not
    deflated (the PDFs are compressed already); entry dates are the award dates, so the same certificates
    give the same archive. Python's own zipfile writes to a stream without seeking (docs/decisions/0012)."""
    out = _Chunks()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in certificates:
            entry = zipfile.ZipInfo(
                pdf_filename(certificate), date_time=(*certificate.awarded_on.timetuple()[:3], 0, 0, 0)
            )
            archive.writestr(entry, certificate_pdf(certificate, lang=lang))
            yield out.take()
    yield out.take()  # the central directory


def certificates_merged_pdf(
    certificates: Sequence[Certificate], *, cohort_code: str, lang: str = DEFAULT_LANGUAGE
) -> bytes:
    """All the certificates in one PDF for printing, each followed by its transcript: at most MERGED_PDF_MAX
    of them (the document is made in memory; a larger cohort downloads the ZIP, which streams)."""
    if len(certificates) > MERGED_PDF_MAX:
        raise DomainError(
            "too_many_for_one_pdf",
            format_lazy(
                _(
                    "One PDF holds at most {max} certificates and cohort {cohort} has more with this status: "
                    "download certificates.zip (one PDF per certificate), or choose a status."
                ),
                max=MERGED_PDF_MAX,
                cohort=cohort_code,
            ),
            extra={"max_certificates": MERGED_PDF_MAX},
        )
    return render_certificates_pdf(
        [certificate_print(certificate) for certificate in certificates], lang=lang, cohort_code=cohort_code
    )
