"""Queue the tracer study's e-mails that are due: each wave's invitations and their reminders (run it daily from
cron; `--now` runs the sweep in this process and prints the counts)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from outcomes.tracer_mail import tracer_invitations_send, tracer_invitations_task


class Command(BaseCommand):
    help = "Queue the tracer study invitations and reminders that are due."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Run here instead of queueing a task.")

    def handle(self, *args, now=False, **options):
        if now:
            counts = tracer_invitations_send()
            self.stdout.write(f"{counts['invited']} invitation(s), {counts['reminded']} reminder(s) queued")
            return
        result = tracer_invitations_task.enqueue()
        self.stdout.write(f"queued task {result.id}")
