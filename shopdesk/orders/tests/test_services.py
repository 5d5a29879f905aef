import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from shopdesk.accounts.models import Customer
from shopdesk.accounts.services import CustomerContact
from shopdesk.core import crypto
from shopdesk.core.errors import DomainError
from shopdesk.orders.models import LogisticsEvent, Order, OrderItem, Product
from shopdesk.orders.services import (
    CustomerData,
    ItemData,
    LogisticsEventData,
    OrderData,
    ShipmentData,
    logistics_event_append,
    order_upsert,
)
from shopdesk.orders.states import LogisticsEventType, OrderStatus
from shopdesk.orders.tests.factories import OrderFactory, ShipmentFactory

PLACED = datetime(2026, 11, 11, 20, 15, tzinfo=UTC)


def _data(**overrides: object) -> OrderData:
    placed = PLACED
    fields: dict[str, object] = {
        "status": OrderStatus.SHIPPED,
        "placed_at": placed,
        "merchant_external_id": "shop-1",
        "merchant_name": "优品旗舰店",
        "customer": CustomerData(
            external_id="buyer-1",
            contact=CustomerContact(name="李四", phone="13900001111", email="li@example.com"),
        ),
        "items": (
            ItemData(sku="A-1", unit_price=Decimal("99.50"), quantity=2, freight=Decimal("10")),
            ItemData(sku="B-2", unit_price=Decimal("20.00")),
        ),
        "shipments": (ShipmentData(carrier="SF", tracking_number="SF1234567890"),),
    }
    fields.update(overrides)
    return OrderData(**fields)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_order_upsert_creates_order_items_customer_and_encrypts_contact() -> None:
    # when
    order, created = order_upsert(source="shop", external_id="T1", data=_data())
    # then
    assert created
    assert order.total_amount == Decimal("229.00")  # 99.50*2 + 10 + 20
    assert list(order.items.order_by("line_no").values_list("sku", "quantity")) == [
        ("A-1", 2),
        ("B-2", 1),
    ]
    assert order.merchant is not None
    assert order.merchant.name == "优品旗舰店"
    customer = Customer.objects.get(external_id="buyer-1")
    assert "13900001111" not in customer.phone_enc
    assert customer.masked_phone == "139****1111"
    assert customer.phone_hash == crypto.lookup_hash("13900001111")
    assert order.shipments.get().tracking_number == "SF1234567890"


@pytest.mark.django_db
def test_order_upsert_twice_is_idempotent() -> None:
    # given
    first, _ = order_upsert(source="shop", external_id="T1", data=_data())
    # when
    second, created = order_upsert(source="shop", external_id="T1", data=_data())
    # then
    assert not created
    assert first.pk == second.pk
    assert Order.objects.count() == 1
    assert OrderItem.objects.count() == 2
    assert Product.objects.count() == 2
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_identical_upsert_writes_nothing() -> None:
    # given
    order, _ = order_upsert(source="shop", external_id="T1", data=_data())
    before = Order.objects.get(pk=order.pk).updated_at
    item_ids = set(OrderItem.objects.values_list("id", flat=True))
    customer = Customer.objects.get()
    # when
    order_upsert(source="shop", external_id="T1", data=_data())
    # then: no row was touched
    assert Order.objects.get(pk=order.pk).updated_at == before
    assert set(OrderItem.objects.values_list("id", flat=True)) == item_ids
    again = Customer.objects.get()
    assert again.updated_at == customer.updated_at
    assert again.phone_enc == customer.phone_enc


@pytest.mark.django_db
def test_changed_contact_is_re_encrypted() -> None:
    # given
    order_upsert(source="shop", external_id="T1", data=_data())
    new_customer = CustomerData(
        external_id="buyer-1", contact=CustomerContact(name="李四", phone="13900002222")
    )
    # when
    order_upsert(source="shop", external_id="T1", data=_data(customer=new_customer))
    # then
    assert Customer.objects.get().masked_phone == "139****2222"


@pytest.mark.django_db
def test_order_upsert_replaces_fields_from_the_shop() -> None:
    # given
    order_upsert(source="shop", external_id="T1", data=_data())
    # when
    delivered = timezone.now()
    order, _ = order_upsert(
        source="shop",
        external_id="T1",
        data=_data(
            status=OrderStatus.DELIVERED,
            delivered_at=delivered,
            items=(ItemData(sku="A-1", unit_price=Decimal("5")),),
        ),
    )
    # then
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    assert order.delivered_at == delivered
    assert order.items.count() == 1
    assert order.total_amount == Decimal("5.00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("item", "message"),
    [
        (ItemData(sku="A", unit_price=Decimal("-1")), "negative amount"),
        (ItemData(sku="A", unit_price=Decimal("1"), quantity=0), "quantity"),
        (ItemData(sku=" ", unit_price=Decimal("1")), "SKU is missing"),
    ],
)
def test_order_upsert_rejects_bad_items_and_writes_nothing(item: ItemData, message: str) -> None:
    # when
    with pytest.raises(DomainError, match=message):
        order_upsert(source="shop", external_id="BAD", data=_data(items=(item,)))
    # then
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_logistics_event_append_is_idempotent_and_delivery_marks_order() -> None:
    # given
    shipment = ShipmentFactory(order=OrderFactory(status=OrderStatus.SHIPPED, delivered_at=None))
    at = timezone.now()
    data = LogisticsEventData(event_id="ev-1", type=LogisticsEventType.DELIVERED, occurred_at=at)
    # when
    _, created_first = logistics_event_append(shipment=shipment, data=data)
    _, created_again = logistics_event_append(shipment=shipment, data=data)
    # then
    assert created_first
    assert not created_again
    assert LogisticsEvent.objects.count() == 1
    shipment.order.refresh_from_db()
    assert shipment.order.status == OrderStatus.DELIVERED
    assert shipment.order.delivered_at == at


@pytest.mark.django_db
def test_late_scan_never_moves_a_completed_order_back() -> None:
    # given
    order = OrderFactory(status=OrderStatus.COMPLETED)
    shipment = ShipmentFactory(order=order)
    # when
    logistics_event_append(
        shipment=shipment,
        data=LogisticsEventData(
            event_id="late", type=LogisticsEventType.IN_TRANSIT, occurred_at=timezone.now()
        ),
    )
    # then
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED


@pytest.mark.django_db(transaction=True)
def test_concurrent_upserts_of_one_new_order_create_it_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs a server database: in-memory SQLite has one connection")
    # given
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def worker(n: int) -> None:
        try:
            barrier.wait()
            order_upsert(
                source="shop",
                external_id="RACE",
                data=_data(items=(ItemData(sku=f"S{n}", unit_price=Decimal(n)),)),
            )
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then: one order, whose items are exactly one writer's items (no interleaving)
    assert errors == []
    order = Order.objects.get(external_id="RACE")
    skus = list(order.items.values_list("sku", flat=True))
    assert len(skus) == 1
    assert order.total_amount == Decimal(skus[0][1:])
