"""The orders API as an integrator sees it: filters, pages, detail, upsert, logistics events."""

import json
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from shopdesk.accounts.tests.factories import CustomerFactory, MerchantFactory
from shopdesk.orders.filters import SORTS
from shopdesk.orders.models import Order
from shopdesk.orders.states import OrderStatus
from shopdesk.orders.tests.factories import (
    LogisticsEventFactory,
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    ShipmentFactory,
)

LIST = "/api/v1/orders/"


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.get_current_timezone())  # type: ignore[misc]


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["items"]]


def put_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.put(url, json.dumps(body), content_type="application/json")


def post_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def agent_client(client: Client, agent: Any) -> Client:
    client.force_login(agent)
    return client


# --- filters: each builds one order that matches and one that does not -------------------------


def _status() -> tuple[Order, Order, dict[str, Any]]:
    return (
        OrderFactory(status=OrderStatus.PAID),
        OrderFactory(status=OrderStatus.CANCELLED),
        {"status": ["paid", "shipped"]},
    )


def _merchant() -> tuple[Order, Order, dict[str, Any]]:
    match = OrderFactory()
    return match, OrderFactory(), {"merchant": match.merchant_id}


def _customer_phone() -> tuple[Order, Order, dict[str, Any]]:
    match = OrderFactory(customer=CustomerFactory(phone="13812345678"))
    return match, OrderFactory(), {"customer_phone": "+86 138-1234-5678"}


def _customer_name() -> tuple[Order, Order, dict[str, Any]]:
    match = OrderFactory(customer=CustomerFactory(name="王五"))
    return match, OrderFactory(customer=CustomerFactory(name="张三")), {"customer_name": "王五"}


def _order_number() -> tuple[Order, Order, dict[str, Any]]:
    return (
        OrderFactory(external_id="A-1"),
        OrderFactory(external_id="A-10"),
        {"order_number": "A-1"},
    )


def _sku() -> tuple[Order, Order, dict[str, Any]]:
    match = OrderItemFactory(product=ProductFactory(sku="RED-1")).order
    OrderItemFactory(product=ProductFactory(sku="BLUE-1"))
    return match, OrderItemFactory().order, {"sku": "RED-1"}


def _product() -> tuple[Order, Order, dict[str, Any]]:
    item = OrderItemFactory()
    return item.order, OrderItemFactory().order, {"product": item.product_id}


def _category() -> tuple[Order, Order, dict[str, Any]]:
    match = OrderItemFactory(product=ProductFactory(category="books")).order
    other = OrderItemFactory(product=ProductFactory(category="toys")).order
    return match, other, {"category": "books"}


def _tracking() -> tuple[Order, Order, dict[str, Any]]:
    shipment = ShipmentFactory(tracking_number="SF123")
    return shipment.order, ShipmentFactory().order, {"tracking_number": "SF123"}


def _placed() -> tuple[Order, Order, dict[str, Any]]:
    # The last minute of the `placed_to` day is still inside: the range is inclusive.
    match = OrderFactory(placed_at=local(2024, 3, 10, 23, 59))
    other = OrderFactory(placed_at=local(2024, 3, 11, 0, 1))
    return match, other, {"placed_from": "2024-03-10", "placed_to": "2024-03-10"}


def _delivered() -> tuple[Order, Order, dict[str, Any]]:
    match = OrderFactory(delivered_at=local(2024, 5, 2, 9))
    other = OrderFactory(delivered_at=local(2024, 4, 30, 9))
    return match, other, {"delivered_from": "2024-05-01", "delivered_to": "2024-05-31"}


def _late(is_late: bool) -> tuple[Order, Order, dict[str, Any]]:
    on_time = OrderFactory(delivered_at=local(2024, 5, 2), promised_delivery_at=local(2024, 5, 3))
    late = OrderFactory(delivered_at=local(2024, 5, 4), promised_delivery_at=local(2024, 5, 3))
    match, other = (late, on_time) if is_late else (on_time, late)
    return match, other, {"late": str(is_late).lower()}


def _amount_min() -> tuple[Order, Order, dict[str, Any]]:
    match = OrderFactory(total_amount=Decimal("500.00"))
    return match, OrderFactory(total_amount=Decimal("50.00")), {"amount_min": "100"}


def _amount_max() -> tuple[Order, Order, dict[str, Any]]:
    match = OrderFactory(total_amount=Decimal("50.00"))
    return match, OrderFactory(total_amount=Decimal("500.00")), {"amount_max": "100.00"}


FILTER_CASES = {
    "status": _status,
    "merchant": _merchant,
    "customer_phone": _customer_phone,
    "customer_name": _customer_name,
    "order_number": _order_number,
    "sku": _sku,
    "product": _product,
    "category": _category,
    "tracking_number": _tracking,
    "placed_range": _placed,
    "delivered_range": _delivered,
    "late_true": lambda: _late(True),
    "late_false": lambda: _late(False),
    "amount_min": _amount_min,
    "amount_max": _amount_max,
}


@pytest.mark.parametrize("case", FILTER_CASES)
def test_each_filter_keeps_the_matching_order_only(agent_client: Client, case: str) -> None:
    # given
    match, other, params = FILTER_CASES[case]()
    # when
    response = agent_client.get(LIST, params)
    # then
    assert ids(response) == [match.pk]
    assert other.pk != match.pk


def test_filters_combine_with_and(agent_client: Client) -> None:
    # given
    merchant = MerchantFactory()
    match = OrderFactory(merchant=merchant, status=OrderStatus.PAID)
    OrderFactory(merchant=merchant, status=OrderStatus.CANCELLED)
    OrderFactory(status=OrderStatus.PAID)
    # when
    response = agent_client.get(LIST, {"merchant": merchant.pk, "status": "paid"})
    # then
    assert ids(response) == [match.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"placed_from": "2024-13-01"}, "placed_from"),
        ({"delivered_to": "yesterday"}, "delivered_to"),
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"status": "lost"}, "status"),
        ({"amount_min": "-1"}, "amount_min"),
        ({"late": "maybe"}, "late"),
    ],
)
def test_invalid_query_value_names_the_field(
    agent_client: Client, params: dict[str, str], field: str
) -> None:
    # when
    response = agent_client.get(LIST, params)
    # then
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert len(errors) == 1
    assert field in errors[0]["loc"]
    assert errors[0]["msg"]


@pytest.mark.parametrize(
    ("params", "code", "hint"),
    [
        ({"sort": "name"}, "invalid_sort", "-placed_at"),
        ({"cursor": "not-a-cursor"}, "invalid_cursor", "first page"),
    ],
)
def test_unknown_sort_or_bad_cursor_is_400_with_what_to_do(
    agent_client: Client, params: dict[str, str], code: str, hint: str
) -> None:
    # when
    response = agent_client.get(LIST, params)
    # then
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert hint in response.json()["detail"]


# --- keyset pagination ---------------------------------------------------------------------------


def _expected(orders: list[Order], field: str, descending: bool) -> list[int]:
    present = [o for o in orders if getattr(o, field) is not None]
    missing = [o for o in orders if getattr(o, field) is None]
    present.sort(key=lambda o: (getattr(o, field), o.pk), reverse=descending)
    missing.sort(key=lambda o: o.pk, reverse=descending)
    return [o.pk for o in present + missing]  # NULLs last in both directions


@pytest.mark.parametrize("sort", SORTS)
def test_walking_all_pages_returns_every_row_once_in_order(agent_client: Client, sort: str) -> None:
    # given ties on the sort value and NULL delivery dates
    base = local(2024, 1, 1, 12)
    orders = [
        OrderFactory(
            placed_at=base + timedelta(hours=n // 2),
            delivered_at=None if n % 3 == 0 else base + timedelta(days=3 + n // 4),
            total_amount=Decimal(10 * (n % 4)),
        )
        for n in range(11)
    ]
    OrderFactory(status=OrderStatus.CANCELLED)  # filtered out below
    field, descending = SORTS[sort]
    # when
    seen: list[int] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"sort": sort, "limit": 3, "status": "delivered"}
        if cursor:
            params["cursor"] = cursor
        body = agent_client.get(LIST, params).json()
        seen += [row["id"] for row in body["items"]]
        cursor = body["next_cursor"]
        pages += 1
        if cursor is None:
            break
    # then
    assert seen == _expected(orders, field, descending)
    assert pages == 4


def test_list_query_count_does_not_grow_with_page_size(
    agent_client: Client, django_assert_num_queries: Any
) -> None:
    # given
    for _ in range(25):
        OrderItemFactory(order=OrderFactory(customer=CustomerFactory()))
    # when / then: session, user, 2 permission look-ups, one page query
    with django_assert_num_queries(5):
        small = agent_client.get(LIST, {"limit": 2})
    with django_assert_num_queries(5):
        large = agent_client.get(LIST, {"limit": 20})
    assert len(small.json()["items"]) == 2
    assert len(large.json()["items"]) == 20


def test_list_shows_contact_data_masked_only(agent_client: Client) -> None:
    # given
    customer = CustomerFactory(
        name="李小龙",
        phone="13912345678",
        email="bruce@example.com",
        address="北京市朝阳区建国路88号",
    )
    OrderFactory(customer=customer)
    # when
    response = agent_client.get(LIST)
    # then
    shown = response.json()["items"][0]["customer"]
    assert shown["masked_phone"] == "139****5678"
    assert shown["masked_name"] == "李**"
    text = response.content.decode()
    for clear in ("李小龙", "13912345678", "bruce@", "建国路88号"):
        assert clear not in text


# --- detail ----------------------------------------------------------------------------------


def test_detail_has_items_shipments_events_and_timeline(agent_client: Client) -> None:
    # given
    order = OrderFactory(placed_at=local(2024, 6, 1, 10), paid_at=local(2024, 6, 1, 10, 5))
    OrderItemFactory(order=order, line_no=2, product=ProductFactory(sku="B"))
    OrderItemFactory(order=order, line_no=1, product=ProductFactory(sku="A"))
    shipment = ShipmentFactory(order=order)
    LogisticsEventFactory(shipment=shipment, event_id="e1", occurred_at=local(2024, 6, 2, 8))
    # when
    response = agent_client.get(f"{LIST}{order.pk}")
    # then
    body = response.json()
    assert response.status_code == 200
    assert [i["sku"] for i in body["items"]] == ["A", "B"]
    assert body["shipments"][0]["events"][0]["event_id"] == "e1"
    kinds = [t["kind"] for t in body["timeline"]]
    assert kinds[:2] == ["placed", "paid"]
    assert "logistics:in_transit" in kinds
    assert [t["at"] for t in body["timeline"]] == sorted(t["at"] for t in body["timeline"])


def _order_with(items: int, parcels: int) -> Order:
    order = OrderFactory()
    for line in range(1, items + 1):
        OrderItemFactory(order=order, line_no=line)
    for _ in range(parcels):
        LogisticsEventFactory.create_batch(2, shipment=ShipmentFactory(order=order))
    return order


def test_detail_query_count_does_not_grow_with_items_or_parcels(
    agent_client: Client, django_assert_num_queries: Any
) -> None:
    # given
    small, large = _order_with(items=1, parcels=1), _order_with(items=6, parcels=3)
    # when / then: session, user, 2 permission look-ups, order, items, parcels, events
    for order in (small, large):
        with django_assert_num_queries(8):
            response = agent_client.get(f"{LIST}{order.pk}")
        assert response.status_code == 200
    assert len(response.json()["timeline"]) >= 6


def test_detail_of_missing_order_is_404(agent_client: Client) -> None:
    # when
    response = agent_client.get(f"{LIST}999999")
    # then
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- OpenAPI -------------------------------------------------------------------------------------


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def test_openapi_schema_is_valid_and_lists_the_operations(client: Client) -> None:
    # when
    response = client.get("/api/v1/openapi.json")
    # then
    schema = response.json()
    assert response.status_code == 200
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"]
    assert schema["info"]["version"]
    operations = {
        (method, path): op["operationId"]
        for path, item in schema["paths"].items()
        for method, op in item.items()
    }
    assert set(operations.values()) >= {
        "shopdesk_orders_api_order_list_api",
        "shopdesk_orders_api_order_detail_api",
        "shopdesk_orders_api_order_upsert_api",
        "shopdesk_orders_api_logistics_events_append_api",
    }
    assert ("put", "/api/v1/orders/{source}/{external_id}") in operations
    assert len(set(operations.values())) == len(operations)
    for ref in _refs(schema):
        assert ref.startswith("#/components/schemas/")
        assert ref.rsplit("/", 1)[1] in schema["components"]["schemas"], ref
    upsert = schema["paths"]["/api/v1/orders/{source}/{external_id}"]["put"]
    assert {"200", "201"} <= set(upsert["responses"])
    assert upsert["security"]
