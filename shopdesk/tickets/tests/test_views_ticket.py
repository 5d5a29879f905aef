"""The console's ticket page and its actions: timeline, replies, conflicts, attachments, macros,
transitions, assignment, hand-off, compensation, and a fixed query count."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import CustomerFactory, UserFactory
from shopdesk.orders.tests.factories import LogisticsEventFactory, OrderFactory, ShipmentFactory
from shopdesk.tickets import services
from shopdesk.tickets.models import Compensation, CompensationStandard, Macro
from shopdesk.tickets.services import IncomingFile
from shopdesk.tickets.states import EventType, Party, TicketStatus
from shopdesk.tickets.tests.pages import (
    PNG,
    page_client,
    page_ticket,
    page_url,
)

pytestmark = pytest.mark.django_db


def test_ticket_page_shows_header_timeline_and_side_panel(agent):
    # given
    order = OrderFactory(customer=CustomerFactory(name="张三丰", phone="13812345678", tier="vip"))
    LogisticsEventFactory(shipment=ShipmentFactory(order=order), location="上海浦东网点")
    earlier = page_ticket(order=order)
    ticket = page_ticket(order=order)
    services.ticket_note(ticket=ticket, actor=agent, body="内部备注")
    # when
    response = page_client(agent).get(page_url("detail", ticket))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert ticket.number in html
    assert "138****5678" in html
    assert "13812345678" not in html
    assert "上海浦东网点" in html
    assert earlier.number in html
    assert reverse("orders:detail", args=[order.pk]) in html
    assert 'class="note"' in html
    assert "内部备注" in html
    assert 'class="badge vip"' in html


def test_message_text_is_rendered_inert(agent):
    # given
    ticket = page_ticket(description="<script>alert(1)</script>\nsecond line")
    # when
    response = page_client(agent).get(page_url("detail", ticket))
    # then
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>second line" in html


@pytest.mark.parametrize("n", [2, 10])
def test_ticket_page_query_count_does_not_grow_with_events(agent, django_assert_num_queries, n):
    # given: an assigned ticket, notes with pictures, a shipment with scans, earlier tickets
    ticket = page_ticket()
    services.ticket_assign(ticket=ticket, assignee=agent, actor=agent, reason="mine")
    shipment = ShipmentFactory(order=ticket.order)
    for _ in range(n):
        LogisticsEventFactory(shipment=shipment)
        page_ticket(order=ticket.order)
    for i in range(n):
        services.ticket_note(
            ticket=ticket, actor=agent, body=f"note {i}", files=[IncomingFile("a.png", PNG)]
        )
    client = page_client(agent)
    client.get(page_url("detail", ticket))
    # when / then
    # session, user, permissions (2), ticket, tags, timeline (2), customer's orders,
    # logistics, earlier tickets, macros, compensations, standards, agents (also the names)
    with django_assert_num_queries(15):
        response = client.get(page_url("detail", ticket))
    html = response.content.decode()
    assert html.count('class="note"') == n
    assert f"Assigned to {agent.username}" in html


def test_public_reply_goes_on_the_timeline_and_can_resolve(agent):
    # given
    ticket = page_ticket()
    # when
    response = page_client(agent).post(
        page_url("reply", ticket),
        {
            "version": ticket.version,
            "kind": "public",
            "body": "已催促快递",
            "status_after": "resolved",
        },
    )
    # then
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    assert ticket.events.filter(type=EventType.MESSAGE, is_public=True, body="已催促快递").exists()


def test_stale_reply_is_a_conflict_that_keeps_the_text(agent, supervisor):
    # given: a supervisor resolved the ticket after the agent opened it
    ticket = page_ticket()
    seen = ticket.version
    services.ticket_transition(ticket=ticket, to=TicketStatus.RESOLVED, actor=supervisor)
    # when
    response = page_client(agent).post(
        page_url("reply", ticket), {"version": seen, "kind": "public", "body": "我的长回复"}
    )
    # then
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this ticket." in html
    assert "我的长回复" in html  # nothing typed is lost
    assert 'data-status="resolved"' in html  # the fresh state
    assert f'name="version" value="{ticket.version}"' in html
    assert not ticket.events.filter(type=EventType.MESSAGE, author=agent).exists()


def test_refused_attachment_is_listed_and_the_message_kept(agent):
    # given
    ticket = page_ticket()
    files = [
        SimpleUploadedFile("photo.png", PNG),
        SimpleUploadedFile("virus.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04"),
    ]
    # when
    response = page_client(agent).post(
        page_url("reply", ticket),
        {"version": ticket.version, "kind": "public", "body": "请看图片", "files": files},
    )
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "virus.exe" in html
    assert "not an allowed type" in html
    event = ticket.events.get(type=EventType.MESSAGE, body="请看图片")
    assert [a.name for a in event.attachments.all()] == ["photo.png"]
    assert "form-errors refused" in html


def test_empty_reply_shows_the_reason(agent):
    # given
    ticket = page_ticket()
    # when
    response = page_client(agent).post(
        page_url("reply", ticket), {"version": ticket.version, "kind": "note", "body": "  "}
    )
    # then
    assert response.status_code == 400
    assert "The message is empty" in response.content.decode()


def test_attachment_is_served_through_the_scoped_view(agent, merchant_staff):
    # given
    ticket = page_ticket(files=[IncomingFile("photo.png", PNG)])
    attachment = ticket.events.get(type=EventType.MESSAGE).attachments.get()
    url = reverse("tickets:attachment", args=[attachment.pk])
    # when
    served = page_client(agent).get(url)
    hidden = page_client(merchant_staff).get(url)
    # then
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == PNG
    assert hidden.status_code == 404


def test_macro_is_inserted_in_the_tickets_language(agent):
    # given
    ticket = page_ticket(language="en")
    macro = Macro.objects.create(
        name="delay", body_zh="您好，订单{order_number}", body_en="Hello, order {order_number}"
    )
    # when
    partial = page_client(agent).post(
        page_url("macro", ticket),
        {"macro": macro.pk, "body": "Hi.", "version": ticket.version, "kind": "public"},
        headers={"HX-Request": "true"},
    )
    full = page_client(agent).post(page_url("macro", ticket), {"macro": macro.pk, "body": ""})
    # then
    text = partial.content.decode()
    assert text.startswith("<textarea")
    assert f"Hi.\n\nHello, order {ticket.order.external_id}" in text
    assert f"Hello, order {ticket.order.external_id}</textarea>" in full.content.decode()


# --- actions ----------------------------------------------------------------------------------


def test_transition_buttons_move_the_status_and_refuse_invalid_ones(agent):
    # given
    ticket = page_ticket()
    client = page_client(agent)
    # when
    ok = client.post(page_url("transition", ticket), {"version": ticket.version, "to": "on_hold"})
    ticket.refresh_from_db()
    bad = client.post(page_url("transition", ticket), {"version": ticket.version, "to": "closed"})
    # then
    assert ok.status_code == 302
    assert ticket.status == TicketStatus.ON_HOLD
    assert bad.status_code == 409
    assert "cannot become" in bad.content.decode()


def test_agent_takes_a_ticket_but_only_a_supervisor_overrides(agent, supervisor):
    # given
    ticket = page_ticket()
    colleague = UserFactory(role=Role.AGENT)
    # when
    took = page_client(agent).post(
        page_url("assign", ticket), {"version": ticket.version, "assignee": agent.pk}
    )
    ticket.refresh_from_db()
    refused = page_client(colleague).post(
        page_url("assign", ticket), {"version": ticket.version, "assignee": colleague.pk}
    )
    overridden = page_client(supervisor).post(
        page_url("assign", ticket),
        {"version": ticket.version, "assignee": colleague.pk, "reason": "load"},
    )
    # then
    assert took.status_code == 302
    assert refused.status_code == 403
    assert overridden.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee_id == colleague.pk
    reasons = list(ticket.events.filter(type=EventType.ASSIGNED).values_list("body", flat=True))
    assert "load" in reasons


def test_hand_off_needs_a_reason(agent):
    # given
    ticket = page_ticket()
    client = page_client(agent)
    # when
    missing = client.post(
        page_url("hand-off", ticket), {"version": ticket.version, "to_party": "merchant"}
    )
    done = client.post(
        page_url("hand-off", ticket),
        {"version": ticket.version, "to_party": "merchant", "reason": "商家负责换货"},
    )
    # then
    assert missing.status_code == 400
    assert "Say why the ticket is handed off." in missing.content.decode()
    assert done.status_code == 302
    ticket.refresh_from_db()
    assert ticket.responsible_party == Party.MERCHANT
    assert ticket.handoff_reason == "商家负责换货"


def test_compensation_above_the_limit_waits_for_a_supervisor(agent, supervisor):
    # given
    ticket = page_ticket()
    standard = CompensationStandard.objects.create(
        code="late",
        name_zh="延迟",
        name_en="Late",
        kind="coupon",
        default_amount=Decimal("10"),
        agent_limit=Decimal("20"),
        supervisor_limit=Decimal("200"),
    )
    # when
    within = page_client(agent).post(
        page_url("compensation", ticket), {"standard": standard.pk, "amount": "10"}
    )
    above = page_client(agent).post(
        page_url("compensation", ticket), {"standard": standard.pk, "amount": "50"}
    )
    pending = Compensation.objects.get(status=Compensation.Status.PENDING_APPROVAL)
    page = page_client(supervisor).get(page_url("detail", ticket))
    refused = page_client(agent).post(
        page_url("compensation-decide", ticket, pending.pk), {"approve": "1"}
    )
    approved = page_client(supervisor).post(
        page_url("compensation-decide", ticket, pending.pk), {"approve": "1"}
    )
    # then
    assert within.status_code == above.status_code == 302
    assert Compensation.objects.filter(status=Compensation.Status.GRANTED).count() == 2
    assert (
        reverse("tickets:compensation-decide", args=[ticket.pk, pending.pk])
        in page.content.decode()
    )
    assert refused.status_code == 403
    assert approved.status_code == 302


# --- phone intake -----------------------------------------------------------------------------
