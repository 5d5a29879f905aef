"""The order pages in a real headless Chromium: log in, search, timeline, reveal, languages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import CustomerFactory, MerchantFactory, UserFactory
from shopdesk.audit.models import AuditEvent
from shopdesk.core.tests.browser import log_in, screenshot
from shopdesk.orders import views
from shopdesk.orders.states import LogisticsEventType, OrderStatus
from shopdesk.orders.tests.factories import (
    LogisticsEventFactory,
    OrderFactory,
    OrderItemFactory,
    ShipmentFactory,
)

pytestmark = pytest.mark.browser


def _order_with_logistics():
    """A late order with two items, one shipment and three carrier scans, one an exception."""
    placed = timezone.now() - timedelta(days=6)
    order = OrderFactory(
        external_id="SD202406180001",
        status=OrderStatus.SHIPPED,
        placed_at=placed,
        delivered_at=None,
        promised_delivery_at=placed + timedelta(days=3),
        total_amount="318.00",
        merchant=MerchantFactory(name="杭州优选旗舰店"),
        customer=CustomerFactory(name="张三丰", phone="13812345678"),
    )
    OrderItemFactory(order=order, unit_price="299.00", freight="19.00")
    shipment = ShipmentFactory(order=order, tracking_number="SF1234567890")
    scans = [
        (LogisticsEventType.PICKED_UP, 1, "杭州市余杭区", "快递员已揽件"),
        (LogisticsEventType.IN_TRANSIT, 2, "杭州转运中心", "已发往上海"),
        (LogisticsEventType.EXCEPTION, 3, "上海浦东网点", "收件地址不详，联系不上收件人"),
    ]
    for kind, day, where, what in scans:
        LogisticsEventFactory(
            shipment=shipment,
            type=kind,
            occurred_at=placed + timedelta(days=day),
            location=where,
            description=what,
        )
    return order


def test_search_by_tracking_number_and_open_timeline(page):
    # given
    agent = UserFactory(role=Role.AGENT)
    order = _order_with_logistics()
    OrderFactory.create_batch(3)
    page.goto("/orders/")
    assert "/accounts/login/" in page.url  # anonymous visitors are sent to the login page
    screenshot(page, "login-zh")
    # when
    log_in(page, agent.username)
    page.fill("#id_tracking_number", "SF1234567890")
    page.click("button[type=submit].primary")
    # then
    rows = page.locator("#order-rows tr[data-order]")
    assert rows.count() == 1
    assert rows.first.get_attribute("data-order") == order.external_id
    assert "138****5678" in rows.first.inner_text()
    screenshot(page, "orders-search-zh")
    # when
    rows.first.locator("a").click()
    # then
    timeline = page.locator("ol.timeline")
    assert "杭州转运中心" in timeline.inner_text()
    assert "顺丰速运 运输中" in timeline.inner_text()
    assert page.locator("ol.timeline li.exception").count() == 1
    assert page.locator(".order-head .badge.late").first.is_visible()
    assert "SF1234567890" in page.locator(".shipment").inner_text()
    screenshot(page, "order-detail-zh")


def test_reveal_contact_details_is_audited(page):
    # given
    agent = UserFactory(role=Role.AGENT)
    order = _order_with_logistics()
    log_in(page, agent.username)
    page.goto(f"/orders/{order.pk}/")
    assert page.locator("[data-pii=phone]").inner_text() == "138****5678"
    # when
    page.click("button.reveal")
    # then
    page.wait_for_selector("#customer-contact .notice")
    assert page.locator("[data-pii=phone]").inner_text() == "13812345678"
    assert page.locator("[data-pii=name]").inner_text() == "张三丰"
    event = AuditEvent.objects.get(action=AuditEvent.Action.PII_VIEWED)
    assert event.actor_id == agent.pk
    assert event.object_id == str(order.customer_id)
    screenshot(page, "order-detail-revealed-zh")


def test_switch_language_to_english_and_back(page):
    # given
    agent = UserFactory(role=Role.AGENT)
    order = _order_with_logistics()
    log_in(page, agent.username)
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.locator("h1").inner_text() == "订单查询"
    # when
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    # then
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Order search"
    screenshot(page, "orders-search-en")
    page.goto(f"/orders/{order.pk}/")
    assert "SF Express in transit" in page.locator("ol.timeline").inner_text()
    screenshot(page, "order-detail-en")
    # when
    with page.expect_navigation():
        page.select_option("#language-select", "zh-hans")
    # then
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert "物流轨迹" in page.locator("body").inner_text()


def test_merchant_staff_sees_only_its_merchant(page):
    # given
    staff = UserFactory(role=Role.MERCHANT_STAFF, merchant=MerchantFactory())
    own = OrderFactory.create_batch(2, merchant=staff.merchant)
    other = OrderFactory()
    # when
    log_in(page, staff.username)
    # then
    shown = {
        row.get_attribute("data-order") for row in page.locator("#order-rows tr[data-order]").all()
    }
    assert shown == {o.external_id for o in own}
    assert other.external_id not in page.content()
    assert page.locator("#id_merchant").count() == 0
    screenshot(page, "orders-search-merchant-zh")


def test_bad_date_range_shows_a_field_error(page):
    # given
    agent = UserFactory(role=Role.AGENT)
    OrderFactory()
    log_in(page, agent.username)
    # when
    page.fill("#id_placed_from", "2024-06-10")
    page.fill("#id_placed_to", "2024-06-01")
    page.click("button[type=submit].primary")
    # then
    error = page.locator("[data-field=placed_to] .field-error")
    assert error.inner_text() == "不能早于下单日期（起）。"
    assert page.locator(".form-errors").is_visible()
    assert page.locator("#order-rows").count() == 0
    screenshot(page, "orders-search-error-zh")


def test_next_page_appends_rows_in_place(page, monkeypatch):
    # given: the live server runs in this process, so the smaller page size applies to it
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    agent = UserFactory(role=Role.AGENT)
    OrderFactory.create_batch(5)
    log_in(page, agent.username)
    rows = page.locator("#order-rows tr[data-order]")
    assert rows.count() == 2
    url = page.url
    # when
    page.click("#more-row a")
    # then
    page.wait_for_function("document.querySelectorAll('#order-rows tr[data-order]').length == 4")
    assert page.url == url  # htmx appended the rows; no navigation happened
    page.click("#more-row a")
    page.wait_for_function("document.querySelectorAll('#order-rows tr[data-order]').length == 5")
    assert page.locator("#more-row").count() == 0
