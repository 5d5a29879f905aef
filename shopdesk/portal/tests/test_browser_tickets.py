"""A customer's ticket in a real headless Chromium on a phone-sized screen: sign in with the SMS
code, open an issue with a photo on an order, follow the answer, rate it."""

import base64
import re

import pytest

from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import CustomerFactory, UserFactory
from shopdesk.core.tests.browser import log_in, screenshot
from shopdesk.notifications import backends
from shopdesk.orders.tests.factories import OrderFactory, OrderItemFactory
from shopdesk.tickets import services
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.states import TicketStatus
from shopdesk.tickets.tests.factories import CategoryFactory

pytestmark = pytest.mark.browser

# A real 1x1 PNG, so the browser can draw it.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    backends.outbox.clear()


def _customer_order():
    # transactional_db flushes the migrated categories after each test
    CategoryFactory(code="product_quality", name_zh="商品质量", name_en="Product quality")
    CategoryFactory(code="service_complaint", name_zh="服务投诉", name_en="Service complaint")
    customer = CustomerFactory(phone="13812345678")
    order = OrderFactory(customer=customer, external_id="SD-ISSUE-1", merchant__name="水壶店")
    item = OrderItemFactory(order=order, product__name="蓝色电水壶")
    return customer, order, item


def _sign_in(page):
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto("/portal/")
    page.fill("input[name=contact]", "13812345678")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/portal/code/")
    code = re.search(r"\d{6}", backends.outbox[-1].body).group(0)
    page.fill("input[name=code]", code)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/portal/orders/")


def _open_issue(page, order, item) -> Ticket:
    page.click(f"li[data-order={order.external_id}] a")
    page.click("a.open-issue")
    page.check(f"input[name=order_item][value='{item.pk}']")
    page.select_option("select[name=category]", "product_quality")
    page.fill("textarea[name=description]", "水壶底部漏水 <script>alert(1)</script>")
    page.set_input_files(
        "input[name=photos]", files=[{"name": "leak.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.click("form.issue-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/portal/tickets/\d+/$"))
    return Ticket.objects.get(order=order)


def test_customer_opens_an_issue_with_a_photo_then_rates_the_answer(page):
    # given
    customer, order, item = _customer_order()
    _sign_in(page)
    # when
    ticket = _open_issue(page, order, item)
    # then
    assert ticket.order_item_id == item.pk
    assert ticket.number in page.inner_text(".messages")
    assert page.locator(".progress li[aria-current=step]").inner_text() == "已提交"
    assert "<script>alert(1)</script>" in page.inner_text(".conversation")  # shown as text
    photo = page.locator(".conversation img.photo")
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 1
    screenshot(page, "portal-ticket-new-zh")
    # given: an agent answers and resolves (through the services)
    agent = UserFactory(role=Role.AGENT)
    services.ticket_reply(
        ticket=ticket, actor=agent, body="已为您补发新水壶", status_after=TicketStatus.RESOLVED
    )
    # when
    page.reload()
    # then
    assert "已为您补发新水壶" in page.locator(".conversation li.agent").last.inner_text()
    assert page.locator(".progress li[aria-current=step]").inner_text() == "已解决"
    assert page.locator(".reopen-note").is_visible()
    # when: five stars and a comment
    page.click("label[for=star-5]")
    page.fill("textarea[name=comment]", "很快，谢谢")
    page.click("form.rate-form button[type=submit]")
    # then
    page.wait_for_selector(".rated")
    assert page.inner_text(".rated") == "★★★★★"
    assert page.inner_text(".rating-comment") == "很快，谢谢"
    ticket.refresh_from_db()
    assert (ticket.rating, ticket.rating_comment) == (5, "很快，谢谢")
    screenshot(page, "portal-ticket-rated-zh")


def test_agent_answers_in_the_console_and_the_customer_sees_it(page, chromium, live_server):
    # given: the customer opened an issue in the portal
    _, order, item = _customer_order()
    _sign_in(page)
    ticket = _open_issue(page, order, item)
    agent = UserFactory(role=Role.AGENT)
    console = chromium.new_context(base_url=live_server.url, locale="zh-CN")
    agent_page = console.new_page()
    agent_page.set_default_timeout(10_000)
    # when: the agent answers on the console's ticket page and resolves it
    log_in(agent_page, agent.username)
    agent_page.goto(f"/tickets/{ticket.pk}/")
    agent_page.fill("#reply-body", "请放心，已安排退款")
    agent_page.select_option("select[name=status_after]", "resolved")
    agent_page.click("#reply-send")
    agent_page.wait_for_selector("#ticket-status[data-status=resolved]")
    console.close()
    # then: the customer sees the answer, and the internal routing never shows
    page.reload()
    assert "请放心，已安排退款" in page.locator(".conversation li.agent").last.inner_text()
    assert page.locator(".progress li[aria-current=step]").inner_text() == "已解决"
    # when: the customer says they are not satisfied
    page.click(".complaint summary")
    page.fill("#id_complaint_body", "退款太慢")
    page.click("form.complain-form button[type=submit]")
    # then
    page.wait_for_selector(".complaint-opened")
    complaint = Ticket.objects.get(parent=ticket)
    assert complaint.number in page.inner_text(".complaint-opened")
