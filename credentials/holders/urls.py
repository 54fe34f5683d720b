from django.urls import path

from credentials.notifications.views import email_unsubscribe

from .views import holder_certificate_pdf, holder_link_request, holder_page, share_page

urlpatterns = [
    path("my/", holder_link_request, name="holder-link-request"),
    path("my/<str:token>", holder_page, name="holder-page"),
    path("my/<str:token>/certificates/<int:certificate_id>.pdf", holder_certificate_pdf, name="holder-certificate-pdf"),
    path("s/<str:token>", share_page, name="share-page"),
    path("unsubscribe/<str:token>", email_unsubscribe, name="email-unsubscribe"),
]
