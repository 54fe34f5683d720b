"""A cohort's ZIP streams in constant memory: written as it is read, one certificate at a time, so a cohort of
1,000 (DESIGN.md, Budgets) costs a worker what a cohort of 20 does. Refusals still come as the JSON error."""

from __future__ import annotations

import gc
import io
import tracemalloc
import zipfile

import pytest
from django.core.cache import cache

from credentials.pdf.documents import ZIP_BATCH
from credentials.tokens import verification_url
from tests import factories
from tests.credentials.test_pdf_api import cohort_with_certificates, zip_url
from tests.credentials.test_pdf_render import scan_qr

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_cohort_zip_streams_one_pdf_per_certificate_named_by_serial(provider, provider_client):
    count = ZIP_BATCH + 5  # more than one batch of rows
    cohort, certificates = cohort_with_certificates(provider, count)

    response = provider_client.get(zip_url(cohort, lang="en"))

    assert response.status_code == 200
    assert response.streaming
    assert "Content-Length" not in response
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    by_serial = sorted(certificates, key=lambda c: c.serial_number)
    assert archive.namelist() == [f"{c.serial_number}.pdf" for c in by_serial]
    assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
    for certificate in (by_serial[0], by_serial[ZIP_BATCH], by_serial[-1]):  # a sample, across both batches
        pdf = archive.read(f"{certificate.serial_number}.pdf")
        assert [code.text for code in scan_qr(pdf)] == [verification_url(certificate)]


def test_the_same_certificates_give_the_same_archive(provider, provider_client):
    cohort, _ = cohort_with_certificates(provider, 2)

    first = b"".join(provider_client.get(zip_url(cohort)).streaming_content)
    cache.clear()
    again = b"".join(provider_client.get(zip_url(cohort)).streaming_content)

    assert first == again  # entry dates are the award dates, renders are byte-identical


def test_a_refusal_comes_before_the_first_byte_as_the_json_error(provider, provider_client, other_provider_client):
    cohort, _ = cohort_with_certificates(provider, 1)

    for response, status, code in (
        (provider_client.get(zip_url(cohort, status="revoked")), 404, "no_certificates"),
        (provider_client.get(zip_url(cohort, lang="de")), 400, "unsupported_language"),
        (other_provider_client.get(zip_url(cohort)), 404, "not_found"),
    ):
        assert not response.streaming
        assert response.status_code == status
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["error"]["code"] == code


def _peak_while_downloading(client, cohort) -> tuple[int, int]:
    """Peak Python allocation (tracemalloc) while the whole ZIP is requested and read, and the ZIP's size."""
    gc.collect()
    tracemalloc.start()
    try:
        response = client.get(zip_url(cohort))
        size = sum(len(chunk) for chunk in (response.streaming_content if response.streaming else [response.content]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 200
    return peak, size


def test_a_streamed_zip_does_not_grow_in_memory_with_the_cohort(provider, provider_client, settings):
    # Renders go to a cache outside this process (Redis in production); here, to none, so that what is measured
    # is what the worker itself holds.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    small, _ = cohort_with_certificates(provider, ZIP_BATCH)
    large, _ = cohort_with_certificates(provider, 3 * ZIP_BATCH)
    warm_up = factories.CohortFactory(provider=provider, curriculum=small.curriculum)
    factories.CertificateFactory(enrolment=factories.issuable_enrolment(provider=provider, cohort=warm_up))
    _peak_while_downloading(provider_client, warm_up)  # fonts parsed, modules imported, statements prepared

    small_peak, small_size = _peak_while_downloading(provider_client, small)
    large_peak, large_size = _peak_while_downloading(provider_client, large)

    assert large_size > 2.5 * small_size
    # Held whole, the large archive alone would add twice the small one's size over the small peak.
    assert large_peak < small_peak + 0.5 * small_size, (small_peak, large_peak, small_size, large_size)
