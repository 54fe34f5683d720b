from django.urls import path

from credentials.public_views import verification_form, verification_page

urlpatterns = [
    path("v/", verification_form, name="verification-form"),
    path("v/<str:verification_id>", verification_page, name="verification-page"),
    # The same page with a trailing slash (some scanners and people add one); no redirect, no extra round trip.
    path("v/<str:verification_id>/", verification_page, name="verification-page-slash"),
]
