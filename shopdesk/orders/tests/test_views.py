"""Order pages: role matrix, scoping, form errors, keyset pages, the audited reveal, languages."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shopdesk.accounts.models import User
from shopdesk.accounts.tests.factories import CustomerFactory
from shopdesk.audit.models import AuditEvent
from shopdesk.core import crypto
from shopdesk.orders import views
from shopdesk.orders.states import LogisticsEventType, OrderStatus
from shopdesk.orders.tests.factories import (
    LogisticsEventFactory,
    OrderFactory,
    OrderItemFactory,
    ShipmentFactory,
)

SEARCH = reverse("orders:search")


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _detail(order_id: int) -> str:
    return reverse("orders:detail", args=[order_id])


def _reveal(order_id: int) -> str:
    return reverse("orders:reveal-customer", args=[order_id])


def _shown(response) -> set[str]:
    """Order numbers listed in the results table."""
    return {row.order.external_id for row in response.context["rows"]}


# --- role matrix ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["search", "detail"])
def test_anonymous_is_sent_to_login(page):
    # given
    order = OrderFactory()
    url = SEARCH if page == "search" else _detail(order.pk)
    # when
    response = _client(None).get(url)
    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("page", ["search", "detail"])
def test_staff_without_permission_gets_403(staff_without_role, page):
    # given
    order = OrderFactory()
    url = SEARCH if page == "search" else _detail(order.pk)
    # when
    response = _client(staff_without_role).get(url)
    # then
    assert response.status_code == 403
    assert order.external_id.encode() not in response.content


def test_agent_sees_every_order(agent):
    # given
    orders = OrderFactory.create_batch(3)
    # when
    response = _client(agent).get(SEARCH)
    # then
    assert response.status_code == 200
    assert _shown(response) == {o.external_id for o in orders}
    assert "merchant" in response.context["form"].fields


def test_customer_sees_only_own_orders(customer_user):
    # given
    own = OrderFactory(customer=customer_user.customer)
    other = OrderFactory()
    client = _client(customer_user)
    # when
    listing = client.get(SEARCH)
    own_page = client.get(_detail(own.pk))
    other_page = client.get(_detail(other.pk))
    # then
    assert _shown(listing) == {own.external_id}
    assert "merchant" not in listing.context["form"].fields
    assert own_page.status_code == 200
    assert other_page.status_code == 404
    assert other.external_id.encode() not in other_page.content


def test_merchant_staff_sees_only_its_merchant(merchant_staff):
    # given
    own = OrderFactory(merchant=merchant_staff.merchant)
    other = OrderFactory()
    client = _client(merchant_staff)
    # when
    listing = client.get(SEARCH)
    forced = client.get(SEARCH, {"order_number": other.external_id})
    other_page = client.get(_detail(other.pk))
    # then
    assert _shown(listing) == {own.external_id}
    assert "merchant" not in listing.context["form"].fields
    assert _shown(forced) == set()
    assert other_page.status_code == 404
    assert client.get(_detail(own.pk)).status_code == 200


# --- search -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("tracking_number", "SF-FIND-ME"),
        ("customer_phone", "+86 139 0000 1234"),
        ("customer_name", "李四"),
        ("order_number", "WANTED-1"),
    ],
)
def test_search_filters_by_condition(agent, field, value):
    # given
    wanted = OrderFactory(
        external_id="WANTED-1", customer=CustomerFactory(name="李四", phone="13900001234")
    )
    ShipmentFactory(order=wanted, tracking_number="SF-FIND-ME")
    OrderFactory.create_batch(2)
    # when
    response = _client(agent).get(SEARCH, {field: value})
    # then
    assert _shown(response) == {"WANTED-1"}


def test_search_by_status_late_and_amount(agent):
    # given
    now = timezone.now()
    late = OrderFactory(
        status=OrderStatus.SHIPPED,
        delivered_at=None,
        promised_delivery_at=now - timedelta(days=1),
        total_amount="500.00",
    )
    OrderFactory(
        status=OrderStatus.SHIPPED,
        delivered_at=None,
        promised_delivery_at=now + timedelta(days=2),
        total_amount="500.00",
    )
    OrderFactory(total_amount="20.00")
    query = {"status": ["shipped", "paid"], "late": "yes", "amount_min": "100"}
    # when
    response = _client(agent).get(SEARCH, query)
    # then
    assert _shown(response) == {late.external_id}
    assert response.context["rows"][0].is_late is True
    assert b"badge late" in response.content


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"placed_from": "2024-06-10", "placed_to": "2024-06-01"}, "placed_to", "placed from"),
        ({"delivered_from": "2024-06-10", "delivered_to": "2024-06-01"}, "delivered_to", "deliv"),
        ({"amount_min": "300", "amount_max": "100"}, "amount_max", "minimum amount"),
        ({"placed_from": "2024-13-45"}, "placed_from", "real date"),
        ({"amount_min": "-5"}, "amount_min", "greater than or equal to 0"),
        ({"sort": "password"}, "sort", "not one of the available choices"),
    ],
)
def test_bad_conditions_show_field_errors_and_no_results(agent, query, field, message):
    # given
    OrderFactory()
    # when
    response = _client(agent).get(SEARCH, query)
    # then
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    assert b"form-errors" in response.content
    assert b'aria-invalid="true"' in response.content
    assert response.context["rows"] == []


def test_next_page_works_as_plain_link_and_as_htmx_rows(agent, monkeypatch):
    # given
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    base = timezone.now() - timedelta(days=10)
    orders = [OrderFactory(placed_at=base + timedelta(hours=i)) for i in range(5)]
    client = _client(agent)
    # when
    first = client.get(SEARCH, {"sort": "placed_at"})
    second = client.get(first.context["next_url"])
    rows_only = client.get(second.context["next_url"], headers={"HX-Request": "true"})
    # then
    numbers = [o.external_id for o in orders]
    assert [r.order.external_id for r in first.context["rows"]] == numbers[:2]
    assert [r.order.external_id for r in second.context["rows"]] == numbers[2:4]
    assert "sort=placed_at" in second.context["next_url"]
    assert b"<html" not in rows_only.content
    assert numbers[4].encode() in rows_only.content
    assert b"more-row" not in rows_only.content


def test_broken_cursor_falls_back_to_first_page(agent):
    # given
    order = OrderFactory()
    # when
    response = _client(agent).get(SEARCH, {"cursor": "not-a-cursor"})
    # then
    assert response.status_code == 200
    assert _shown(response) == {order.external_id}
    assert "no longer valid" in response.context["notice"]


@pytest.mark.parametrize("count", [1, 12])
def test_search_query_count_does_not_grow_with_rows(agent, django_assert_num_queries, count):
    # given
    OrderFactory.create_batch(count)
    client = _client(agent)
    # when / then: session, user, user perms, group perms, merchants for the select, one page
    with django_assert_num_queries(6):
        response = client.get(SEARCH, {"status": "delivered", "late": "no"})
    assert len(response.context["rows"]) == count


# --- order page -------------------------------------------------------------------------------


def test_order_page_shows_masked_customer_items_shipments_and_timeline(agent):
    # given
    order = OrderFactory(customer=CustomerFactory(name="张三", phone="13812341234"))
    OrderItemFactory(order=order, sku="SKU-DETAIL")
    shipment = ShipmentFactory(order=order, tracking_number="SF0001112223")
    LogisticsEventFactory(shipment=shipment, location="杭州转运中心")
    LogisticsEventFactory(
        shipment=shipment, type=LogisticsEventType.EXCEPTION, description="address unknown"
    )
    # when
    response = _client(agent).get(_detail(order.pk))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert "138****1234" in body
    assert "张*" in body
    assert "13812341234" not in body
    assert "SKU-DETAIL" in body
    assert "SF0001112223" in body
    assert "杭州转运中心" in body
    assert 'class="logistics exception"' in body
    assert "Show contact details" in body
    kinds = [e.kind for e in response.context["timeline"]]
    assert "placed" in kinds
    assert "logistics:exception" in kinds


def test_order_page_hides_reveal_button_without_pii_permission(merchant_staff):
    # given
    order = OrderFactory(merchant=merchant_staff.merchant)
    # when
    response = _client(merchant_staff).get(_detail(order.pk))
    # then
    assert response.status_code == 200
    assert b"Show contact details" not in response.content


def test_missing_order_is_404(agent):
    assert _client(agent).get(_detail(999999)).status_code == 404


# --- reveal -----------------------------------------------------------------------------------


def test_reveal_is_post_only(agent):
    # given
    order = OrderFactory()
    # when
    response = _client(agent).get(_reveal(order.pk))
    # then
    assert response.status_code == 405
    assert not AuditEvent.objects.exists()


def test_reveal_shows_contact_and_writes_audit(agent):
    # given
    order = OrderFactory(customer=CustomerFactory(name="张三", phone="13812341234"))
    # when
    response = _client(agent).post(_reveal(order.pk), headers={"HX-Request": "true"})
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert "13812341234" in body
    assert "张三" in body
    assert "<html" not in body  # only the contact partial is swapped in
    event = AuditEvent.objects.get()
    assert event.action == AuditEvent.Action.PII_VIEWED
    assert event.actor_id == agent.pk
    assert event.object_id == str(order.customer_id)
    assert event.data["reason"] == f"order:{order.external_id}"


def test_reveal_without_js_renders_the_whole_page(agent):
    # given
    order = OrderFactory(customer=CustomerFactory(phone="13812341234"))
    # when
    response = _client(agent).post(_reveal(order.pk))
    # then
    assert b"<html" in response.content
    assert b"13812341234" in response.content


@pytest.mark.parametrize("who", ["merchant_staff", "customer_user", "staff_without_role"])
def test_reveal_refused_without_permission_and_not_audited(request, who):
    # given
    user = request.getfixturevalue(who)
    own = {"merchant": user.merchant} if user.merchant_id else {}
    if who == "customer_user":
        own = {"customer": user.customer}
    order = OrderFactory(**own)
    phone = crypto.decrypt_str(order.customer.phone_enc)
    # when
    response = _client(user).post(_reveal(order.pk))
    # then
    assert response.status_code == 403
    assert not AuditEvent.objects.exists()
    assert phone.encode() not in response.content


def test_reveal_of_invisible_order_is_404_and_not_audited(agent):
    # given: no order 424242
    # when
    response = _client(agent).post(_reveal(424242))
    # then
    assert response.status_code == 404
    assert not AuditEvent.objects.exists()


def test_reveal_requires_csrf_token(agent):
    # given
    order = OrderFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    # when
    response = client.post(_reveal(order.pk))
    # then
    assert response.status_code == 403
    assert not AuditEvent.objects.exists()


# --- languages --------------------------------------------------------------------------------


def test_chinese_is_the_default_and_english_can_be_chosen(agent, settings):
    # given
    settings.LANGUAGE_CODE = "zh-hans"
    client = _client(agent)
    # when
    chinese = client.get(SEARCH)
    client.post(reverse("set_language"), {"language": "en", "next": SEARCH})
    english = client.get(SEARCH)
    # then
    assert '<html lang="zh-Hans">' in chinese.content.decode()
    assert "订单查询" in chinese.content.decode()
    assert '<html lang="en">' in english.content.decode()
    assert "Order search" in english.content.decode()
