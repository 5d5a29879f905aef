"""The customer portal in a real headless Chromium: sign in by SMS code, and by signed link."""

import re

import pytest

from shopdesk.accounts.tests.factories import CustomerFactory
from shopdesk.core.tests.browser import screenshot
from shopdesk.notifications import backends
from shopdesk.orders.tests.factories import (
    LogisticsEventFactory,
    OrderFactory,
    OrderItemFactory,
    ShipmentFactory,
)
from shopdesk.portal.services import portal_link_make

pytestmark = pytest.mark.browser


def _customer_with_orders():
    customer = CustomerFactory(phone="13812345678", source="shop", external_id="U-7")
    order = OrderFactory(customer=customer, external_id="SD-PORTAL-1")
    OrderItemFactory(order=order, product__name="蓝色电水壶")
    shipment = ShipmentFactory(order=order, tracking_number="SF0000077777")
    LogisticsEventFactory(shipment=shipment, location="杭州转运中心")
    OrderFactory(customer=customer, external_id="SD-PORTAL-2")
    OrderFactory(external_id="SD-NOT-MINE")
    return customer


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    backends.outbox.clear()


def test_customer_signs_in_with_sms_code_and_opens_an_order(page):
    # given
    _customer_with_orders()
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto("/portal/")
    # when
    page.fill("input[name=contact]", "138 1234 5678")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/portal/code/")
    code = re.search(r"\d{6}", backends.outbox[-1].body).group(0)
    page.fill("input[name=code]", code)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/portal/orders/")
    # then
    cards = page.locator(".order-cards li[data-order]")
    assert sorted(cards.evaluate_all("els => els.map(e => e.dataset.order)")) == [
        "SD-PORTAL-1",
        "SD-PORTAL-2",
    ]
    screenshot(page, "portal-orders-zh")
    # when
    page.click("li[data-order=SD-PORTAL-1] a")
    # then
    assert "蓝色电水壶" in page.inner_text("main")
    assert "SF0000077777" in page.inner_text("main")
    assert "杭州转运中心" in page.locator("ol.timeline").inner_text()
    screenshot(page, "portal-order-zh")


def test_signed_link_signs_in(page):
    # given
    customer = _customer_with_orders()
    link = portal_link_make(customer=customer)
    # when
    page.goto(link)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/portal/orders/")
    # then
    assert page.locator(".order-cards li[data-order]").count() == 2
    assert "SD-NOT-MINE" not in page.inner_text("main")
