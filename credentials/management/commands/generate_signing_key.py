"""Create a new certificate signing key; by default it becomes the active one (rotation)."""

import json

from django.core.management.base import BaseCommand, CommandError

from credentials.signing import SigningError, generate_signing_key, public_jwks


class Command(BaseCommand):
    help = (
        "Generate an Ed25519 signing key in SIGNING_KEYS_DIR. The new key signs from now on; the previous "
        "one is retired but stays published for checking. Prints the key id and the public JWK only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kid", help="Key id (letters, digits, '.', '_', '-'); default: YYMM-<random>.")
        parser.add_argument(
            "--inactive", action="store_true", help="Publish the key without making it the signing key."
        )

    def handle(self, *args, kid=None, inactive=False, **options):
        try:
            new_kid = generate_signing_key(kid=kid, activate=not inactive)
        except SigningError as exc:
            raise CommandError(str(exc)) from exc
        jwk = next(key for key in public_jwks()["keys"] if key["kid"] == new_kid)
        self.stdout.write(new_kid)
        self.stdout.write(json.dumps(jwk, sort_keys=True))
