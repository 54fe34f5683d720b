from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "credentials"
    verbose_name = "Learners and certificates"

    def ready(self):
        # The back office's notification screens live beside their services (credentials/notifications/admin.py).
        from django.contrib import admin

        from credentials.notifications.admin import register

        register(admin.site)
