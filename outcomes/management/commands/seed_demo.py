"""Load the demo data: idempotent, so `make run` can call it every time.

It lives in `outcomes`, the app that depends on all the others, so it imports each area's demo module
directly (no app imports "upwards"). It prints one clear answer: the demo data was loaded now, or was there
already and was kept (a second `make run`), with what the database holds and what this run added."""

from django.core.management.base import BaseCommand
from django.db import transaction

from credentials import demo as credentials_demo
from credentials.models import Certificate, Cohort, Learner
from outcomes import demo as outcomes_demo
from outcomes.models import EmployerSurvey, TracerResponse
from registry import demo as registry_demo
from registry.models import Accreditation, Equivalency, Organisation, Qualification, User

# Each area seeds its own part, in this order (later parts use earlier ones).
PARTS = [("registry", registry_demo), ("credentials", credentials_demo), ("outcomes", outcomes_demo)]

# What the summary counts, in the order it prints them (singular, plural).
COUNTED = [
    (Organisation, "organisation", "organisations"),
    (User, "user", "users"),
    (Qualification, "qualification", "qualifications"),
    (Accreditation, "accreditation", "accreditations"),
    (Equivalency, "equivalency", "equivalencies"),
    (Learner, "learner", "learners"),
    (Cohort, "cohort", "cohorts"),
    (Certificate, "certificate", "certificates"),
    (TracerResponse, "tracer response", "tracer responses"),
    (EmployerSurvey, "employer survey", "employer surveys"),
]


def _counts() -> list[int]:
    return [model.objects.count() for model, _, _ in COUNTED]


def _listed(numbers: list[int], *, skip_zero: bool = False) -> str:
    return ", ".join(
        f"{n} {one if n == 1 else many}"
        for n, (_, one, many) in zip(numbers, COUNTED, strict=True)
        if n or not skip_zero
    )


class Command(BaseCommand):
    help = "Load the demo data (idempotent): the Level 5 SEN catalogue, organisations, users and certificates."

    def handle(self, *args, **options):
        before = _counts()
        for _name, module in PARTS:
            with transaction.atomic():
                module.seed()
        after = _counts()
        added = [a - b for a, b in zip(after, before, strict=True)]
        if not any(before):
            self.stdout.write(f"Demo data loaded: {_listed(after)}.")
        elif not any(added):
            self.stdout.write(f"Demo data already loaded; kept as it was, nothing added ({_listed(after)}).")
        else:
            self.stdout.write(
                f"Demo data already loaded; completed (added {_listed(added, skip_zero=True)}). Now: {_listed(after)}."
            )
