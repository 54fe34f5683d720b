"""Load the demo data: idempotent, so `make run` can call it every time.

It lives in `outcomes`, the app that depends on all the others, so it imports each area's demo module
directly (no app imports "upwards")."""

from django.core.management.base import BaseCommand
from django.db import transaction

from credentials import demo as credentials_demo
from outcomes import demo as outcomes_demo
from registry import demo as registry_demo

# Each area seeds its own part, in this order (later parts use earlier ones).
PARTS = [("registry", registry_demo), ("credentials", credentials_demo), ("outcomes", outcomes_demo)]


class Command(BaseCommand):
    help = "Load the demo data (idempotent): the Level 5 SEN catalogue, organisations, users and certificates."

    def handle(self, *args, **options):
        for name, module in PARTS:
            with transaction.atomic():
                summary = module.seed()
            if summary:
                self.stdout.write(f"seed_demo {name}: {summary}")
