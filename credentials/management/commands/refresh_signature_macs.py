"""Make the certificates' signature MACs where they are missing or stale (ADR 0029): after upgrading to the
version that introduced them, and after a SECRET_KEY rotation. Verification is right without them, only slower."""

from django.core.management.base import BaseCommand, CommandError

from core.progress import ProgressBar
from credentials.services.signature_macs import certificates_refresh_signature_macs
from credentials.signing import SigningError


class Command(BaseCommand):
    help = (
        "Check each certificate's signature with its key and store the registry's MAC of it, where it is missing "
        "or stale (after an upgrade or a SECRET_KEY rotation): verifications then skip the Ed25519 check."
    )

    def handle(self, *args, **options):
        try:
            result = certificates_refresh_signature_macs(progress=ProgressBar(self.stderr))
        except SigningError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{result.checked} certificates checked, {result.made} MACs made; "
            f"{result.unverifiable} whose signature does not verify (left without a MAC)."
        )
