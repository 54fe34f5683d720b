"""Import tracer responses from a CSV file as the system (an operator for the ministry); audited."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from core.errors import DomainError
from core.progress import ProgressBar
from outcomes.services import tracer_responses_import


class Command(BaseCommand):
    help = "Import tracer responses from CSV (see docs/tracer-study.md). One bad row imports nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Validate only; write nothing.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    @translation.override("en")  # the services' messages (lazy translations) in English, like the rest
    def handle(self, *args, path: Path, dry_run: bool, no_progress: bool, **options):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        progress = None if no_progress else ProgressBar(self.stderr._out)
        try:
            created = tracer_responses_import(actor=None, csv_text=text, dry_run=dry_run, progress=progress)
        except DomainError as exc:
            for row in exc.extra.get("rows", []):
                self.stderr.write(f"line {row['line']}: {row['field']}: {row['message']}")
            raise CommandError(str(exc.message)) from exc
        verb = "would import" if dry_run else "imported"
        self.stdout.write(f"{verb} {len(created)} tracer responses")
