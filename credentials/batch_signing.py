"""Signing a batch (bulk issuance: two signatures per certificate), every signature still checked, at about half
the cost (ADR 0028).

`sign_bytes` checks each signature by verifying it with the public key (ADR 0002); an Ed25519 check costs about
three signatures. A `BatchSigner` checks each signature by making it twice and comparing: Ed25519 is
deterministic, so a fault in either computation shows as a difference. What a recomputation cannot see, a key
that is wrong or damaged in memory, the public key sees: the first signature of the batch is verified with it,
and `close()` verifies the last one and that the key still is the active one (a rotation during the batch would
leave tokens signed after the old key's `not_after`). Any failure raises `SigningError`, so the issuing
transaction rolls back and nothing signed is kept.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature

from credentials.signing import Keyring, SigningError, load_keyring


class BatchSigner:
    """Signs with the active key as `sign_bytes` does (the same bytes); used for one batch, then `close()`d."""

    def __init__(self, keyring: Keyring | None = None):
        keyring = keyring or load_keyring()
        if keyring.active_kid is None or keyring.active_private is None:
            raise SigningError(
                "no active signing key; run `manage.py ensure_signing_key` or set SIGNING_PRIVATE_KEY_PEM and "
                "SIGNING_KEY_ID"
            )
        self.kid = keyring.active_kid
        self._private = keyring.active_private
        self._public = keyring.keys[self.kid].public_key
        self._last: tuple[bytes, bytes] | None = None
        self.count = 0

    def _verify(self, signature: bytes, message: bytes) -> None:
        try:
            self._public.verify(signature, message)
        except InvalidSignature as exc:
            raise SigningError(f"a signature made with key {self.kid} does not verify") from exc

    def sign(self, message: bytes) -> tuple[bytes, str]:
        """(signature, key id) over `message`, made twice and compared; the batch's first is also verified."""
        signature = self._private.sign(message)
        if self._private.sign(message) != signature:
            raise SigningError(f"key {self.kid} gave two different signatures of one message")
        if self._last is None:
            self._verify(signature, message)
        self._last = (message, signature)
        self.count += 1
        return signature, self.kid

    def close(self) -> None:
        """Verify the batch's last signature, and that its key is still the active one."""
        if self._last is not None:
            message, signature = self._last
            self._verify(signature, message)
        if self.count and load_keyring().active_kid != self.kid:
            raise SigningError(f"key {self.kid} was rotated while the batch was signed; issue it again")
