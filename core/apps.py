from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app uses and no domain owns: the error shape, pagination, routers, middleware, the request
    log, audit helpers and the access policy. Imports nothing from the domain apps."""

    name = "core"
    verbose_name = "Core"
