import json
import random
import re
from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from shopdesk.accounts.models import Customer, Merchant, User
from shopdesk.accounts.roles import Role
from shopdesk.core import crypto
from shopdesk.orders.demo import DemoConfig, demo_generate
from shopdesk.orders.demo.timeline import DayPicker, simulate_order
from shopdesk.orders.demo.tracking import s10_check_digit, tracking_number
from shopdesk.orders.models import LogisticsEvent, Order, OrderItem, Product, Shipment
from shopdesk.orders.states import Carrier, LogisticsEventType, OrderStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")
FORMATS = {
    "SF": r"SF\d{13}",
    "ZTO": r"7\d{13}",
    "YTO": r"YT\d{13}",
    "JD": r"JDVA\d{11}",
    "EMS": r"E[A-Z]\d{9}CN",
}


def _snapshot():
    orders = list(
        Order.objects.order_by("external_id").values_list(
            "external_id", "status", "placed_at", "approved_at", "delivered_at", "total_amount"
        )
    )
    customers = list(
        Customer.objects.order_by("external_id").values_list("external_id", "phone_hash", "tier")
    )
    events = list(LogisticsEvent.objects.order_by("event_id").values_list("event_id", "type"))
    return orders, customers, events


def _wipe():
    for model in (LogisticsEvent, Shipment, OrderItem, Order, Product):
        model.objects.all().delete()
    Customer.objects.all().delete()
    User.objects.filter(username__startswith="demo-").delete()
    Merchant.objects.all().delete()


@pytest.mark.django_db
def test_same_seed_gives_same_data():
    # given / when: the same configuration generated twice into an emptied database
    config = DemoConfig(orders=60, seed=7, batch_size=25)
    demo_generate(config=config, show_progress=False)
    first = _snapshot()
    _wipe()
    demo_generate(config=config, show_progress=False)
    # then
    assert _snapshot() == first
    assert len(first[0]) == 60


@pytest.mark.django_db
def test_other_seed_gives_other_data():
    # given
    demo_generate(config=DemoConfig(orders=30, seed=1), show_progress=False)
    first = _snapshot()
    _wipe()
    # when
    demo_generate(config=DemoConfig(orders=30, seed=2), show_progress=False)
    # then
    assert _snapshot()[0] != first[0]


@pytest.mark.django_db
def test_demo_data_is_realistic():
    # given / when
    result = demo_generate(
        config=DemoConfig(orders=400, seed=3, batch_size=150), show_progress=False
    )
    # then: every order is the demo's, with items and consistent milestones
    assert result.orders == Order.objects.filter(source="demo").count() == 400
    assert not Order.objects.filter(items__isnull=True).exists()
    statuses = Counter(Order.objects.values_list("status", flat=True))
    assert statuses[OrderStatus.COMPLETED] > 200
    assert statuses[OrderStatus.CANCELLED] > 0
    for order in Order.objects.exclude(delivered_at=None):
        assert order.placed_at <= order.approved_at <= order.shipped_at <= order.delivered_at
    # Chinese shop names, categories, non-returnable products
    assert all(re.search(r"[\u4e00-\u9fff]", m.name) for m in Merchant.objects.all())
    assert {"服装", "数码", "食品", "图书", "虚拟"} <= set(
        Product.objects.values_list("category", flat=True)
    )
    assert Product.objects.filter(is_returnable=False).exists()
    # tracking numbers in the carriers' formats; delays and exceptions exist
    for carrier, number in Shipment.objects.values_list("carrier", "tracking_number"):
        assert re.fullmatch(FORMATS[carrier], number), number
    assert LogisticsEvent.objects.filter(type=LogisticsEventType.EXCEPTION).exists() or (
        Order.objects.filter(delivered_at__isnull=False).count() < 50
    )
    late = [
        o
        for o in Order.objects.exclude(delivered_at=None)
        if o.delivered_at > o.promised_delivery_at
    ]
    assert late
    # customers: encrypted contact data, several tiers and languages
    customer = Customer.objects.exclude(name_enc="").first()
    assert "@" in crypto.decrypt_str(customer.email_enc)
    assert set(Customer.objects.values_list("language", flat=True)) == {"zh-hans", "en"}


@pytest.mark.django_db
def test_evening_peak_and_double_eleven():
    # given
    picker = DayPicker.build(until=date(2026, 11, 20), days=365)
    rng = random.Random(5)
    # when
    placed = [picker.placed_at(rng, SHANGHAI) for _ in range(20000)]
    # then
    hours = Counter(p.hour for p in placed)
    days = Counter(p.date() for p in placed)
    assert hours[21] > 3 * hours[4]
    assert days[date(2026, 11, 11)] > 4 * days[date(2026, 10, 14)]


def test_simulated_order_never_passes_now():
    # given
    rng = random.Random(9)
    now = datetime(2026, 11, 21, tzinfo=SHANGHAI)
    for hours in range(0, 400, 7):
        placed = datetime(2026, 11, 4, tzinfo=SHANGHAI) + (now - now.replace(day=20)) * hours / 24
        # when
        life = simulate_order(rng, placed_at=placed, now=now, city="上海", remote=False)
        # then
        stamps = [life.paid_at, life.approved_at, life.shipped_at, life.delivered_at]
        assert all(s is None or s <= now for s in stamps)
        assert all(scan.at <= now for scan in life.scans)


def test_tracking_numbers_are_unique_and_well_formed():
    # given / when
    numbers = {tracking_number(c, n) for c in ("SF", "ZTO", "EMS") for n in range(5000)}
    # then
    assert len(numbers) == 15000
    assert s10_check_digit("47312482") == 9  # the UPU S10 example RR473124829GB
    ems = tracking_number(Carrier.EMS, 42)
    assert re.fullmatch(FORMATS["EMS"], ems)
    assert int(ems[10]) == s10_check_digit(ems[2:10])


@pytest.mark.django_db
def test_demo_command_prints_logins_for_every_role(capsys):
    # when
    call_command("demo", "--orders", "50", "--seed", "4")
    # then
    out = capsys.readouterr().out
    for role in Role:
        assert role.value in out
    assert "demo-customer1" in out
    merchant_user = User.objects.get(username="demo-merchant1")
    assert merchant_user.merchant_id is not None
    assert merchant_user.groups.filter(name=Role.MERCHANT_STAFF).exists()
    customer_login = User.objects.get(username="demo-customer1")
    assert customer_login.customer.source == "demo"
    password = re.search(r"demo-admin\s+(\S+)\s+admin", out).group(1)
    assert User.objects.get(username="demo-admin").check_password(password)


@pytest.mark.django_db
def test_if_empty_does_nothing_when_orders_exist(capsys):
    # given
    call_command("demo", "--orders", "20", "--json")
    capsys.readouterr()
    # when
    call_command("demo", "--orders", "20", "--if-empty", "--json")
    # then
    assert json.loads(capsys.readouterr().out) == {"created": False, "existing_orders": 20}
    assert Order.objects.count() == 20
    with pytest.raises(CommandError, match="already holds 20 orders"):
        call_command("demo", "--orders", "20")


@pytest.mark.django_db
def test_second_demo_run_prints_working_logins_again(capsys):
    # given a demo database made earlier, whose printed passwords are lost
    call_command("demo", "--orders", "20", "--json")
    capsys.readouterr()
    # when
    call_command("demo", "--orders", "20", "--if-empty")
    # then the logins are printed with new passwords that work, and no data was added
    out = capsys.readouterr().out
    password = re.search(r"demo-supervisor\s+(\S+)\s+supervisor", out).group(1)
    assert User.objects.get(username="demo-supervisor").check_password(password)
    assert re.search(r"demo-customer1\s+\S+\s+customer", out)
    assert Order.objects.count() == 20
