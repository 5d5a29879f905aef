"""Keyset pagination on a real table: every row once, in order, NULLs last, one query a page.

The Order table is used because it has the column kinds the cursor must carry: a NOT NULL
datetime (placed_at), a nullable one (delivered_at) and a decimal (total_amount).
"""

import base64
import json
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from shopdesk.core.pagination import InvalidCursor, keyset_page
from shopdesk.orders.models import Order
from shopdesk.orders.tests.factories import OrderFactory

T0 = datetime(2024, 1, 1, 12, 0, 0, 123456).astimezone()


def _walk(field: str, descending: bool, limit: int) -> tuple[list[int], int]:
    seen: list[int] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = keyset_page(
            Order.objects.all(), field=field, descending=descending, limit=limit, cursor=cursor
        )
        seen += [o.pk for o in page.items]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            return seen, pages


def _expected(field: str, descending: bool) -> list[int]:
    rows = list(Order.objects.values_list(field, "id"))
    present = sorted((r for r in rows if r[0] is not None), reverse=descending)
    missing = sorted((r for r in rows if r[0] is None), reverse=descending)
    return [pk for _, pk in present + missing]


@pytest.fixture
def orders(db: None) -> list[Order]:
    # Ties on every sort column, and a third of the delivery dates missing.
    return [
        OrderFactory(
            placed_at=T0 + timedelta(minutes=n // 3),
            delivered_at=None if n % 3 == 1 else T0 + timedelta(days=2, seconds=n // 2),
            total_amount=Decimal("9.99") * (n % 4),
        )
        for n in range(13)
    ]


@pytest.mark.parametrize("field", ["placed_at", "delivered_at", "total_amount"])
@pytest.mark.parametrize("descending", [True, False])
@pytest.mark.parametrize("limit", [1, 4, 13, 50])
def test_walk_returns_every_row_once_in_order(
    orders: list[Order], field: str, descending: bool, limit: int
) -> None:
    # when
    seen, pages = _walk(field, descending, limit)
    # then
    assert seen == _expected(field, descending)
    assert len(set(seen)) == len(orders)
    assert pages == -(-len(orders) // limit)  # a full last page has no empty page after it


def test_nulls_come_last_in_both_directions(orders: list[Order]) -> None:
    # when
    for descending in (True, False):
        seen, _ = _walk("delivered_at", descending, 5)
        tail = [Order.objects.get(pk=pk).delivered_at for pk in seen[-4:]]
        # then
        assert tail == [None] * 4


def test_each_page_is_one_query_whatever_its_size(
    orders: list[Order], django_assert_num_queries: Any
) -> None:
    # given
    first = keyset_page(
        Order.objects.all(), field="placed_at", descending=True, limit=2, cursor=None
    )
    # when / then
    for limit in (2, 10):
        with django_assert_num_queries(1):
            keyset_page(
                Order.objects.all(),
                field="delivered_at",
                descending=True,
                limit=limit,
                cursor=first.next_cursor,
            )


def test_empty_result_has_no_next_cursor(db: None) -> None:
    # when
    page = keyset_page(
        Order.objects.all(), field="placed_at", descending=True, limit=10, cursor=None
    )
    # then
    assert page.items == []
    assert page.next_cursor is None


def _token(raw: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!",
        _token({"t": "dt", "v": "not-a-date", "id": 1}),
        _token({"t": "dec", "v": "ten", "id": 1}),
        _token({"t": "raw", "v": 1}),  # no id
        _token({"t": "raw", "v": 1, "id": "x"}),
        _token([1, 2]),
        _token({"t": "raw", "v": "yesterday", "id": 1}),  # forged: not a datetime
        _token({"t": "raw", "v": {"a": 1}, "id": 1}),
    ],
)
def test_bad_cursor_raises_invalid_cursor(db: None, cursor: str) -> None:
    # when / then
    with pytest.raises(InvalidCursor, match="first page"):
        keyset_page(Order.objects.all(), field="placed_at", descending=True, limit=5, cursor=cursor)
