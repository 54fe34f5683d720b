"""Import a provider's learners or module results from a CSV file (format: docs/csv-import.md).

    python manage.py import_training_csv --provider qpgj --kind learners learners.csv
    python manage.py import_training_csv --provider qpgj --kind results results.csv --dry-run

All or nothing, as the API upload: a file with a bad row imports nothing and every bad row is listed.
Writes go through the services as the system (audited with no user).
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from core.progress import ProgressBar
from credentials.services import CsvImportError, learners_import, results_import
from registry.choices import OrganisationKind
from registry.models import Organisation

IMPORTERS = {"learners": learners_import, "results": results_import}


class Command(BaseCommand):
    help = "Import learners or module results of one provider from a CSV file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file (UTF-8, comma or semicolon separated); '-' reads stdin.")
        parser.add_argument("--provider", required=True, help="The provider's slug, e.g. qpgj.")
        parser.add_argument("--kind", required=True, choices=sorted(IMPORTERS))
        parser.add_argument("--dry-run", action="store_true", help="Check every row, write nothing.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    @translation.override("en")  # the services' messages (lazy translations) in English, like the rest
    def handle(self, *args, path, provider, kind, dry_run, no_progress, **options):
        try:
            org = Organisation.objects.get(slug=provider, kind=OrganisationKind.PROVIDER)
        except Organisation.DoesNotExist as exc:
            raise CommandError(f"No provider with the slug {provider!r}.") from exc
        try:
            content = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        progress = None if no_progress else ProgressBar(self.stderr._out)
        try:
            report = IMPORTERS[kind](actor=None, provider=org, content=content, dry_run=dry_run, progress=progress)
        except CsvImportError as exc:
            lines = [f"line {e.line}, {e.field}: {e.message}" for e in exc.errors]
            raise CommandError("\n".join([str(exc.message), *lines])) from exc
        verb = "would import" if dry_run else "imported"
        self.stdout.write(
            f"{verb} {report.rows} {kind} rows for {org.slug}: {report.created} created, {report.updated} updated"
            + (f", {report.enrolled} enrolled" if kind == "learners" else "")
        )
