from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from shopdesk.accounts.models import User
from shopdesk.accounts.tests.factories import CustomerFactory
from shopdesk.core.errors import NotFound
from shopdesk.orders.filters import OrderFilter
from shopdesk.orders.selectors import (
    order_get_for_user,
    order_list_for_user,
    order_page_for_user,
    order_timeline,
)
from shopdesk.orders.states import LogisticsEventType
from shopdesk.orders.tests.factories import (
    LogisticsEventFactory,
    OrderFactory,
    OrderItemFactory,
    ShipmentFactory,
)


@pytest.mark.django_db
def test_scope_per_audience(
    agent: User, merchant_staff: User, customer_user: User, staff_without_role: User
) -> None:
    # given
    own_merchant = OrderFactory(merchant=merchant_staff.merchant)
    own_customer = OrderFactory(customer=customer_user.customer)
    other = OrderFactory()
    everything = OrderFilter()
    # then
    assert set(order_list_for_user(user=agent, filters=everything)) == {
        own_merchant,
        own_customer,
        other,
    }
    assert list(order_list_for_user(user=merchant_staff, filters=everything)) == [own_merchant]
    assert list(order_list_for_user(user=customer_user, filters=everything)) == [own_customer]
    assert list(order_list_for_user(user=staff_without_role, filters=everything)) == []


@pytest.mark.django_db
def test_get_for_user_hides_other_merchants_orders(merchant_staff: User) -> None:
    other = OrderFactory()
    with pytest.raises(NotFound):
        order_get_for_user(user=merchant_staff, order_id=other.pk)


@pytest.mark.django_db
def test_customer_phone_and_name_match_exactly(agent: User) -> None:
    # given
    wanted = OrderFactory(customer=CustomerFactory(name="赵六", phone="13600001234"))
    OrderFactory(customer=CustomerFactory(name="赵六六", phone="13600001235"))
    # then
    by_phone = order_list_for_user(user=agent, filters=OrderFilter(customer_phone="136 0000 1234"))
    by_name = order_list_for_user(user=agent, filters=OrderFilter(customer_name="赵六"))
    assert list(by_phone) == [wanted]
    assert list(by_name) == [wanted]


@pytest.mark.django_db
def test_late_filter(agent: User) -> None:
    # given
    now = timezone.now()
    late_delivered = OrderFactory(promised_delivery_at=now - timedelta(days=2), delivered_at=now)
    on_time = OrderFactory(promised_delivery_at=now, delivered_at=now - timedelta(days=1))
    overdue_open = OrderFactory(
        status="shipped", delivered_at=None, promised_delivery_at=now - timedelta(hours=1)
    )
    # then
    late = set(order_list_for_user(user=agent, filters=OrderFilter(is_late=True)))
    not_late = set(order_list_for_user(user=agent, filters=OrderFilter(is_late=False)))
    assert late == {late_delivered, overdue_open}
    assert not_late == {on_time}


@pytest.mark.django_db
def test_page_query_count_does_not_grow_with_rows(
    agent: User, django_assert_num_queries: Any
) -> None:
    # given
    for _ in range(30):
        OrderFactory()
    # then: session-less selector call, permissions cached after the first call
    order_page_for_user(user=agent, filters=OrderFilter(), sort="-placed_at", cursor=None, limit=5)
    with django_assert_num_queries(1):
        page = order_page_for_user(
            user=agent, filters=OrderFilter(), sort="-placed_at", cursor=None, limit=25
        )
        [o.customer.masked_phone for o in page.items if o.customer]  # noqa: B018
    assert len(page.items) == 25


@pytest.mark.django_db
def test_timeline_mixes_milestones_and_logistics_in_time_order(agent: User) -> None:
    # given
    order = OrderFactory()
    shipment = ShipmentFactory(order=order)
    LogisticsEventFactory(
        shipment=shipment,
        type=LogisticsEventType.EXCEPTION,
        occurred_at=order.shipped_at + timedelta(hours=5),
        description="地址不详",
    )
    OrderItemFactory(order=order)
    # when
    loaded = order_get_for_user(user=agent, order_id=order.pk)
    entries = order_timeline(order=loaded)
    # then
    kinds = [e.kind for e in entries]
    assert kinds == ["placed", "approved", "shipped", "logistics:exception", "delivered"]
    assert entries == sorted(entries, key=lambda e: e.at)
    assert "地址不详" in entries[3].detail


@pytest.mark.django_db
def test_phone_without_digits_matches_no_one(agent: User) -> None:
    # given a customer with no phone at all
    OrderFactory(customer=CustomerFactory(phone=""))
    # when
    found = order_list_for_user(user=agent, filters=OrderFilter(customer_phone="abc"))
    # then
    assert list(found) == []
