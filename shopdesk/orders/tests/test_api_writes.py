"""The orders API's writes: upsert from shop systems and logistics events, with validation."""

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils import timezone

from shopdesk.accounts.models import Customer, Merchant
from shopdesk.core.errors import NotFound
from shopdesk.orders.models import LogisticsEvent, Order, OrderItem, Product, Shipment
from shopdesk.orders.selectors import can_upsert_order, shipment_get_for_user
from shopdesk.orders.services import LogisticsEventData, logistics_events_append
from shopdesk.orders.states import LogisticsEventType, OrderStatus
from shopdesk.orders.tests.factories import OrderFactory, ShipmentFactory

LIST = "/api/v1/orders/"


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.get_current_timezone())  # type: ignore[misc]


def put_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.put(url, json.dumps(body), content_type="application/json")


def post_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


# --- upsert ----------------------------------------------------------------------------------


def order_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": "paid",
        "placed_at": "2024-06-18T10:00:00+08:00",
        "paid_at": "2024-06-18 10:02:00",
        "merchant": {"external_id": "shop-7", "name": "七号店"},
        "customer": {
            "external_id": "buyer-1",
            "name": "赵六",
            "phone": "13700001111",
            "email": "zhao@example.com",
            "address": "杭州市西湖区文三路1号",
            "tier": "gold",
        },
        "items": [
            {
                "sku": "TEA-1",
                "name": "龙井",
                "category": "tea",
                "quantity": 2,
                "unit_price": "88.00",
            },
            {"sku": "CUP-1", "unit_price": "30.50", "freight": "6.00"},
        ],
        "shipments": [{"carrier": "SF", "tracking_number": "SF9000"}],
    }
    body.update(overrides)
    return body


def counts() -> dict[str, int]:
    models = (Order, OrderItem, Product, Shipment, Merchant, Customer, LogisticsEvent)
    return {m.__name__: m.objects.count() for m in models}


def test_upsert_creates_then_second_put_changes_nothing(client: Client, admin_user: Any) -> None:
    # given
    client.force_login(admin_user)
    url = f"{LIST}shopify/10001"
    # when
    first = put_json(client, url, order_body())
    after_first = counts()
    second = put_json(client, url, order_body())
    # then
    assert first.status_code == 201
    assert second.status_code == 200
    assert counts() == after_first
    assert after_first["Order"] == 1
    assert after_first["OrderItem"] == 2
    strip = ("updated_at",)
    assert {k: v for k, v in second.json().items() if k not in strip} == {
        k: v for k, v in first.json().items() if k not in strip
    }
    order = Order.objects.get(source="shopify", external_id="10001")
    assert order.total_amount == Decimal("212.50")
    assert order.customer is not None
    assert order.customer.masked_phone == "137****1111"
    # A time without offset is the site's local time (Asia/Shanghai).
    assert order.paid_at == local(2024, 6, 18, 10, 2)


def test_upsert_replaces_status_and_items(client: Client, admin_user: Any) -> None:
    # given
    client.force_login(admin_user)
    url = f"{LIST}shopify/10002"
    put_json(client, url, order_body())
    # when
    response = put_json(
        client,
        url,
        order_body(status="shipped", items=[{"sku": "TEA-1", "unit_price": "88.00"}]),
    )
    # then
    assert response.status_code == 200
    assert response.json()["status"] == "shipped"
    assert list(OrderItem.objects.values_list("sku", flat=True)) == ["TEA-1"]


@pytest.mark.parametrize(
    ("overrides", "loc"),
    [
        ({"status": "lost"}, ["status"]),
        ({"items": [{"sku": "A", "unit_price": "-1.00"}]}, ["items", 0, "unit_price"]),
        ({"items": [{"sku": "A", "unit_price": "1", "freight": "-2"}]}, ["items", 0, "freight"]),
        ({"items": [{"sku": "  ", "unit_price": "1.00"}]}, ["items", 0, "sku"]),
        ({"items": [{"sku": "A", "unit_price": "1", "quantity": 0}]}, ["items", 0, "quantity"]),
        ({"placed_at": "tomorrow"}, ["placed_at"]),
        ({"shipments": [{"carrier": "DHLX", "tracking_number": "1"}]}, ["shipments", 0, "carrier"]),
    ],
)
def test_upsert_rejects_bad_fields_and_writes_nothing(
    client: Client, admin_user: Any, overrides: dict[str, Any], loc: list[Any]
) -> None:
    # given
    client.force_login(admin_user)
    before = counts()
    # when
    response = put_json(client, f"{LIST}shopify/bad", order_body(**overrides))
    # then
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert [e["loc"][2:] for e in errors] == [loc]
    assert counts() == before


# --- logistics events ----------------------------------------------------------------------------


def events_url(shipment: Shipment) -> str:
    return f"{LIST}shipments/{shipment.carrier}/{shipment.tracking_number}/events"


def test_events_are_appended_once_and_delivery_marks_the_order(
    client: Client, supervisor: Any
) -> None:
    # given
    client.force_login(supervisor)
    shipment = ShipmentFactory(order=OrderFactory(status=OrderStatus.SHIPPED, delivered_at=None))
    body = {
        "events": [
            {"event_id": "k1", "type": "in_transit", "occurred_at": "2024-06-19T08:00:00+08:00"},
            {
                "event_id": "k2",
                "type": "delivered",
                "occurred_at": "2024-06-20T09:00:00+08:00",
                "location": "杭州",
            },
        ]
    }
    # when
    first = post_json(client, events_url(shipment), body)
    second = post_json(client, events_url(shipment), body)
    # then
    assert first.status_code == 200
    assert first.json() == {"created": ["k1", "k2"], "existing": []}
    assert second.json() == {"created": [], "existing": ["k1", "k2"]}
    assert LogisticsEvent.objects.filter(shipment=shipment).count() == 2
    shipment.order.refresh_from_db()
    assert shipment.order.status == OrderStatus.DELIVERED


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"events": []}, ["events"]),
        (
            {"events": [{"event_id": "x", "type": "lost", "occurred_at": "2024-06-19T08:00"}]},
            ["events", 0, "type"],
        ),
        ({"events": [{"event_id": "", "type": "arrived", "occurred_at": "2024-06-19"}]}, None),
    ],
)
def test_bad_events_are_422_and_nothing_is_appended(
    client: Client, supervisor: Any, body: dict[str, Any], loc: list[Any] | None
) -> None:
    # given
    client.force_login(supervisor)
    shipment = ShipmentFactory()
    # when
    response = post_json(client, events_url(shipment), body)
    # then
    assert response.status_code == 422
    if loc is not None:
        assert [e["loc"][2:] for e in response.json()["detail"]] == [loc]
    assert LogisticsEvent.objects.count() == 0


def test_events_for_unknown_parcel_are_404(client: Client, supervisor: Any) -> None:
    # given
    client.force_login(supervisor)
    body = {"events": [{"event_id": "z", "type": "arrived", "occurred_at": "2024-06-19T08:00"}]}
    # when
    response = post_json(client, f"{LIST}shipments/SF/NOPE/events", body)
    # then
    assert response.status_code == 404
    assert LogisticsEvent.objects.count() == 0


# --- the selectors and service the API added -----------------------------------------------------


def test_shipment_get_for_user_is_scoped_like_orders(merchant_staff: Any) -> None:
    # given
    own = ShipmentFactory(order=OrderFactory(merchant=merchant_staff.merchant))
    other = ShipmentFactory()
    # when
    found = shipment_get_for_user(
        user=merchant_staff, carrier=own.carrier, tracking_number=f" {own.tracking_number} "
    )
    # then
    assert found == own
    with pytest.raises(NotFound):
        shipment_get_for_user(
            user=merchant_staff, carrier=other.carrier, tracking_number=other.tracking_number
        )
    with pytest.raises(NotFound):
        shipment_get_for_user(user=AnonymousUser(), carrier=own.carrier, tracking_number="x")


def test_can_upsert_order_keeps_merchant_staff_to_their_merchant(
    merchant_staff: Any, admin_user: Any
) -> None:
    # given
    own = merchant_staff.merchant
    OrderFactory(source=own.source, external_id="OTHERS")
    OrderFactory(source=own.source, external_id="NOBODYS", merchant=None)
    OrderFactory(source=own.source, external_id="MINE", merchant=own)

    def allowed(user: Any, external_id: str, merchant_external_id: str = own.external_id) -> bool:
        return can_upsert_order(
            user=user,
            source=own.source,
            external_id=external_id,
            merchant_external_id=merchant_external_id,
        )

    # when / then
    assert allowed(merchant_staff, "NEW")
    assert allowed(merchant_staff, "MINE")
    assert not allowed(merchant_staff, "OTHERS")
    assert not allowed(merchant_staff, "NOBODYS")
    assert not allowed(merchant_staff, "NEW", merchant_external_id="someone-else")
    assert allowed(admin_user, "OTHERS", merchant_external_id="anyone")


def test_logistics_events_append_reports_a_repeated_id_in_one_batch_as_existing(
    db: None,
) -> None:
    # given
    shipment = ShipmentFactory()
    scan = LogisticsEventData(
        event_id="dup", type=LogisticsEventType.ARRIVED, occurred_at=local(2024, 6, 1, 8)
    )
    # when
    result = logistics_events_append(shipment=shipment, events=[scan, scan])
    # then
    assert [e.event_id for e in result.created] == ["dup"]
    assert [e.event_id for e in result.existing] == ["dup"]
    assert LogisticsEvent.objects.count() == 1
