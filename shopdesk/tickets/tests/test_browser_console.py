"""The agent console in a real headless Chromium: queue → ticket → macro → reply → resolve,
and two agents changing one ticket at once."""

import pytest

from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import CustomerFactory, UserFactory
from shopdesk.core.tests.browser import log_in, screenshot
from shopdesk.orders.tests.factories import OrderFactory
from shopdesk.tickets import services
from shopdesk.tickets.models import Macro, Ticket
from shopdesk.tickets.services import TicketIntake
from shopdesk.tickets.states import Channel, EventType, TicketStatus
from shopdesk.tickets.tests.factories import CategoryFactory

pytestmark = pytest.mark.browser


def _ticket() -> Ticket:
    # transactional_db flushes the migrated categories after each test
    CategoryFactory(code="logistics_delay")
    order = OrderFactory(external_id="SD202611220001", customer=CustomerFactory(name="李雷"))
    intake = TicketIntake(
        channel=Channel.PORTAL,
        customer=order.customer,
        order=order,
        category_code="logistics_delay",
        description="包裹五天没有更新物流 <b>急</b>",
    )
    return services.ticket_create(intake=intake).ticket


def test_agent_answers_a_ticket_with_a_macro_and_resolves_it(page):
    # given
    agent = UserFactory(role=Role.AGENT, first_name="小王")
    ticket = _ticket()
    Macro.objects.create(
        name="催件", body_zh="您好，订单{order_number}已催促快递。", body_en="Order {order_number}"
    )
    log_in(page, agent.username)
    # when: the console, the unassigned queue, the ticket
    page.goto("/tickets/")
    page.click(".queues a[data-queue=unassigned]")
    row = page.locator(f"#ticket-rows tr[data-ticket='{ticket.number}']")
    assert row.count() == 1
    screenshot(page, "tickets-console-zh")
    row.locator("a").first.click()
    page.wait_for_selector("#ticket-timeline")
    assert "<b>急</b>" in page.locator("#ticket-timeline").inner_text()  # shown as text
    # when: insert the macro (htmx swaps the text box in place) and send it
    page.fill("#reply-body", "第一段")
    page.select_option("#macro-select", label="催件")
    page.click("#macro-insert")
    page.wait_for_function("document.querySelector('#reply-body').value.includes('SD202611220001')")
    assert page.input_value("#reply-body").startswith("第一段\n\n您好，订单SD202611220001")
    page.click("#reply-send")
    # then
    reply = page.locator("#ticket-timeline li[data-type=message]").last
    assert "已催促快递" in reply.inner_text()
    assert page.locator("#ticket-status").get_attribute("data-status") == "open"
    screenshot(page, "tickets-detail-zh")
    # when: the agent resolves the ticket
    page.click("button[data-to=resolved]")
    # then
    page.wait_for_selector("#ticket-status[data-status=resolved]")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    assert ticket.assignee_id == agent.pk


def test_second_agent_gets_a_conflict_and_keeps_the_typed_reply(page, chromium, live_server):
    # given: two agents have the same ticket open
    first = UserFactory(role=Role.AGENT)
    second = UserFactory(role=Role.SUPERVISOR)
    ticket = _ticket()
    other = chromium.new_context(base_url=live_server.url, locale="zh-CN")
    other_page = other.new_page()
    log_in(page, first.username)
    log_in(other_page, second.username)
    page.goto(f"/tickets/{ticket.pk}/")
    other_page.goto(f"/tickets/{ticket.pk}/")
    # when: the supervisor puts it on hold, then the agent sends what they typed
    other_page.click("button[data-to=on_hold]")
    other_page.wait_for_selector("#ticket-status[data-status=on_hold]")
    page.fill("#reply-body", "这段回复不能丢")
    page.click("#reply-send")
    # then
    page.wait_for_selector(".conflict")
    assert page.input_value("#reply-body") == "这段回复不能丢"
    assert page.locator("#ticket-status").get_attribute("data-status") == "on_hold"
    screenshot(page, "tickets-conflict-zh")
    # when: the agent sends again on the fresh state
    page.click("#reply-send")
    # then
    page.wait_for_selector("#ticket-timeline li[data-type=message] >> text=这段回复不能丢")
    assert ticket.events.filter(type=EventType.MESSAGE, author=first).count() == 1
    other.close()
