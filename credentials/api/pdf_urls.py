from django.urls import path

from . import pdf_views

urlpatterns = [
    path("certificates/<int:pk>/pdf", pdf_views.CertificatePdfView.as_view(), name="certificate-pdf"),
    path(
        "cohorts/<int:pk>/certificates.zip",
        pdf_views.CohortCertificatesZipView.as_view(),
        name="cohort-certificates-zip",
    ),
    path(
        "cohorts/<int:pk>/certificates.pdf",
        pdf_views.CohortCertificatesPdfView.as_view(),
        name="cohort-certificates-pdf",
    ),
]
