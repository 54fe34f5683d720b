from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Catalogue and accreditation")

    def ready(self):
        from core.api.pagination import set_write_version
        from registry.selectors import write_version

        set_write_version(write_version)  # long lists' counts are recounted after every audited write
