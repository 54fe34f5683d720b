"""`manage.py sweep_tasks`: mark background tasks whose worker stopped as failed (ADR 0009)."""

from django.core.management.base import BaseCommand

from registry.services.tasks import sweep_stale


class Command(BaseCommand):
    help = (
        "Mark running background tasks with no progress for TASK_STALE_SECONDS (their worker was killed or lost) "
        "as failed with the code worker_lost. Safe to run at any time, e.g. from cron every few minutes."
    )

    def handle(self, *args, **options):
        failed = sweep_stale()
        self.stdout.write(f"{failed} stale task(s) marked failed.")
