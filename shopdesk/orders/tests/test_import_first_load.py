import shutil
from typing import Any

import pytest
from django.core.management.base import CommandError
from django.db import connection

from shopdesk.orders.importers.first_load import FirstLoadError, first_load
from shopdesk.orders.models import Order, OrderItem
from shopdesk.orders.tests.test_import_olist import FIXTURE, run_import

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="indexes and foreign keys are dropped on PostgreSQL"
)

_CATALOG = """
    SELECT 'index', indexname, indexdef FROM pg_indexes
    WHERE tablename IN ('orders_order', 'orders_orderitem')
    UNION ALL
    SELECT 'constraint', conname, pg_get_constraintdef(oid)
        || ' validated=' || convalidated || ' deferrable=' || condeferrable
        || ' deferred=' || condeferred
    FROM pg_constraint WHERE conrelid IN ('orders_order'::regclass, 'orders_orderitem'::regclass)
    ORDER BY 1, 2
"""


def catalog() -> list[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(_CATALOG)
        return list(cursor.fetchall())


def order_rows() -> list[tuple[Any, ...]]:
    orders = Order.objects.values_list(
        "external_id",
        "status",
        "placed_at",
        "delivered_at",
        "total_amount",
        "customer__external_id",
        "merchant__external_id",
    )
    items = OrderItem.objects.values_list(
        "order__external_id", "line_no", "sku", "unit_price", "freight", "product__sku"
    )
    return sorted(orders) + sorted(items)


def first_load_with_an_orphan_item() -> None:
    with first_load(connection):
        run_import()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE orders_orderitem SET order_id = -1"
                " WHERE id = (SELECT min(id) FROM orders_orderitem)"
            )


@pytest.mark.django_db
def test_first_load_gives_the_same_rows_as_a_normal_import():
    # given the rows and summary of a normal import, then empty order tables
    normal = run_import()
    expected = order_rows()
    Order.objects.all().delete()
    if connection.vendor == "postgresql":
        # the test's transaction would otherwise still owe the deferred key checks of the delete
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    # when
    summary = run_import(FIXTURE, "--first-load")

    # then
    assert order_rows() == expected
    assert (summary["orders"], summary["items"], summary["rejected"]) == (
        normal["orders"],
        normal["items"],
        normal["rejected"],
    )
    assert summary["orders"] == 3


@pytest.mark.django_db
def test_first_load_is_refused_when_orders_exist():
    # given
    run_import()

    # when / then
    with pytest.raises(CommandError, match="needs empty order tables.*orders_order"):
        run_import(FIXTURE, "--first-load")


@postgres_only
@pytest.mark.django_db
def test_indexes_and_foreign_keys_are_back_exactly_after_a_first_load():
    # given the catalog of the migrated schema
    before = catalog()
    assert any(kind == "index" and "order_placed_idx" in name for kind, name, _d in before)
    assert any("FOREIGN KEY" in definition for _k, _n, definition in before)

    # when
    run_import(FIXTURE, "--first-load")

    # then
    assert catalog() == before


@postgres_only
@pytest.mark.django_db
def test_a_failure_mid_load_still_restores_indexes_and_keys(tmp_path):
    # given an Olist folder whose orders file lost a column (read after sellers, products and
    # customers were written)
    folder = tmp_path / "olist"
    shutil.copytree(FIXTURE, folder)
    orders = folder / "olist_orders_dataset.csv"
    orders.write_text(orders.read_text().replace('"order_status"', '"status"', 1))
    before = catalog()

    # when
    with pytest.raises(CommandError, match="order_status"):
        run_import(folder, "--first-load")

    # then
    assert catalog() == before


@postgres_only
@pytest.mark.django_db
def test_a_foreign_key_that_no_longer_validates_is_reported_with_its_fix():
    # given a first load during which an item row got an unknown order
    before = catalog()

    # when
    with pytest.raises(FirstLoadError) as caught:
        first_load_with_an_orphan_item()

    # then the message names the key and the statement; everything else is back
    message = str(caught.value)
    assert "orders_orderitem_order_id_fe61a34d_fk_orders_order_id" in message
    assert "ALTER TABLE orders_orderitem ADD CONSTRAINT" in message
    after = catalog()
    missing = [row for row in before if row not in after]
    assert [name for _k, name, _d in missing] == [
        "orders_orderitem_order_id_fe61a34d_fk_orders_order_id"
    ]
