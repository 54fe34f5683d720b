"""Certificate PDFs: one certificate, or a cohort's certificates as a ZIP or as one PDF for printing.

Who may download: the issuing provider and the ministry (`certificate.transcript`: the PDF prints the
transcript, the learner's module results). An awarding body reads the certificates issued under its
accreditations but not their results: 403, whatever the id (ADR 0023). Others answer 403 (wrong role) or 404
(someone else's certificate or cohort: its existence is not revealed). Rendering and caching live in
credentials.pdf; the scoping in the access policy (core.policy, through credentials.selectors).

A cohort's ZIP streams: every check (language, status, scope, at least one certificate) is made before the
first byte, so a refusal is still the JSON error shape; then one certificate at a time is loaded, rendered
(or taken from the shared cache) and sent. No Content-Length: the size is known only at the end.
"""

from __future__ import annotations

import itertools

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.views import APIView

from core.errors import DomainError, choose_one_of
from credentials import selectors
from credentials.choices import CertificateStatus
from credentials.models import Certificate
from credentials.pdf import documents
from credentials.pdf.documents import (
    by_serial_number,
    certificate_pdf,
    certificates_merged_pdf,
    certificates_zip,
    parse_language,
    pdf_filename,
    safe_filename,
)
from credentials.pdf.labels import SUPPORTED_LANGUAGES

ERROR = OpenApiResponse(description="The one error shape: {error: {code, message, fields, request_id}}.")
LANG = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    enum=list(SUPPORTED_LANGUAGES),
    description="Language printed first: sq (default, with English), sr (Serbian Latin, with English), en.",
)
BULK_STATUS_CHOICES = [*CertificateStatus.values, "all"]
BULK_STATUS = OpenApiParameter(
    "status",
    OpenApiTypes.STR,
    enum=BULK_STATUS_CHOICES,
    description="Which of the cohort's certificates: valid (default), another status, or all.",
)


class _FileView(APIView):
    """Answers with a file; errors still use the JSON error shape, whatever the client's Accept header."""

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    @staticmethod
    def file_response(data: bytes, *, content_type: str, filename: str) -> HttpResponse:
        response = HttpResponse(data, content_type=content_type)
        response["Content-Length"] = str(len(data))
        return _FileView.file_headers(response, filename)

    @staticmethod
    def file_headers(response, filename: str):
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class CertificatePdfView(_FileView):
    policy = "certificate.transcript"  # its second page is the transcript (module results)

    @extend_schema(
        operation_id="certificates_pdf",
        tags=["certificates"],
        parameters=[LANG],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
        description=(
            "The printable certificate (A4, page 1) and its transcript (page 2), rendered from the frozen "
            "snapshot. The QR opens the public verification page. Revoked, suspended and superseded "
            "certificates still download, marked as such across every page. For the issuing provider and the "
            "ministry: an awarding body reads the certificate (`GET /certificates/{id}/`), not the transcript (403)."
        ),
    )
    def get(self, request, pk: int):
        lang = parse_language(request.query_params.get("lang"))
        try:
            # The columns a print reads, no joins: a cached download's cost was mostly the ORM compiling 32.
            certificate = selectors.certificates_to_print(request.user).get(pk=pk)
        except Certificate.DoesNotExist:
            raise NotFound(gettext("No such certificate among those you may read.")) from None
        return self.file_response(
            certificate_pdf(certificate, lang=lang), content_type="application/pdf", filename=pdf_filename(certificate)
        )


class _CohortCertificatesView(_FileView):
    policy = "training.read"  # a cohort is a training record; its certificates are then scoped one by one

    def cohort_and_certificates(self, request, pk: int):
        """The cohort, its certificates in the caller's scope with the wanted status (a queryset, not yet
        read), and the language; refusals (bad parameter, not found) are raised here, before any output."""
        lang = parse_language(request.query_params.get("lang"))
        wanted = request.query_params.get("status") or CertificateStatus.VALID
        if wanted not in BULK_STATUS_CHOICES:
            raise DomainError(
                "invalid_status",
                "Unknown certificate status.",
                fields={"status": [choose_one_of(BULK_STATUS_CHOICES)]},
            )
        cohort = selectors.cohorts_visible_to(request.user).filter(pk=pk).first()
        if cohort is None:
            raise NotFound(gettext("No such cohort among those you may read."))
        certificates = (
            selectors.certificates_visible_to(request.user).select_related(None).filter(enrolment__cohort=cohort)
        )
        if wanted != "all":
            certificates = certificates.filter(status=wanted)
        return cohort, certificates, lang

    @staticmethod
    def none_with_status(cohort) -> DomainError:
        return DomainError(
            "no_certificates",
            format_lazy(_("Cohort {cohort} has no certificates with this status."), cohort=cohort.code),
            status_code=404,
        )


class CohortCertificatesZipView(_CohortCertificatesView):
    @extend_schema(
        operation_id="cohorts_certificates_zip",
        tags=["cohorts"],
        parameters=[LANG, BULK_STATUS],
        responses={(200, "application/zip"): OpenApiTypes.BINARY, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
        description=(
            "The cohort's certificates as a ZIP, one PDF per certificate named by its serial number. Streamed "
            "as it is made, for a cohort of any size (no Content-Length); errors come before the first byte."
        ),
    )
    def get(self, request, pk: int):
        cohort, certificates, lang = self.cohort_and_certificates(request, pk)
        rows = by_serial_number(certificates)
        first = next(rows, None)  # the first batch is read here, so an empty cohort is still a JSON 404
        if first is None:
            raise self.none_with_status(cohort)
        response = StreamingHttpResponse(
            certificates_zip(itertools.chain([first], rows), lang=lang), content_type="application/zip"
        )
        return self.file_headers(response, f"{safe_filename(cohort.code)}-certificates.zip")


class CohortCertificatesPdfView(_CohortCertificatesView):
    @extend_schema(
        operation_id="cohorts_certificates_pdf",
        tags=["cohorts"],
        parameters=[LANG, BULK_STATUS],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR},
        description=(
            "The cohort's certificates merged into one PDF for printing, each followed by its transcript: at "
            f"most {documents.MERGED_PDF_MAX} certificates (more: 400 too_many_for_one_pdf; the ZIP has no limit)."
        ),
    )
    def get(self, request, pk: int):
        cohort, certificates, lang = self.cohort_and_certificates(request, pk)
        certificates = list(certificates.order_by("serial_number")[: documents.MERGED_PDF_MAX + 1])  # one over
        if not certificates:
            raise self.none_with_status(cohort)
        return self.file_response(
            certificates_merged_pdf(certificates, cohort_code=cohort.code, lang=lang),
            content_type="application/pdf",
            filename=f"{safe_filename(cohort.code)}-certificates.pdf",
        )
