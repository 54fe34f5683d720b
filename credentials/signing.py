"""Certificate signing keys and snapshot signatures (Ed25519), see docs/decisions/0002-signing-keys.md.

Keys live in files under `settings.SIGNING_KEYS_DIR`, never in the database:

    keyring.json        {"keys": [{"kid", "public_key", "created_at", "not_before", "not_after",
                                   "retired_at", "active"}]}   public metadata, one entry per key
    <kid>.pem           the PKCS#8 private key (mode 0600); only the active key's file is ever read

Exactly one key is active and signs; retired keys stay in the keyring (and in the JWKS) so that every
certificate signed with them still verifies. Rotation (`generate_signing_key`) retires the active key with
`not_after = now` and activates a new one with `not_before = now`.

Containers may instead mount the active key as a secret: `SIGNING_PRIVATE_KEY_PEM` (PEM text) or
`SIGNING_PRIVATE_KEY_FILE` (a path), with `SIGNING_KEY_ID`. Such a key is the active one; keys in the
directory (if any) are then only used for checking.

Private key material is never logged, printed or put in an exception message.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime
import fcntl
import functools
import hmac
import json
import os
import re
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

KEYRING_FILE = "keyring.json"
LOCK_FILE = ".keyring.lock"
KID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class SigningError(Exception):
    """Signing is misconfigured: no active key, an unreadable key file, a key that does not match."""


class TokenError(Exception):
    """A certificate token was refused. `code` is one of: malformed, alg_not_allowed, unknown_kid,
    bad_signature, key_not_valid_at_iat, claims_mismatch."""

    CODES = frozenset(
        {"malformed", "alg_not_allowed", "unknown_kid", "bad_signature", "key_not_valid_at_iat", "claims_mismatch"}
    )

    def __init__(self, code: str, message: str = ""):
        assert code in self.CODES, code
        self.code = code
        super().__init__(message or code)


# --- encoding ---------------------------------------------------------------------------------------------


def canonical_json(data: dict) -> bytes:
    """The bytes that are signed: sorted keys, no whitespace, UTF-8 (not ASCII-escaped), no NaN."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def _canonical_json_fast(data: dict) -> bytes | None:
    """`canonical_json`'s bytes for every snapshot the registry writes (strings, integers, lists and objects with
    string keys), ten times faster (orjson); None where orjson refuses the value. For a value where the two could
    differ (a float's exponent, an integer beyond 64 bits), the signature over these bytes fails and
    `verify_snapshot` checks it over `canonical_json`'s: never a wrong verdict, only a slower one."""
    try:
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONEncodeError, TypeError):
        return None


def b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


_B64URL_RE = re.compile(r"^[A-Za-z0-9_-]*$")


def b64url_decode(text: str) -> bytes:
    """Strict base64url without padding; raises ValueError on anything else."""
    if not isinstance(text, str) or not _B64URL_RE.match(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc


def _public_raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _now() -> datetime.datetime:
    # Whole seconds: token `iat` is in whole seconds and must fall inside [not_before, not_after].
    return datetime.datetime.now(tz=datetime.UTC).replace(microsecond=0)


def _parse_time(value: str | None) -> datetime.datetime | None:
    if not value:
        return None
    parsed = datetime.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def _format_time(value: datetime.datetime | None) -> str | None:
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z") if value else None


# --- the keyring --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicKeyEntry:
    kid: str
    public_key: Ed25519PublicKey = field(repr=False)
    not_before: datetime.datetime | None
    not_after: datetime.datetime | None
    active: bool
    # A compromised key withdrawn by `withdraw_signing_key`: left out of the DID document, so no Data Integrity
    # proof made with it verifies any more (docs/decisions/0015-verifiable-credentials.md).
    withdrawn_at: datetime.datetime | None = None

    def valid_at(self, moment: datetime.datetime) -> bool:
        if self.not_before and moment < self.not_before:
            return False
        return not (self.not_after and moment > self.not_after)


@dataclass(frozen=True)
class Keyring:
    keys: dict[str, PublicKeyEntry]
    active_kid: str | None
    active_private: Ed25519PrivateKey | None = field(default=None, repr=False)


_cache: dict[tuple, Keyring] = {}
_cache_lock = threading.Lock()


def _keys_dir() -> Path:
    return Path(settings.SIGNING_KEYS_DIR)


def _env_key_config() -> tuple[str, str, str]:
    return (
        getattr(settings, "SIGNING_PRIVATE_KEY_PEM", "") or "",
        getattr(settings, "SIGNING_PRIVATE_KEY_FILE", "") or "",
        getattr(settings, "SIGNING_KEY_ID", "") or "",
    )


def _file_version(path: str | Path) -> tuple | None:
    # mtime alone is too coarse (a few ms on Linux) to tell two quick rotations apart; every write
    # replaces the file (new inode) and adds an entry (new size).
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_ino, st.st_size)


def _read_metadata(directory: Path) -> list[dict]:
    path = directory / KEYRING_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise SigningError(f"cannot read {path}: {exc.__class__.__name__}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise SigningError(f"{path} has no 'keys' list")
    return data["keys"]


def _load_private_pem(pem: bytes, origin: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:  # never include the PEM itself in the message
        raise SigningError(f"cannot load the private key from {origin}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"the private key from {origin} is not an Ed25519 key")
    return key


def _build_keyring(directory: Path, env_pem: str, env_file: str, env_kid: str) -> Keyring:
    keys: dict[str, PublicKeyEntry] = {}
    active_kid = None
    for item in _read_metadata(directory):
        try:
            kid = item["kid"]
            public_key = Ed25519PublicKey.from_public_bytes(b64url_decode(item["public_key"]))
            entry = PublicKeyEntry(
                kid=kid,
                public_key=public_key,
                not_before=_parse_time(item.get("not_before")),
                not_after=_parse_time(item.get("not_after")),
                active=bool(item.get("active")),
                withdrawn_at=_parse_time(item.get("withdrawn_at")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SigningError(f"invalid entry in {directory / KEYRING_FILE}") from exc
        keys[kid] = entry
        if entry.active:
            if active_kid is not None:
                raise SigningError(f"more than one active key in {directory / KEYRING_FILE}")
            active_kid = kid

    if env_pem or env_file:
        if not env_kid or not KID_RE.match(env_kid):
            raise SigningError("SIGNING_KEY_ID must be set to a valid key id with the environment key")
        if env_pem:
            private = _load_private_pem(env_pem.encode(), "SIGNING_PRIVATE_KEY_PEM")
        else:
            try:
                private = _load_private_pem(Path(env_file).read_bytes(), "SIGNING_PRIVATE_KEY_FILE")
            except OSError as exc:
                raise SigningError(f"cannot read SIGNING_PRIVATE_KEY_FILE: {exc.__class__.__name__}") from exc
        known = keys.get(env_kid)
        if known and _public_raw(known.public_key) != _public_raw(private.public_key()):
            raise SigningError(f"the environment key does not match key {env_kid} in the keyring")
        # The environment key signs; directory keys, whatever their flag, are only used for checking.
        keys = {kid: _replace_active(entry, False) for kid, entry in keys.items()}
        keys[env_kid] = PublicKeyEntry(
            kid=env_kid,
            public_key=private.public_key(),
            not_before=known.not_before if known else None,
            not_after=None,
            active=True,
            withdrawn_at=known.withdrawn_at if known else None,
        )
        return Keyring(keys=keys, active_kid=env_kid, active_private=private)

    if active_kid is None:
        return Keyring(keys=keys, active_kid=None)
    private = _load_private_pem(_read_private_file(directory / f"{active_kid}.pem"), f"{active_kid}.pem")
    if _public_raw(private.public_key()) != _public_raw(keys[active_kid].public_key):
        raise SigningError(f"{active_kid}.pem does not match the public key recorded in the keyring")
    return Keyring(keys=keys, active_kid=active_kid, active_private=private)


def _replace_active(entry: PublicKeyEntry, active: bool) -> PublicKeyEntry:
    return PublicKeyEntry(entry.kid, entry.public_key, entry.not_before, entry.not_after, active, entry.withdrawn_at)


def _read_private_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SigningError(f"cannot read the private key file {path.name}: {exc.__class__.__name__}") from exc


def load_keyring() -> Keyring:
    """The current keyring. Reads settings on every call; cached by (dir, keyring mtime, env settings).
    Every verification calls it: plain strings and one os.stat, no pathlib (which cost 7% of a verification)."""
    directory = os.fspath(settings.SIGNING_KEYS_DIR)
    env = _env_key_config()
    cache_key = (directory, _file_version(os.path.join(directory, KEYRING_FILE)), *env)
    keyring = _cache.get(cache_key)
    if keyring is None:
        keyring = _build_keyring(Path(directory), *env)
        with _cache_lock:
            if len(_cache) > 64:  # tests use a new directory each; keep the cache small
                _cache.clear()
            _cache[cache_key] = keyring
    return keyring


def active_key_id() -> str | None:
    return load_keyring().active_kid


# --- signatures ---------------------------------------------------------------------------------------------


def sign_bytes(message: bytes, *, keyring: Keyring | None = None) -> tuple[bytes, str]:
    """Sign with the active key and check the signature before returning it (a bad key fails here,
    not when a verifier first scans the certificate)."""
    keyring = keyring or load_keyring()
    if keyring.active_kid is None or keyring.active_private is None:
        raise SigningError(
            f"no active signing key in {_keys_dir()}; run `manage.py ensure_signing_key` "
            "or set SIGNING_PRIVATE_KEY_PEM and SIGNING_KEY_ID"
        )
    signature = keyring.active_private.sign(message)
    try:
        keyring.keys[keyring.active_kid].public_key.verify(signature, message)
    except InvalidSignature as exc:
        raise SigningError(f"the signature made with key {keyring.active_kid} does not verify") from exc
    return signature, keyring.active_kid


def sign_snapshot(snapshot: dict) -> tuple[str, str]:
    """(signature as base64url, key id) over the snapshot's canonical JSON."""
    signature, kid = sign_bytes(canonical_json(snapshot))
    return b64url_encode(signature), kid


# --- the signature MAC (docs/decisions/0029-signature-checked-once-then-maced.md) ----------------------------------

MAC_SALT = "credentials.signing.signature-mac/1"


def signature_mac(message: bytes, signature: str, key_id: str) -> str:
    """A certificate row's signature MAC: HMAC-SHA256 (Django's `salted_hmac`, under a key derived from SECRET_KEY)
    over the signed bytes, the signature and the key id, made by the registry once it has checked that signature
    with the key. `verify_snapshot` accepts a snapshot whose MAC matches without the Ed25519 verification (~0.3 ms,
    a third of a verification's CPU); anything else (no MAC, another SECRET_KEY, an altered byte) is checked with
    the key. Only who holds SECRET_KEY can make a MAC, and who holds it holds the signing key beside it: a row
    altered in the database alone fails either way."""
    value = b"\n".join((key_id.encode(), signature.encode(), message))
    mac = _mac_start(settings.SECRET_KEY).copy()
    mac.update(value)
    return mac.hexdigest()


@functools.lru_cache(maxsize=4)
def _mac_start(secret) -> hmac.HMAC:
    """Django's `salted_hmac(MAC_SALT, ..., algorithm="sha256")` before its message: the key derived from the
    secret and the HMAC's padded key hashed once per process, not once per verification (a batch makes 500)."""
    return salted_hmac(MAC_SALT, b"", secret=secret, algorithm="sha256")


def mac_for_snapshot(snapshot: dict, signature: str, key_id: str, *, keyring: Keyring | None = None) -> str:
    """The MAC of a stored snapshot, once its signature is checked with the key; "" when it does not verify over
    the bytes a verification re-encodes (such a row gets no MAC: every verification asks the key)."""
    entry = (keyring or load_keyring()).keys.get(key_id)
    message = _canonical_json_fast(snapshot)
    if entry is None or message is None:
        return ""
    try:
        entry.public_key.verify(b64url_decode(signature), message)
    except (InvalidSignature, ValueError, TypeError):
        return ""
    return signature_mac(message, signature, key_id)


def verify_snapshot(
    snapshot: dict, signature: str, key_id: str, *, keyring: Keyring | None = None, mac: str = ""
) -> bool:
    """True only when `signature` is the signature of this exact snapshot by key `key_id` (active or retired).
    `keyring`: one the caller has just loaded (the signature memo's), instead of loading it again. `mac`: the
    row's signature MAC (`signature_mac`); when it matches, the key need not be asked (the key must still be in
    the keyring: a key removed from it fails every snapshot it signed, MAC or not)."""
    entry = (keyring or load_keyring()).keys.get(key_id)
    if entry is None:
        return False
    try:
        raw = b64url_decode(signature)
    except (ValueError, TypeError):
        return False
    if len(raw) != 64:
        return False
    # A signature that verifies over the fast encoding is a signature over exactly these bytes, which parse back to
    # this snapshot: the same verdict as over canonical_json's bytes (they are the same bytes whenever it matters).
    fast = _canonical_json_fast(snapshot)
    if fast is not None and mac and constant_time_compare(mac, signature_mac(fast, signature, key_id)):
        return True
    return _verify_with_key(entry, raw, snapshot, fast)


def mac_matches(snapshot: dict, signature: str, key_id: str, mac: str, *, keyring: Keyring) -> bool:
    """True when the row's signature MAC is the registry's over this snapshot, signature and key id, and the key
    is still in the keyring: `verify_snapshot` would say True without asking the key."""
    if not mac or key_id not in keyring.keys:
        return False
    fast = _canonical_json_fast(snapshot)
    return fast is not None and constant_time_compare(mac, signature_mac(fast, signature, key_id))


def _verify_with_key(entry: PublicKeyEntry, raw: bytes, snapshot: dict, fast: bytes | None) -> bool:
    if fast is not None:
        try:
            entry.public_key.verify(raw, fast)
            return True
        except InvalidSignature:
            pass
    try:
        message = canonical_json(snapshot)
    except (ValueError, TypeError):
        return False
    if message == fast:
        return False
    try:
        entry.public_key.verify(raw, message)
    except InvalidSignature:
        return False
    return True


# --- publication ----------------------------------------------------------------------------------------------


def public_jwk(entry: PublicKeyEntry) -> dict:
    """An RFC 8037 OKP JWK. `nbf`/`exp` (seconds since the epoch) carry the key's validity period."""
    jwk = {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url_encode(_public_raw(entry.public_key)),
        "kid": entry.kid,
        "use": "sig",
        "alg": "EdDSA",
    }
    if entry.not_before:
        jwk["nbf"] = int(entry.not_before.timestamp())
    if entry.not_after:
        jwk["exp"] = int(entry.not_after.timestamp())
    return jwk


def public_jwks() -> dict:
    """Every public key, active first, then retired ones newest first."""
    keyring = load_keyring()
    entries = sorted(
        keyring.keys.values(),
        key=lambda e: (not e.active, -(e.not_before.timestamp() if e.not_before else 0), e.kid),
    )
    return {"keys": [public_jwk(entry) for entry in entries]}


# --- key generation and rotation ------------------------------------------------------------------------------


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(path, 0o600)


def _write_metadata(directory: Path, entries: list[dict]) -> None:
    tmp = directory / f".{KEYRING_FILE}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"keys": entries}, fh, indent=2, sort_keys=True)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, directory / KEYRING_FILE)


@contextlib.contextmanager
def _directory_lock(directory: Path):
    fd = os.open(directory / LOCK_FILE, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def new_key_id() -> str:
    """Short (it travels in every QR token) and sortable by date: e.g. `2606-3fa9c1` for June 2026."""
    return f"{_now():%y%m}-{secrets.token_hex(3)}"


def ensure_active_key() -> str | None:
    """Create a key when none is active (nor given by the environment); return its kid, or None if one was."""
    if has_active_key():
        return None
    return _generate(kid=None, activate=True, only_if_none_active=True)


def generate_signing_key(*, kid: str | None = None, activate: bool = True) -> str:
    """Create a new Ed25519 key in SIGNING_KEYS_DIR and return its kid.

    With `activate` (the default) this is a rotation: the new key signs from now on and the previous
    active key is retired with `not_after = now`; its public key stays in the JWKS. Without it the key is
    only published (pre-distributed to offline verifiers before it takes over).
    """
    return _generate(kid=kid, activate=activate, only_if_none_active=False)


def _generate(*, kid: str | None, activate: bool, only_if_none_active: bool) -> str | None:
    directory = _keys_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    kid = kid or new_key_id()
    if not KID_RE.match(kid):
        raise SigningError("a key id is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
    with _directory_lock(directory):
        entries = _read_metadata(directory)
        if only_if_none_active and any(item.get("active") for item in entries):
            return None  # another process created one while we waited for the lock
        if any(item.get("kid") == kid for item in entries) or (directory / f"{kid}.pem").exists():
            raise SigningError(f"key {kid} already exists")
        private = Ed25519PrivateKey.generate()
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        _write_private(directory / f"{kid}.pem", pem)
        now = _format_time(_now())
        if activate:
            for item in entries:
                if item.get("active"):
                    item["active"] = False
                    item["retired_at"] = now
                    item["not_after"] = now
        entries.append(
            {
                "kid": kid,
                "public_key": b64url_encode(_public_raw(private.public_key())),
                "created_at": now,
                "not_before": now,
                "not_after": None,
                "retired_at": None,
                "active": activate,
            }
        )
        _write_metadata(directory, entries)
    with _cache_lock:
        _cache.clear()
    return kid


def withdraw_signing_key(kid: str) -> datetime.datetime:
    """Mark a compromised key withdrawn (`withdrawn_at` in keyring.json) and return the time. The DID document
    leaves it out from then on, so proofs made with it stop verifying; the active key cannot be withdrawn (rotate
    first). Idempotent: a key already withdrawn keeps its first time. Audited by the command that calls it."""
    directory = _keys_dir()
    with _directory_lock(directory):
        entries = _read_metadata(directory)
        item = next((item for item in entries if item.get("kid") == kid), None)
        if item is None:
            raise SigningError(f"no key {kid} in the keyring")
        if item.get("active") or kid == (getattr(settings, "SIGNING_KEY_ID", "") or None):
            raise SigningError(f"key {kid} is the active key; rotate (generate_signing_key) before withdrawing it")
        if not item.get("withdrawn_at"):
            item["withdrawn_at"] = _format_time(_now())
            _write_metadata(directory, entries)
        withdrawn_at = _parse_time(item["withdrawn_at"])
    with _cache_lock:
        _cache.clear()
    return withdrawn_at


def has_active_key() -> bool:
    return load_keyring().active_kid is not None
