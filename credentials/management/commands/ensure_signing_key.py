"""Create a signing key only when there is no active one (used by `make run`), and the development seal
certificate for the PDFs when no seal is configured and none exists (ADR 0013); quiet otherwise."""

from django.core.management.base import BaseCommand, CommandError

from credentials.pdf.seal import SealError, ensure_development_seal
from credentials.signing import SigningError, ensure_active_key


class Command(BaseCommand):
    help = (
        "Generate an Ed25519 signing key in SIGNING_KEYS_DIR unless an active key already exists, and a "
        "self-signed seal certificate for the PDFs unless a seal is configured or exists."
    )

    def handle(self, *args, **options):
        try:
            kid = ensure_active_key()
            seal = ensure_development_seal()
        except (SigningError, SealError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        if kid:
            self.stdout.write(f"Created signing key {kid}")
        if seal:
            self.stdout.write(f"Created a self-signed development seal certificate {seal}")
