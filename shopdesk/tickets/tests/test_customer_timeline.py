"""The customer's one timeline in the console: orders, parcels, tickets and messages from every
channel, newest first, scoped to what the viewing user may see."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shopdesk.accounts.tests.factories import CustomerFactory
from shopdesk.orders.tests.factories import LogisticsEventFactory, OrderFactory, ShipmentFactory
from shopdesk.tickets import services
from shopdesk.tickets.customer_timeline import (
    TimelineEntry,
    customer_timeline,
    timeline_source_register,
)
from shopdesk.tickets.states import Channel
from shopdesk.tickets.tests.pages import page_client, page_ticket, page_url

pytestmark = pytest.mark.django_db


def test_timeline_merges_orders_parcels_tickets_and_messages_newest_first(agent):
    # given
    now = timezone.now()
    customer = CustomerFactory()
    order = OrderFactory(customer=customer, placed_at=now - timedelta(days=5), paid_at=None)
    LogisticsEventFactory(
        shipment=ShipmentFactory(order=order), occurred_at=now - timedelta(days=3), location="杭州"
    )
    ticket = page_ticket(order=order, channel=Channel.EMAIL, description="包裹还没到")
    services.ticket_reply(ticket=ticket, actor=agent, body="已催促快递")
    # when
    entries = customer_timeline(customer=customer, user=agent)
    # then
    kinds = [e.kind for e in entries]
    assert {"order", "logistics", "ticket", "message"} <= set(kinds)
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    assert kinds[-1] == "order"  # the order was placed before anything else happened
    messages = [e for e in entries if e.kind == "message"]
    assert {m.detail for m in messages} == {"包裹还没到", "已催促快递"}
    assert any(m.channel == Channel.EMAIL for m in messages)


def test_timeline_takes_entries_from_registered_sources(agent):
    customer = CustomerFactory()
    at = timezone.now()
    timeline_source_register(
        "test-source", lambda c, u, n: [TimelineEntry(at, "chat", f"chat of {c.pk}")]
    )
    try:
        entries = customer_timeline(customer=customer, user=agent)
    finally:
        timeline_source_register("test-source", lambda c, u, n: [])
    assert [e.title for e in entries] == [f"chat of {customer.pk}"]


def test_timeline_page_for_agents_only_and_scoped(agent, customer_user, merchant_staff):
    ticket = page_ticket(description="发票抬头错了")
    url = page_url("customer-timeline", ticket)
    response = page_client(agent).get(url)
    assert response.status_code == 200
    assert "发票抬头错了" in response.content.decode()
    assert page_client(customer_user).get(url).status_code == 403
    assert page_client(merchant_staff).get(url).status_code == 404  # not the merchant's ticket
    assert page_client(None).get(url).status_code == 302  # to the login page


def test_timeline_page_shows_the_latest_entries_and_offers_more(agent):
    ticket = page_ticket(description="第一次")
    for n in range(20):
        services.ticket_reply(ticket=ticket, actor=agent, body=f"回复{n}")
    url = page_url("customer-timeline", ticket)
    short = page_client(agent).get(url)
    full = page_client(agent).get(url + "?limit=200")
    assert len(short.context["entries"]) == 15
    assert short.context["more"] is True
    assert "?limit=200" in short.content.decode()
    assert len(full.context["entries"]) > 15
    assert full.context["more"] is False
    assert page_client(agent).get(url + "?limit=x").status_code == 200
