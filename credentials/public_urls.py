from django.urls import path

from core.public_path import public_fast_path
from credentials.credential_file_views import verification_credential_file
from credentials.public_views import verification_form, verification_page
from credentials.vc.views import verifiable_credential

# The page asked without cookies goes past the session, CSRF and auth middleware (core/public_path.py).
page = public_fast_path(verification_page)

urlpatterns = [
    path("v/", verification_form, name="verification-form"),
    # A verifiable credential file uploaded from the form on /v/ (before the id route, which would take "file").
    path("v/file", verification_credential_file, name="verification-credential-file"),
    path("v/<str:verification_id>", page, name="verification-page"),
    # The same page with a trailing slash (some scanners and people add one); no redirect, no extra round trip.
    path("v/<str:verification_id>/", page, name="verification-page-slash"),
    # The certificate as a W3C Verifiable Credential / Open Badges 3.0 credential (docs/credentials.md).
    path("credentials/<str:verification_id>", verifiable_credential, name="verifiable-credential"),
]
