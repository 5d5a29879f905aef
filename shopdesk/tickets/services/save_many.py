"""`ticket_save` for many tickets at once: the same compare-and-set on (pk, version), as one
set-based UPDATE per group of tickets writing the same fields instead of one per ticket.

    UPDATE tickets_ticket SET version = version + 1, updated_at = %s, <field> = v.column3 …
    FROM (VALUES (<pk>, <version>, <value> …), …) AS v
    WHERE tickets_ticket.id = v.column1 AND tickets_ticket.version = v.column2
    RETURNING tickets_ticket.id

RETURNING names the rows whose compare-and-set won; every other ticket changed since it was
read and got nothing written. PostgreSQL and SQLite (3.35+) run the same statement; on
PostgreSQL each value is cast to its column's type (a VALUES list has no column types). Other
databases write one ticket at a time through `ticket_save`.
"""

import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from django.db import connection
from django.db.models import Field

from shopdesk.core.errors import ConcurrentUpdate
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.services.base import ticket_save

CHUNK: Final = 500  # tickets per UPDATE


def tickets_save_many(
    *, writes: Sequence[tuple[Ticket, Sequence[str]]], now: datetime
) -> list[bool]:
    """Write each ticket's fields if nobody changed it since it was read (as `ticket_save`),
    and say which writes won. A won ticket's version is bumped in memory, as `ticket_save`
    does; a lost one is left as it is (nothing of it was written). Runs in the caller's
    transaction.
    """
    won = [False] * len(writes)
    groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for index, (_, fields) in enumerate(writes):
        groups[tuple(sorted(set(fields) - {"version", "updated_at"}))].append(index)
    for names, indexes in groups.items():
        size = _chunk_size(len(names))
        for start in range(0, len(indexes), size):
            chunk = indexes[start : start + size]
            tickets = [writes[i][0] for i in chunk]
            for i, ok in zip(chunk, _save_chunk(tickets, names, now), strict=True):
                won[i] = ok
    return won


def _set_based() -> bool:
    if connection.vendor == "postgresql":
        return True
    return connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 35)


def _chunk_size(fields: int) -> int:
    limit = connection.features.max_query_params
    if limit is None:
        return CHUNK
    return max(1, min(CHUNK, (limit - 1) // (2 + fields)))


def _save_chunk(tickets: list[Ticket], names: tuple[str, ...], now: datetime) -> list[bool]:
    # The same ticket twice in one statement would match one VALUES row at random: one by one.
    if len({t.pk for t in tickets}) < len(tickets) or len(tickets) == 1 or not _set_based():
        return [_save_one(ticket, names, now) for ticket in tickets]
    sql, params = _update_sql(tickets, names, now)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        updated = {row[0] for row in cursor.fetchall()}
    for ticket in tickets:
        if ticket.pk in updated:
            ticket.version += 1
            ticket.updated_at = now
    return [ticket.pk in updated for ticket in tickets]


def _save_one(ticket: Ticket, names: tuple[str, ...], now: datetime) -> bool:
    try:
        ticket_save(ticket, names, now=now)
    except ConcurrentUpdate:
        return False
    return True


def _update_sql(
    tickets: list[Ticket], names: tuple[str, ...], now: datetime
) -> tuple[str, list[Any]]:
    quote = connection.ops.quote_name
    meta = Ticket._meta
    table = quote(meta.db_table)
    fields: list[Field[Any, Any]] = [meta.get_field(name) for name in names]  # type: ignore[misc]
    pk, version = meta.get_field("id"), meta.get_field("version")
    typed = [_placeholder(f) for f in (pk, version, *fields)]  # type: ignore[arg-type]
    row = f"({', '.join(typed)})"
    params: list[Any] = [meta.get_field("updated_at").get_db_prep_save(now, connection)]
    for ticket in tickets:
        params += [ticket.pk, ticket.version]
        params += [f.get_db_prep_save(getattr(ticket, f.attname), connection) for f in fields]
    sets = [f"{quote('version')} = {table}.{quote('version')} + 1", f"{quote('updated_at')} = %s"]
    sets += [f"{quote(f.column)} = v.column{n}" for n, f in enumerate(fields, start=3)]
    # Only quoted names from the model's meta go into the text; every value is a parameter.
    sql = (
        f"UPDATE {table} SET {', '.join(sets)} "  # noqa: S608
        f"FROM (VALUES {', '.join([row] * len(tickets))}) AS v "
        f"WHERE {table}.{quote(pk.column)} = v.column1 "
        f"AND {table}.{quote('version')} = v.column2 "
        f"RETURNING {table}.{quote(pk.column)}"
    )
    return sql, params


def _placeholder(field: Field[Any, Any]) -> str:
    if connection.vendor != "postgresql":
        return "%s"
    return f"%s::{field.db_type(connection)}"
