"""Create a signing key only when there is no active one (used by `make run`); quiet otherwise."""

from django.core.management.base import BaseCommand, CommandError

from credentials.signing import SigningError, ensure_active_key


class Command(BaseCommand):
    help = "Generate an Ed25519 signing key in SIGNING_KEYS_DIR unless an active key already exists."

    def handle(self, *args, **options):
        try:
            kid = ensure_active_key()
        except SigningError as exc:
            raise CommandError(str(exc)) from exc
        if kid:
            self.stdout.write(f"Created signing key {kid}")
