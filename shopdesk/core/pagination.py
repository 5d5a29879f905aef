"""Keyset (cursor) pagination: page N costs the same as page 1, unlike OFFSET.

A cursor is an opaque token holding the sort value and id of the last row of a page. Sorting is
on one column plus `id` as the tie-breaker; NULLs sort last in both directions.
"""

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy

from shopdesk.core.errors import DomainError

M = TypeVar("M", bound=models.Model)


class InvalidCursor(DomainError):
    code = "invalid_cursor"


_BAD_CURSOR = gettext_lazy("The cursor is not valid: start again from the first page.")


@dataclass(frozen=True)
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


def _encode(value: Any, pk: int) -> str:
    if isinstance(value, datetime):
        raw = {"t": "dt", "v": value.isoformat(), "id": pk}
    elif isinstance(value, Decimal):
        raw = {"t": "dec", "v": str(value), "id": pk}
    else:
        raw = {"t": "raw", "v": value, "id": pk}
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[Any, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = json.loads(base64.urlsafe_b64decode(padded.encode()))
        kind, value, pk = raw["t"], raw["v"], int(raw["id"])
        if value is not None and kind == "dt":
            value = datetime.fromisoformat(value)
        elif value is not None and kind == "dec":
            value = Decimal(value)
        return value, pk
    except (ValueError, KeyError, TypeError, InvalidOperation) as exc:
        raise InvalidCursor(str(_BAD_CURSOR)) from exc


def _clean(model_field: Any, value: Any) -> Any:
    """The cursor's value as the sort column's type: a forged cursor must not reach SQL as 500."""
    if value is None:
        return None
    try:
        return model_field.to_python(value)
    except (ValidationError, TypeError, ValueError) as exc:
        raise InvalidCursor(str(_BAD_CURSOR)) from exc


def keyset_page(
    qs: QuerySet[M], *, field: str, descending: bool, limit: int, cursor: str | None
) -> Page[M]:
    """Return `limit` rows of `qs` ordered by (field, id) after the row named by `cursor`."""
    model_field = qs.model._meta.get_field(field)
    nullable = bool(getattr(model_field, "null", False))
    if cursor:
        value, pk = _decode(cursor)
        value = _clean(model_field, value)
        gt = "lt" if descending else "gt"
        if value is None:
            after = Q(**{f"{field}__isnull": True}) & Q(**{f"id__{gt}": pk})
        else:
            after = Q(**{f"{field}__{gt}": value}) | (Q(**{field: value}) & Q(**{f"id__{gt}": pk}))
            if nullable:
                after |= Q(**{f"{field}__isnull": True})
        qs = qs.filter(after)
    column = F(field)
    # Plain ASC/DESC on NOT NULL columns, so PostgreSQL can walk an ordinary b-tree index.
    if nullable:
        order = column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
    else:
        order = column.desc() if descending else column.asc()
    ident = F("id").desc() if descending else F("id").asc()
    rows = list(qs.order_by(order, ident)[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode(getattr(last, field), last.pk)
    return Page(items=rows, next_cursor=next_cursor)
