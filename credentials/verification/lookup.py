"""The busiest statement of the registry: look a certificate up by its verification id, with the accreditation
and equivalency the checks read, and log the verification, in ONE round trip (ADR 0005).

    SET LOCAL synchronous_commit TO off;                      -- in autocommit only, see below
    WITH c AS (SELECT <columns> FROM credentials_certificate  -- the ORM's query, compiled once per process
               JOIN registry_accreditation ... LEFT JOIN registry_equivalency ...
               WHERE verification_id = %s),
         e AS (INSERT INTO credentials_verificationevent (...)
               SELECT c.id, <id tried>, <outcome>, <channel>, <organisation>, <time>, <ip hash>, <agent family>
               FROM (SELECT 1) AS one LEFT JOIN c ON true     -- one event, found or not
               WHERE <log it>)                                -- link-preview bots are not logged
    SELECT <columns> FROM c

The event's outcome is decided in the statement by the same rule as `services._outcome_for`: `malformed` for an
id that could not be read (looked up as an id no certificate has, so it costs the same), `not_found` when no row
matched, else the certificate's status. PostgreSQL runs a data-modifying WITH exactly once, whether or not the
outer query reads it, so unknown, malformed and revoked ids run the very same statement.

Durability: in autocommit (every request: no ATOMIC_REQUESTS) the statement commits with
`synchronous_commit = off`, for this one transaction only (SET LOCAL in the same implicit transaction of the
multi-statement query). The commit does not wait for the WAL flush: the event is visible to every reader at
once, and only a crash of the PostgreSQL server (not of a worker) within about 3 x wal_writer_delay (600 ms by
default) can lose it; the WAL stays consistent. Certificates are never written here, and a verification that
runs inside a caller's transaction (tests, a management command in atomic) leaves that transaction's
durability untouched: no SET LOCAL then.

Nothing is cached here: every call reads the row (a revocation shows on the very next verification).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass

import orjson
from django.db import DatabaseError, InterfaceError, OperationalError, connection

from credentials.choices import VerificationOutcome
from credentials.models import Certificate, VerificationEvent
from credentials.signing import load_keyring, mac_matches

from .checks import Check, check_signature, signature_memo, signature_ok, snapshot_matches_row

# SQLSTATEs: a prepared statement that does not exist (26000), or already exists (42P05).
INVALID_SQL_STATEMENT_NAME = "26000"
DUPLICATE_PREPARED_STATEMENT = "42P05"

# A value no certificate has (ids are 26 characters): a malformed id still runs the very same statement.
NO_SUCH_ID = ""

_CERTIFICATE_COLUMNS = (
    "id",
    "serial_number",
    "verification_id",
    "qualification_id",
    "provider_id",
    "holder_name",
    "snapshot",
    "awarded_on",
    "issued_on",
    "signature",
    "key_id",
    "signature_mac",
    "status",
    "status_changed_at",
)
_ACCREDITATION_COLUMNS = (
    "provider_id",
    "qualification_id",
    "nqf_level",
    "extent",
    "decision_number",
    "valid_from",
    "valid_until",
    "status",
)
_EQUIVALENCY_COLUMNS = ("id", "qualification_id", "decision_number", "valid_from", "valid_until")
_COLUMNS = (
    *_CERTIFICATE_COLUMNS,
    *(f"accreditation__{name}" for name in _ACCREDITATION_COLUMNS),
    *(f"equivalency__{name}" for name in _EQUIVALENCY_COLUMNS),
)
_N_CERTIFICATE = len(_CERTIFICATE_COLUMNS)
_N_ACCREDITATION = len(_ACCREDITATION_COLUMNS)


class LookedUpAccreditation:
    """The accreditation columns the accreditation check reads."""

    __slots__ = _ACCREDITATION_COLUMNS

    def __init__(self, values):
        for name, value in zip(_ACCREDITATION_COLUMNS, values, strict=True):
            setattr(self, name, value)


class LookedUpEquivalency:
    """The equivalency columns the equivalency check reads."""

    __slots__ = _EQUIVALENCY_COLUMNS

    def __init__(self, values):
        for name, value in zip(_EQUIVALENCY_COLUMNS, values, strict=True):
            setattr(self, name, value)


# What a verification reads from the signed snapshot: the public facts and the page (holder, qualification,
# provider, awarding body, equivalency, dates), the accreditation check (its agent) and the token's claims. The
# transcript (modules), cohort and curriculum are the PDF's: a verification never shows them.
VERIFICATION_SNAPSHOT_KEYS = (
    "schema",
    "serial_number",
    "verification_id",
    "holder",
    "qualification",
    "provider",
    "awarding_body",
    "equivalency",
    "accreditation",
    "awarded_on",
    "issued_on",
)


def _parse(text: str) -> dict:
    try:
        return orjson.loads(text)  # a third of json.loads' time
    except orjson.JSONDecodeError:  # what orjson refuses and json reads (an integer beyond 64 bits)
        return json.loads(text)


class LookedUpCertificate:
    """A read-only view of the certificate row with the attributes the checks, the public facts and the token
    comparison read (the same names as on `Certificate`); no model instance is built on the busiest path.

    The stored snapshot is parsed and its signature checked over the whole snapshot. A row whose signature MAC
    matches (ADR 0029: the registry checked the signature with the key when it made the MAC) is done at that, in
    ~10 us. Any other row is checked with the key, once per distinct (row, snapshot) per process
    (`checks.signature_memo`, keyed by a BLAKE2b digest of the snapshot as stored, so a changed snapshot is always
    checked anew); `snapshot` then holds only VERIFICATION_SNAPSHOT_KEYS (half of the memory of the whole; the memo
    is bounded in bytes) and may be shared with the memo: never modify it.
    """

    __slots__ = (*_CERTIFICATE_COLUMNS, "accreditation", "equivalency", "signature_check")

    def __init__(self, row, keyring=None):
        for name, value in zip(_CERTIFICATE_COLUMNS, row, strict=False):
            setattr(self, name, value)
        self.accreditation = LookedUpAccreditation(row[_N_CERTIFICATE : _N_CERTIFICATE + _N_ACCREDITATION])
        equivalency = row[_N_CERTIFICATE + _N_ACCREDITATION :]
        self.equivalency = LookedUpEquivalency(equivalency) if equivalency[0] is not None else None
        text = self.snapshot  # the JSON text (Django's psycopg2 setup leaves jsonb undecoded)
        if not isinstance(text, str):
            text = json.dumps(text, sort_keys=True)
        if self.signature_mac:  # checked with the key when the MAC was made (ADR 0029): no memo needed
            snapshot = _parse(text)
            if keyring is None:  # a batch passes the one it loaded for all its rows
                keyring = load_keyring()
            if snapshot_matches_row(self, snapshot) and mac_matches(
                snapshot, self.signature, self.key_id, self.signature_mac, keyring=keyring
            ):
                # What a verification reads, not the transcript: the rest is freed now, not kept for a batch's
                # lifetime (500 whole snapshots alive made the garbage collector a third of a batch's time).
                self.snapshot = {key: snapshot[key] for key in VERIFICATION_SNAPSHOT_KEYS if key in snapshot}
                self.signature_check = signature_ok(self.key_id)
                return
        key = (
            self.id,
            self.verification_id,
            self.serial_number,
            self.signature,
            self.key_id,
            hashlib.blake2b(text.encode(), digest_size=16).digest(),
        )
        self.snapshot, self.signature_check = signature_memo.get_or_compute(key, lambda: self._check(text))

    def _check(self, text: str) -> tuple[dict, Check]:
        snapshot = _parse(text)
        self.snapshot = snapshot
        self.signature_check = None
        check = check_signature(self, keyring=signature_memo.keyring)  # loaded by the memo just now
        return {key: snapshot[key] for key in VERIFICATION_SNAPSHOT_KEYS if key in snapshot}, check

    @property
    def pk(self) -> int:
        return self.id


def certificates_by_verification_id(verification_ids) -> dict[str, LookedUpCertificate]:
    """A batch's certificates in one statement, read as the single verification reads its one (values, not model
    instances; the same signature memo): verification id -> certificate. Nothing is logged here (the batch writes
    its events in one INSERT)."""
    ids = sorted(set(verification_ids))
    if not ids:
        return {}
    queryset = Certificate.objects.order_by().filter(verification_id__in=ids).values_list(*_COLUMNS)
    if connection.vendor != "postgresql":  # SQLite: the ORM's converters (its raw rows hold naive datetimes)
        rows = list(queryset)
    else:
        select, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:  # a cursor, not the queryset: the snapshot stays JSON text (parsed once)
            cursor.execute(select, params)
            rows = cursor.fetchall()
    keyring = load_keyring()
    found = (LookedUpCertificate(row, keyring) for row in rows)
    return {certificate.verification_id: certificate for certificate in found}


@dataclass(frozen=True)
class EventValues:
    """What the event of this verification records (never the IP: its keyed hash)."""

    verification_id_tried: str
    malformed: bool
    channel: str
    verifier_organisation_id: int | None
    created_at: datetime.datetime
    ip_hash: str
    user_agent_family: str
    log: bool = True  # False for link-preview bots: they get an answer but are not counted


_sql: str | None = None


def _statement() -> str:
    """The statement, compiled once per process from the ORM (so it follows the models' tables and columns)."""
    global _sql
    if _sql is None:
        query = Certificate.objects.order_by().filter(verification_id=NO_SUCH_ID).values_list(*_COLUMNS).query
        select, params = query.sql_with_params()
        if len(params) != 1 or select.count("%s") != 1 or "%%" in select:
            raise RuntimeError("the verification lookup must have exactly one parameter")
        quote = connection.ops.quote_name
        meta = VerificationEvent._meta
        columns = ", ".join(
            quote(meta.get_field(name).column)
            for name in (
                "certificate",
                "verification_id_tried",
                "outcome",
                "channel",
                "verifier_organisation",
                "created_at",
                "ip_hash",
                "user_agent_family",
            )
        )
        # Only compiled SQL and model metadata are interpolated; every value is a parameter.
        insert = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
            "SELECT c.id, %s, CASE WHEN %s THEN %s WHEN c.id IS NULL THEN %s ELSE c.status END, %s, %s, %s, %s, %s "
            "FROM (SELECT 1) AS one LEFT JOIN c ON true WHERE %s"
        )
        outer = f"SELECT {', '.join(quote(name) for name in _COLUMNS)} FROM c"  # noqa: S608
        _sql = f"WITH c AS ({select}), e AS ({insert}) {outer}"
    return _sql


# The parameters' types, in order, for PREPARE (see `_params`).
_PARAM_TYPES = "text, text, boolean, text, text, text, bigint, timestamptz, text, text, boolean"
_prepared: tuple[str, str] | None = None  # (name, PREPARE statement)


def _prepare_statement() -> tuple[str, str]:
    """The statement as a server-side prepared statement: PostgreSQL plans the CTE once per connection instead of
    on every verification (planning the three-table join and the INSERT cost ~0.25 ms; the bare view's one-table
    SELECT plans in ~0.05 ms). The name carries a digest of the SQL, so two versions never share a name."""
    global _prepared
    if _prepared is None:
        sql = _statement()
        parts = sql.split("%s")
        numbered = "".join(f"{part}${index}" for index, part in enumerate(parts[:-1], start=1)) + parts[-1]
        name = "verification_lookup_" + hashlib.blake2b(sql.encode(), digest_size=6).hexdigest()
        _prepared = (name, f"PREPARE {name} ({_PARAM_TYPES}) AS {numbered}")
    return _prepared


def _params(verification_id: str, event: EventValues) -> tuple:
    return (
        verification_id or NO_SUCH_ID,
        event.verification_id_tried[:64],
        event.malformed,
        VerificationOutcome.MALFORMED.value,
        VerificationOutcome.NOT_FOUND.value,
        event.channel,
        event.verifier_organisation_id,
        event.created_at,
        event.ip_hash,
        event.user_agent_family[:32],
        event.log,
    )


def certificate_for_verification_logged(verification_id: str, event: EventValues) -> LookedUpCertificate | None:
    """The certificate with this verification id (or None), with the verification logged by the same statement.

    The statement is also the connection's health check. With CONN_HEALTH_CHECKS, Django would first send a
    `SELECT 1` on a connection kept from an earlier request (a round trip and ~2% of a verification's CPU, on
    every request); instead, when the statement fails because the connection is gone (PostgreSQL restarted, a
    proxy dropped it), it is sent once more on a new connection, so the caller sees no error, as the health check
    would have it. Only in autocommit: a lost connection inside a caller's transaction stays the caller's error.
    (Should the connection break after the statement's commit and before its answer, the retry logs the
    verification a second time: one extra event, never a wrong answer.)"""
    if connection.vendor != "postgresql":
        return _lookup_then_log(verification_id, event)
    if not _stands_in_for_the_health_check():
        return _logged(verification_id, event)
    try:
        return _logged(verification_id, event)
    except (InterfaceError, OperationalError):
        if connection.is_usable():  # the connection is fine: the statement itself failed
            raise
        connection.close()
    return _logged(verification_id, event)  # on a new connection (prepared again: _verification_prepared_on)


def _stands_in_for_the_health_check() -> bool:
    """True when Django's health check is due on a kept connection in autocommit: marks it done (this statement
    does it)."""
    if (
        connection.connection is None
        or not connection.health_check_enabled
        or connection.health_check_done
        or connection.in_atomic_block
        or not connection.get_autocommit()
    ):
        return False
    connection.health_check_done = True
    return True


def _logged(verification_id: str, event: EventValues) -> LookedUpCertificate | None:
    params = _params(verification_id, event)
    autocommit = connection.get_autocommit() and not connection.in_atomic_block
    prefix = "SET LOCAL synchronous_commit TO off; " if autocommit else ""
    if connection.settings_dict.get("CONN_MAX_AGE") == 0:
        # A connection per request (e.g. behind PgBouncer in transaction mode): preparing would cost a plan anyway.
        return _fetch(prefix + _statement(), params)
    name, prepare = _prepare_statement()
    execute = f"EXECUTE {name} ({', '.join(['%s'] * len(params))})"
    raw = connection.connection
    if getattr(connection, "_verification_prepared_on", None) is raw:
        try:
            return _fetch(prefix + execute, params)
        except DatabaseError as exc:  # the session lost it (DISCARD ALL, a pooler's other server connection)
            if not autocommit or getattr(exc.__cause__, "pgcode", None) != INVALID_SQL_STATEMENT_NAME:
                raise
    try:
        row = _fetch(f"{prepare}; {prefix}{execute}", params)
    except DatabaseError as exc:  # this session has it already (a pooler's server connection)
        if not autocommit or getattr(exc.__cause__, "pgcode", None) != DUPLICATE_PREPARED_STATEMENT:
            raise
        row = _fetch(prefix + execute, params)
    connection._verification_prepared_on = raw
    return row


def _fetch(sql: str, params: tuple) -> LookedUpCertificate | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return LookedUpCertificate(row) if row is not None else None


def _lookup_then_log(verification_id: str, event: EventValues) -> LookedUpCertificate | None:
    """Other databases (SQLite for local development; SQLite has no INSERT inside WITH): the same lookup and the
    same event, as two statements."""
    row = (
        Certificate.objects.order_by()
        .filter(verification_id=verification_id or NO_SUCH_ID)
        .values_list(*_COLUMNS)
        .first()
    )
    if event.log:
        if event.malformed:
            outcome = VerificationOutcome.MALFORMED
        else:
            outcome = VerificationOutcome.NOT_FOUND if row is None else row[_CERTIFICATE_COLUMNS.index("status")]
        VerificationEvent.objects.create(
            certificate_id=row[0] if row is not None else None,
            verification_id_tried=event.verification_id_tried[:64],
            outcome=outcome,
            channel=event.channel,
            verifier_organisation_id=event.verifier_organisation_id,
            ip_hash=event.ip_hash,
            user_agent_family=event.user_agent_family[:32],
        )
    return LookedUpCertificate(row) if row is not None else None
