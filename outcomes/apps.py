from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def _register_sqlite_median(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        from outcomes.stats import SqliteMedian

        connection.connection.create_aggregate("MEDIAN", 1, SqliteMedian)


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = _("Tracer study and impact")

    def ready(self):
        # The embedded development database has no median; the statistics register one.
        connection_created.connect(_register_sqlite_median, dispatch_uid="outcomes_sqlite_median")
        # The tracer study's e-mails (invitation, reminder) register how they are written.
        import outcomes.tracer_mail  # noqa: F401
