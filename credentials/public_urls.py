from django.urls import path

from credentials.public_views import verification_page

urlpatterns = [
    path("v/<str:verification_id>", verification_page, name="verification-page"),
]
