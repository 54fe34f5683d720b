from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app uses and no domain owns: the error shape, pagination, routers, middleware, the request
    log, audit helpers and the access policy. Imports nothing from the domain apps."""

    default = True
    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from core.logging import lean_log_records

        lean_log_records()  # no formatter of ours writes where a log call came from (core/logging.py)


class RegistryAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the registry's site (core.admin.RegistryAdminSite) as `admin.site`."""

    default = False
    default_site = "core.admin.RegistryAdminSite"

    def ready(self):
        super().ready()  # imports every app's admin.py
        from django.utils.module_loading import autodiscover_modules

        # Pages of the back office that are not model admins (RegistryAdminSite.register_screen), e.g. the
        # verifier's "Check candidates" in credentials/admin_screens.py.
        autodiscover_modules("admin_screens", register_to=self.module.site)
