from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from core.errors import DomainError
from registry.choices import Role
from registry.services.accounts import api_client_onboard


class Command(BaseCommand):
    help = "Onboard an API client: create the user if needed and print only its token."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--organisation", required=True, help="Organisation slug, e.g. qpgj")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--rotate", action="store_true", help="Replace an existing token.")

    @translation.override("en")  # the services' messages (lazy translations) in English, like the rest
    def handle(self, *args, username, organisation, role, rotate, **options):
        try:
            key = api_client_onboard(
                actor=None, username=username, organisation_slug=organisation, role=role, rotate=rotate
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        except ValidationError as exc:  # e.g. the role does not fit the organisation's kind
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(key)
