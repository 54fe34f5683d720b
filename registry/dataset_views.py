"""Public datasets for harvesting: the qualification catalogue as Europass QDR XML (registry/qdr.py,
docs/datasets.md). Anyone may read them; nothing in them is personal."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from registry import qdr

XML = "application/xml; charset=utf-8"
CACHE_SECONDS = 300  # harvesters poll; the change feed (/api/v1/catalogue-changes) says when to fetch again


def _xml(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=XML)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response


@require_safe
def qualifications_dataset(request: HttpRequest) -> HttpResponse:
    """Every published qualification (not drafts) that makes a valid QDR record, in one document."""
    return _xml(qdr.qdr_document(qdr.published_qualifications()), "qualifications.xml")


@require_safe
def qualification_dataset(request: HttpRequest, code: str) -> HttpResponse:
    """One qualification's QDR record; 404 for a draft, an unknown code, or a record that would not be valid."""
    qualification = get_object_or_404(qdr.published_qualifications(), code=code)
    if reason := qdr.omission(qualification):
        raise Http404(f"Qualification {reason.code} is not published as a QDR record: {reason.reason}.")
    return _xml(qdr.qdr_document([qualification]), f"{qdr.safe_name(qualification.code)}.xml")
