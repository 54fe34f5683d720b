"""Inserting many rows with PostgreSQL's COPY instead of INSERT (bulk issuance: certificates and their audit
entries).

`copy_insert(objs)` writes unsaved model instances as `bulk_create` would (every concrete field, `auto_now` and
`auto_now_add` stamped by the field itself, primary keys set on the instances afterwards), through psycopg2's
`copy_expert` in COPY's text format: one tab-separated line per row, `\\N` for NULL, backslash, tab, newline and
carriage return escaped as the PostgreSQL manual says. COPY skips the ORM's per-value SQL compilation and the
server's parsing of a statement per thousand rows; constraints, unique indexes and the deferred foreign keys
are checked exactly as for an INSERT (a violation raises Django's IntegrityError, the transaction is aborted).

Primary keys are drawn from the table's own sequence beforehand (one query), so they are the values an INSERT
would have taken and the instances know them without a RETURNING. A field's database text may be given already
encoded (`encoded`): a certificate's snapshot is the canonical JSON that was signed, encoded once for both.

On another database (SQLite, when no PostgreSQL is configured) it is `bulk_create`. The caller keeps it inside
its transaction.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Mapping, Sequence

from django.db import connections, models

_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")
_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))
NULL = "\\N"


def _escape(text: str) -> str:
    if _NEEDS_ESCAPE.search(text) is None:  # nearly every value: no copy at all
        return text
    for char, escaped in _ESCAPES:
        text = text.replace(char, escaped)
    return text


def _converter(field: models.Field) -> Callable[[object], str]:
    """The COPY text of one field's Python value (not yet escaped)."""
    internal = field.get_internal_type()
    if internal == "JSONField":
        encoder = field.encoder
        return lambda value: json.dumps(value, cls=encoder)
    if internal == "BinaryField":
        return lambda value: "\\x" + bytes(value).hex()
    if internal == "BooleanField":
        return lambda value: "t" if value else "f"
    if internal in ("DateField", "DateTimeField"):
        return lambda value: value.isoformat()
    if internal in (
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
        "ForeignKey",
        "OneToOneField",
    ):
        return lambda value: str(int(value))
    if internal in ("CharField", "TextField", "SlugField", "EmailField", "URLField"):
        return str
    raise TypeError(f"copy_insert does not write {internal} ({field})")


def _reserve_ids(connection, model: type[models.Model], count: int) -> list[int]:
    """`count` fresh values of the table's primary key sequence, ascending."""
    pk = model._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, count],
        )
        return sorted(row[0] for row in cursor.fetchall())


def copy_insert(
    objs: Sequence[models.Model],
    *,
    encoded: Mapping[str, Sequence[str]] | None = None,
    using: str = "default",
) -> Sequence[models.Model]:
    """Insert `objs` (unsaved instances of one model, primary keys unset) with one COPY; returns them saved.

    `encoded` maps a field's attname to its database text for each object, in order (e.g. JSON already
    encoded); every other value is converted from the instance as `bulk_create` would store it."""
    if not objs:
        return objs
    model = type(objs[0])
    connection = connections[using]
    if connection.vendor != "postgresql":  # SQLite (a developer's machine without PostgreSQL): the ORM's INSERT
        return model._base_manager.using(using).bulk_create(objs)
    encoded = encoded or {}
    for name, texts in encoded.items():
        if len(texts) != len(objs):
            raise ValueError(f"{len(texts)} encoded values of {name} for {len(objs)} rows")
    fields = list(model._meta.concrete_fields)
    pk = model._meta.pk
    if any(obj.pk is not None for obj in objs):
        raise ValueError("copy_insert draws the primary keys; give it instances without one")
    for obj, new_id in zip(objs, _reserve_ids(connection, model, len(objs)), strict=True):
        setattr(obj, pk.attname, new_id)

    columns = []  # (field, its converter or None when given encoded, stamped by pre_save)
    for field in fields:
        stamped = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        columns.append((field, None if field.attname in encoded else _converter(field), stamped))
    lines = []
    for index, obj in enumerate(objs):
        values = []
        for field, convert, stamped in columns:
            if convert is None:
                text = encoded[field.attname][index]
            else:
                value = field.pre_save(obj, add=True) if stamped else getattr(obj, field.attname)
                if value is None:
                    if not field.null:
                        raise ValueError(f"{model._meta.label}.{field.name} is NULL in a row to insert")
                    values.append(NULL)
                    continue
                text = convert(value)
            values.append(_escape(text))
        lines.append("\t".join(values))
    lines.append("")
    table = connection.ops.quote_name(model._meta.db_table)
    column_list = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.copy_expert(f"COPY {table} ({column_list}) FROM STDIN", io.StringIO("\n".join(lines)), 1 << 20)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using
    return objs
