from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CredentialsConfig(AppConfig):
    name = "credentials"
    verbose_name = _("Learners and certificates")

    def ready(self):
        # The back office's notification screens live beside their services (credentials/notifications/admin.py).
        from django.contrib import admin

        from credentials.notifications.admin import register

        register(admin.site)
