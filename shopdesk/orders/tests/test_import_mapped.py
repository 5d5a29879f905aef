import json
from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from shopdesk.accounts.models import Customer, Merchant
from shopdesk.core import crypto
from shopdesk.orders.importers.encoding import resolve_encoding
from shopdesk.orders.models import Order, OrderItem, Product, Shipment
from shopdesk.orders.states import Carrier, OrderStatus

FIXTURES = Path(__file__).parent / "fixtures"
TAOBAO_CSV = FIXTURES / "taobao_gbk.csv"
TAOBAO_MAPPING = Path(__file__).parents[3] / "docs" / "mappings" / "taobao.json"


def run_import(path: Path, fmt: str, mapping: Path, *args: str) -> dict:
    out = StringIO()
    call_command(
        "import_orders",
        str(path),
        "--format",
        fmt,
        "--mapping",
        str(mapping),
        "--json",
        *args,
        stdout=out,
    )
    return json.loads(out.getvalue())


def test_auto_encoding_detects_gbk_and_utf8(tmp_path):
    # given
    utf8 = tmp_path / "utf8.csv"
    utf8.write_text("订单编号\nT1\n", encoding="utf-8")

    # when / then
    assert resolve_encoding(TAOBAO_CSV, "auto") == "gb18030"
    assert resolve_encoding(utf8, "auto") == "utf-8-sig"
    assert resolve_encoding(utf8, "GBK") == "gb18030"


@pytest.mark.django_db
def test_gbk_taobao_export_imports_with_encrypted_contacts():
    # given a GBK export read through the shipped Taobao mapping
    # when
    summary = run_import(TAOBAO_CSV, "csv", TAOBAO_MAPPING)

    # then
    assert (summary["orders"], summary["items"], summary["rejected"]) == (2, 3, 2)
    customer = Customer.objects.get(source="taobao", external_id="zhangsan_88")
    assert "张三" not in customer.name_enc
    assert "13800138000" not in customer.phone_enc
    assert "文三路" not in customer.address_enc
    assert crypto.decrypt_str(customer.name_enc) == "张三"
    assert crypto.decrypt_str(customer.address_enc) == "浙江省杭州市西湖区文三路100号"
    assert customer.city == "杭州市"
    found = Customer.objects.get(name_hash=crypto.lookup_hash(crypto.normalise_text("张三")))
    assert found == customer
    li = Customer.objects.get(phone_hash=crypto.lookup_hash(crypto.normalise_phone("13900001111")))
    assert li.external_id == "lisi_2023"


@pytest.mark.django_db
def test_taobao_order_fields_items_and_shipment():
    # given / when
    run_import(TAOBAO_CSV, "csv", TAOBAO_MAPPING)

    # then
    order = Order.objects.get(source="taobao", external_id="T1001")
    assert order.status == OrderStatus.COMPLETED
    assert order.currency == "CNY"
    assert order.placed_at == datetime(2023, 5, 1, 4, 0, tzinfo=UTC)  # Asia/Shanghai
    assert order.completed_at == datetime(2023, 5, 6, 10, 0, tzinfo=UTC)
    assert order.has_freight_insurance is True
    assert order.total_amount == Decimal("249.00") + 2 * Decimal("19.90") + Decimal("5.00")
    assert order.merchant == Merchant.objects.get(source="taobao", external_id="小米旗舰店")
    lines = list(order.items.order_by("line_no").values_list("line_no", "sku", "quantity"))
    assert lines == [(1, "MI-BAND-8", 1), (2, "MI-STRAP", 2)]
    product = Product.objects.get(source="taobao", sku="MI-STRAP")
    assert (product.name, product.category) == ("手环腕带 三条装", "配件")
    shipment = Shipment.objects.get(tracking_number="SF1234567890")
    assert (shipment.order, shipment.carrier) == (order, Carrier.SF)
    assert Order.objects.get(external_id="T1002").status == OrderStatus.SHIPPED


@pytest.mark.django_db
def test_taobao_bad_rows_reported_and_rerun_changes_nothing():
    # given
    first = run_import(TAOBAO_CSV, "csv", TAOBAO_MAPPING)

    # when
    second = run_import(TAOBAO_CSV, "csv", TAOBAO_MAPPING)

    # then
    reasons = {e["line"]: e["reason"] for e in first["errors"]}
    assert {e["file"] for e in first["errors"]} == {"taobao_gbk.csv"}
    assert "unit_price is not a number" in reasons[5]
    assert "unknown status" in reasons[6]
    assert set(second["changed"].values()) == {0}
    assert Order.objects.count() == 2
    assert OrderItem.objects.count() == 3


@pytest.mark.django_db
def test_jsonl_with_nested_keys():
    # given / when
    summary = run_import(FIXTURES / "webshop.jsonl", "jsonl", FIXTURES / "webshop_mapping.json")

    # then
    assert (summary["orders"], summary["items"], summary["rejected"]) == (2, 3, 2)
    reasons = {e["line"]: e["reason"] for e in summary["errors"]}
    assert "missing sku" in reasons[4]
    assert "not valid JSON" in reasons[5]
    order = Order.objects.get(source="webshop", external_id="W-1")
    assert order.status == OrderStatus.PAID
    assert order.placed_at == datetime(2024, 1, 5, 2, 0, tzinfo=UTC)
    assert order.total_amount == Decimal("32.00")  # 2 * 12.5 + 3 + 4
    customer = order.customer
    assert crypto.decrypt_str(customer.email_enc) == "Wang.Wu@example.com"
    assert customer.email_hash == crypto.lookup_hash("wang.wu@example.com")
    assert customer.city == "Shanghai"
    assert Order.objects.get(external_id="W-2").status == OrderStatus.CANCELLED


@pytest.mark.django_db
def test_explicit_wrong_encoding_is_a_clear_error():
    # given / when / then
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--encoding"):
        run_import(TAOBAO_CSV, "csv", TAOBAO_MAPPING, "--encoding", "utf-8")
