"""Load the demo data: idempotent, so `make run` can call it every time."""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

# Each area seeds its own part, in this order (later parts use earlier ones).
PARTS = ["registry.demo", "credentials.demo", "outcomes.demo"]


class Command(BaseCommand):
    help = "Load the demo data (idempotent): the Level 5 SEN catalogue, organisations, users and certificates."

    def handle(self, *args, **options):
        for dotted in PARTS:
            try:
                module = import_module(dotted)
            except ModuleNotFoundError as exc:
                if exc.name != dotted:
                    raise
                continue
            with transaction.atomic():
                summary = module.seed()
            if summary:
                self.stdout.write(f"seed_demo {dotted.split('.')[0]}: {summary}")
