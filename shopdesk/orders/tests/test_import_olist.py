import json
from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from shopdesk.accounts.models import Customer, Merchant
from shopdesk.orders.models import Order, OrderItem, Product
from shopdesk.orders.states import OrderStatus

FIXTURE = Path(__file__).parent / "fixtures" / "olist"
SUMMARY_KEYS = {
    "orders",
    "items",
    "customers",
    "merchants",
    "products",
    "rejected",
    "errors",
    "changed",
    "seconds",
    "orders_per_second",
}


def run_import(path: Path = FIXTURE, *args: str) -> dict:
    out = StringIO()
    call_command(
        "import_orders",
        str(path),
        "--format",
        "olist",
        "--timezone",
        "America/Sao_Paulo",
        "--json",
        *args,
        stdout=out,
        stderr=StringIO(),
    )
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_olist_fixture_lands_every_field():
    # given the hand-written Olist folder (3 good orders, 3 good items, bad rows in both files)
    # when
    summary = run_import()

    # then counts
    assert (summary["orders"], summary["items"]) == (3, 3)
    assert Order.objects.filter(source="olist").count() == 3
    assert OrderItem.objects.count() == 3
    assert Merchant.objects.filter(source="olist").count() == 2
    assert Product.objects.filter(source="olist").count() == 3
    # one person ordering twice under two per-order customer ids is one customer
    assert Customer.objects.filter(source="olist").count() == 2
    # and the order's fields
    order = Order.objects.get(external_id="e481f51cbdc54678b7cc49136f2d6af7")
    assert order.status == OrderStatus.DELIVERED
    assert order.currency == "BRL"
    assert order.placed_at == datetime(2017, 10, 2, 13, 56, 33, tzinfo=UTC)  # UTC-3 in Oct 2017
    assert order.approved_at == datetime(2017, 10, 2, 14, 7, 15, tzinfo=UTC)
    assert order.shipped_at == datetime(2017, 10, 4, 22, 55, tzinfo=UTC)
    assert order.delivered_at == datetime(2017, 10, 11, 0, 25, 13, tzinfo=UTC)
    # Brazil switched to summer time (UTC-2) on 2017-10-15: the zone, not a fixed offset
    assert order.promised_delivery_at == datetime(2017, 10, 18, 2, 0, tzinfo=UTC)
    assert order.paid_at is None
    assert order.customer.external_id == "861eff4711a542e4b93843c6dd7febb0"
    assert order.customer.city == "franca"
    assert order.customer.region == "SP"
    # merchant = seller of the lowest line number, total = sum(price * qty + freight)
    assert order.merchant.external_id == "3442f8959a84dea7ee197c632cb2df15"
    assert order.total_amount == Decimal("49.21")


@pytest.mark.django_db
def test_olist_items_and_products_map_their_columns():
    # given / when
    run_import()

    # then
    items = OrderItem.objects.filter(order__external_id="e481f51cbdc54678b7cc49136f2d6af7")
    first, second = items.order_by("line_no")
    assert (first.line_no, first.sku, first.quantity) == (1, "4244733e06e7ecb4970a6e2683c13e61", 1)
    assert (first.unit_price, first.freight) == (Decimal("29.99"), Decimal("8.72"))
    assert first.merchant.external_id == "3442f8959a84dea7ee197c632cb2df15"
    assert first.product.category == "cool_stuff"
    assert second.merchant.external_id == "d1b65fc7debc3361ea86b5f14c68d2e2"
    assert second.product.category == ""  # Olist leaves some categories empty
    assert second.product.merchant is None
    seller = Merchant.objects.get(external_id="3442f8959a84dea7ee197c632cb2df15")
    assert (seller.name, seller.city, seller.region) == (seller.external_id, "campinas", "SP")
    shipped = Order.objects.get(external_id="53cdb2fc8bc7dce0b6741e2150273451")
    assert shipped.status == OrderStatus.SHIPPED
    assert shipped.delivered_at is None
    cancelled = Order.objects.get(external_id="47770eb9100c2d0c44946d9cf07ec65d")
    assert cancelled.status == OrderStatus.CANCELLED
    assert cancelled.customer == Order.objects.get(external_id=order_e481()).customer
    assert cancelled.total_amount == Decimal("0.00")  # its only item was rejected
    assert cancelled.merchant is None


def order_e481() -> str:
    return "e481f51cbdc54678b7cc49136f2d6af7"


@pytest.mark.django_db
def test_bad_rows_are_reported_with_file_line_and_reason():
    # given / when
    summary = run_import()

    # then
    errors = {(e["file"], e["line"]): e["reason"] for e in summary["errors"]}
    assert summary["rejected"] == 5
    assert "unknown status" in errors[("olist_orders_dataset.csv", 5)]
    assert "bad date" in errors[("olist_orders_dataset.csv", 6)]
    assert "negative price" in errors[("olist_order_items_dataset.csv", 5)]
    assert "unknown order" in errors[("olist_order_items_dataset.csv", 6)]
    assert "not a number" in errors[("olist_order_items_dataset.csv", 7)]


@pytest.mark.django_db
def test_second_run_changes_nothing():
    # given
    first = run_import()
    counts = [m.objects.count() for m in (Order, OrderItem, Customer, Merchant, Product)]
    stamps = list(Order.objects.order_by("pk").values_list("updated_at", flat=True))

    # when
    second = run_import()

    # then
    assert set(first["changed"].values()) != {0}
    assert set(second["changed"].values()) == {0}
    assert [m.objects.count() for m in (Order, OrderItem, Customer, Merchant, Product)] == counts
    assert list(Order.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps
    assert second["orders"] == first["orders"]


@pytest.mark.django_db
def test_small_batches_give_the_same_result():
    # given / when
    summary = run_import(FIXTURE, "--batch-size", "1")

    # then
    assert (summary["orders"], summary["items"], summary["rejected"]) == (3, 3, 5)
    assert Order.objects.get(external_id=order_e481()).total_amount == Decimal("49.21")


@pytest.mark.django_db
def test_json_summary_has_the_documented_keys():
    # given / when
    summary = run_import()

    # then
    assert set(summary) >= SUMMARY_KEYS
    assert set(summary["changed"]) >= {"orders", "items", "customers", "merchants", "products"}
    assert summary["errors"][0].keys() == {"file", "line", "reason"}
    assert isinstance(summary["seconds"], float)
