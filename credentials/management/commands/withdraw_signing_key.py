"""Withdraw a compromised signing key from the issuer's DID document (docs/decisions/0015-verifiable-credentials.md).

The key stays in keyring.json (marked `withdrawn_at`), leaves `/.well-known/did.json`, and every Data Integrity
proof made with it stops verifying; credentials asked for afterwards are signed with the active key. Audited.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from credentials.signing import SigningError, load_keyring, withdraw_signing_key
from registry.choices import AuditAction
from registry.models import AuditEntry

SIGNING_KEY_OBJECT_TYPE = "credentials.signingkey"


class Command(BaseCommand):
    help = (
        "Withdraw a compromised signing key: it leaves the DID document, so proofs made with it stop verifying. "
        "The active key cannot be withdrawn (run generate_signing_key first)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kid", help="The key id to withdraw.")
        parser.add_argument("--reason", required=True, help="Why (kept in the audit trail).")

    def handle(self, *args, kid, reason, **options):
        entry = load_keyring().keys.get(kid)
        already = entry is not None and entry.withdrawn_at is not None
        try:
            withdrawn_at = withdraw_signing_key(kid)
        except SigningError as exc:
            raise CommandError(str(exc)) from exc
        if not already:
            with transaction.atomic():
                AuditEntry(
                    actor=None,
                    action=AuditAction.STATUS_CHANGE,
                    object_type=SIGNING_KEY_OBJECT_TYPE,
                    object_id=kid,
                    object_repr=f"signing key {kid}",
                    before={"withdrawn_at": None},
                    after={"withdrawn_at": withdrawn_at.isoformat()},
                    reason=reason[:2000],
                ).save()
        self.stdout.write(f"{kid} withdrawn at {withdrawn_at.isoformat()}")
