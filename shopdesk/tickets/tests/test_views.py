"""Agent console: role matrix, scoping, queues, bulk actions, phone intake, presence and fixed
query counts."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shopdesk.accounts.models import AgentProfile
from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import CustomerFactory, UserFactory
from shopdesk.orders.tests.factories import OrderFactory
from shopdesk.tickets import services, views
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.states import EventType, TicketStatus
from shopdesk.tickets.tests.pages import (
    CONSOLE,
    PHONE,
    page_client,
    page_ticket,
    page_url,
    shown,
)

pytestmark = pytest.mark.django_db


# --- role matrix ------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["console", "detail", "phone"])
def test_anonymous_is_sent_to_login(page):
    # given
    ticket = page_ticket()
    url = {"console": CONSOLE, "phone": PHONE, "detail": page_url("detail", ticket)}[page]
    # when
    response = page_client(None).get(url)
    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", ["staff_without_role", "customer_user"])
@pytest.mark.parametrize("page", ["console", "detail", "phone"])
def test_users_without_the_permission_get_403(request, who, page):
    # given
    user = request.getfixturevalue(who)
    ticket = page_ticket()
    url = {"console": CONSOLE, "phone": PHONE, "detail": page_url("detail", ticket)}[page]
    # when
    response = page_client(user).get(url)
    # then
    assert response.status_code == 403
    assert ticket.number.encode() not in response.content


def test_merchant_staff_see_only_their_merchants_tickets(merchant_staff):
    # given
    own = page_ticket(order=OrderFactory(merchant=merchant_staff.merchant))
    other = page_ticket()
    # when
    listing = page_client(merchant_staff).get(CONSOLE, {"queue": "all"})
    detail_own = page_client(merchant_staff).get(page_url("detail", own))
    detail_other = page_client(merchant_staff).get(page_url("detail", other))
    # then
    assert shown(listing) == [own.number]
    assert detail_own.status_code == 200
    assert detail_other.status_code == 404
    assert other.number.encode() not in listing.content


def test_merchant_staff_cannot_reply_to_a_ticket_the_platform_holds(merchant_staff):
    # given
    ticket = page_ticket(order=OrderFactory(merchant=merchant_staff.merchant))
    # when
    response = page_client(merchant_staff).post(
        page_url("reply", ticket), {"version": ticket.version, "kind": "public", "body": "hi"}
    )
    # then
    assert response.status_code == 403
    assert not ticket.events.filter(type=EventType.MESSAGE, author=merchant_staff).exists()


# --- console ----------------------------------------------------------------------------------


def test_console_lists_the_queue_by_sla_due_time_with_counts(agent):
    # given
    now = timezone.now()
    late, soon, later = page_ticket(), page_ticket(), page_ticket()
    Ticket.objects.filter(pk=late.pk).update(sla_due_at=now - timedelta(minutes=5))
    Ticket.objects.filter(pk=soon.pk).update(sla_due_at=now + timedelta(minutes=12, seconds=30))
    Ticket.objects.filter(pk=later.pk).update(sla_due_at=now + timedelta(hours=3))
    # when
    response = page_client(agent).get(CONSOLE, {"queue": "unassigned"})
    # then
    assert response.status_code == 200
    assert shown(response) == [late.number, soon.number, later.number]
    dues = [row.due for row in response.context["rows"]]
    assert (dues[0].text, dues[0].css) == ("overdue 5 min", "breached")
    assert (dues[1].text, dues[1].css) == ("in 12 min", "soon")
    assert dues[2].css == ""
    counts = {code: count for code, _l, count, _u in response.context["queues"]}
    assert counts["unassigned"] == 3
    assert counts["breaching"] == 2
    assert b'class="due breached"' in response.content


def test_console_filters_by_number_and_order_number(agent):
    # given
    first, second = page_ticket(), page_ticket()
    client = page_client(agent)
    # when
    by_number = client.get(CONSOLE, {"queue": "all", "q": second.number})
    by_order = client.get(CONSOLE, {"queue": "all", "q": first.order.external_id})
    by_status = client.get(CONSOLE, {"queue": "all", "status": "resolved"})
    # then
    assert shown(by_number) == [second.number]
    assert shown(by_order) == [first.number]
    assert shown(by_status) == []


def test_console_mine_queue_is_the_default(agent):
    # given
    mine, other = page_ticket(), page_ticket()
    services.ticket_assign(ticket=mine, assignee=agent, actor=agent, reason="mine")
    # when
    response = page_client(agent).get(CONSOLE)
    # then
    assert shown(response) == [mine.number]
    assert other.number not in shown(response)


def test_console_next_page_is_keyset_and_htmx_appends_rows(agent, monkeypatch):
    # given
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    tickets = [page_ticket() for _ in range(3)]
    client = page_client(agent)
    # when
    first = client.get(CONSOLE, {"queue": "all"})
    second = client.get(first.context["next_url"], headers={"HX-Request": "true"})
    # then
    assert len(shown(first)) == 2
    rest = [t.number for t in tickets if t.number not in shown(first)]
    assert len(rest) == 1
    assert f'data-ticket="{rest[0]}"'.encode() in second.content
    assert b"<html" not in second.content  # only the rows partial
    assert b"more-row" not in second.content  # the last page


def test_console_bad_cursor_falls_back_to_the_first_page(agent):
    # given
    page_ticket()
    # when
    response = page_client(agent).get(CONSOLE, {"queue": "all", "cursor": "garbage"})
    # then
    assert response.status_code == 200
    assert response.context["notice"]
    assert len(shown(response)) == 1


@pytest.mark.parametrize("n", [2, 10])
def test_console_query_count_does_not_grow_with_tickets(agent, django_assert_num_queries, n):
    # given
    for _ in range(n):
        page_ticket()
    client = page_client(agent)
    client.get(CONSOLE, {"queue": "all"})  # warm the session
    # when / then: session, user, permissions, categories, 5 queue counts, one page, the agents
    # for the bulk form
    with django_assert_num_queries(12):
        response = client.get(CONSOLE, {"queue": "all"})
    assert len(response.context["rows"]) == n


# --- bulk actions -----------------------------------------------------------------------------


def test_bulk_assign_to_me_reports_the_conflicted_ticket(agent):
    # given: the second ticket changed after the list was shown
    first, second = page_ticket(), page_ticket()
    stale = second.version
    services.ticket_transition(ticket=second, to=TicketStatus.OPEN, actor=None)
    # when
    response = page_client(agent).post(
        reverse("tickets:bulk"),
        {
            "action": "assign_me",
            "tickets": [f"{first.pk}.{first.version}", f"{second.pk}.{stale}"],
            "next": "/tickets/?queue=all",
        },
        follow=True,
    )
    # then
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.assignee_id == agent.pk
    assert second.assignee_id is None
    text = [str(m) for m in response.context["messages"]]
    assert any(second.number in m and "Someone else changed" in m for m in text)
    assert "Done for 1 of 2 tickets." in text


def test_bulk_transition_and_tag(agent):
    # given
    tickets = [page_ticket(), page_ticket()]
    client = page_client(agent)
    picked = [f"{t.pk}.{t.version}" for t in tickets]
    # when
    client.post(reverse("tickets:bulk"), {"action": "tag", "tag": "双11", "tickets": picked})
    fresh = [Ticket.objects.get(pk=t.pk) for t in tickets]
    picked = [f"{t.pk}.{t.version}" for t in fresh]
    client.post(
        reverse("tickets:bulk"), {"action": "transition", "to": "resolved", "tickets": picked}
    )
    # then
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.RESOLVED
        assert list(ticket.tags.values_list("name", flat=True)) == ["双11"]
    page = client.get(page_url("detail", tickets[0])).content.decode()
    assert '<dd class="tags"><span class="badge">双11</span>' in page
    assert "Tags added: 双11" in page


def test_bulk_assign_to_another_agent_is_refused_for_an_agent(agent):
    # given: the ticket belongs to a colleague
    colleague = UserFactory(role=Role.AGENT)
    ticket = page_ticket()
    services.ticket_assign(ticket=ticket, assignee=colleague, actor=colleague, reason="x")
    # when
    response = page_client(agent).post(
        reverse("tickets:bulk"),
        {"action": "assign_me", "tickets": [f"{ticket.pk}.{ticket.version}"]},
        follow=True,
    )
    # then
    ticket.refresh_from_db()
    assert ticket.assignee_id == colleague.pk
    assert any("another agent" in str(m) for m in response.context["messages"])


# --- ticket page ------------------------------------------------------------------------------


def test_phone_call_is_logged_as_a_ticket(agent):
    # given
    order = OrderFactory(customer=CustomerFactory(phone="13900001111"))
    client = page_client(agent)
    # when
    found = client.get(PHONE, {"phone": "139 0000 1111"})
    created = client.post(
        PHONE,
        {
            "phone": "13900001111",
            "customer": order.customer_id,
            "order": order.pk,
            "category": "logistics_delay",
            "priority": "high",
            "description": "顾客来电：包裹一直没到",
        },
    )
    # then
    assert found.status_code == 200
    assert found.context["customers"] == [order.customer]
    ticket = Ticket.objects.get()
    assert created.status_code == 302
    assert created["Location"] == page_url("detail", ticket)
    assert (ticket.channel, ticket.priority, ticket.order_id) == ("phone", "high", order.pk)
    assert ticket.events.get(type=EventType.MESSAGE).data == {"logged_by": agent.pk}


def test_phone_lookup_by_order_number_and_bad_input(agent):
    # given
    order = OrderFactory()
    other = OrderFactory()
    client = page_client(agent)
    # when
    by_order = client.get(PHONE, {"order_number": order.external_id})
    empty = client.get(PHONE, {"phone": "", "order_number": ""})
    wrong = client.post(
        PHONE,
        {
            "order_number": order.external_id,
            "customer": order.customer_id,
            "order": other.pk,
            "category": "logistics_delay",
            "priority": "normal",
            "description": "x",
        },
    )
    # then
    assert by_order.context["customers"] == [order.customer]
    assert "Enter the caller" in empty.content.decode()
    assert wrong.status_code == 400
    assert not Ticket.objects.exists()


def test_console_shows_the_presence_switch_to_agents(agent):
    # given an agent with a profile, away
    AgentProfile.objects.create(user=agent, is_online=False)
    client = Client()
    client.force_login(agent)
    # when
    page = client.get(CONSOLE).content.decode()
    client.post("/accounts/presence/", {"online": "1", "next": CONSOLE})
    after = client.get(CONSOLE).content.decode()
    # then
    assert 'data-presence="away"' in page
    assert 'data-presence="online"' in after
    assert "accounts/presence/heartbeat/" in after


def test_queue_counts_stop_at_the_cap(agent, settings, monkeypatch):
    # given more unassigned tickets than the cap
    monkeypatch.setattr("shopdesk.tickets.selectors.COUNT_CAP", 3)
    monkeypatch.setattr("shopdesk.tickets.views.COUNT_CAP", 3)
    for _ in range(4):
        page_ticket()
    # when
    response = page_client(agent).get(CONSOLE, {"queue": "unassigned"})
    # then
    counts = {code: count for code, _l, count, _u in response.context["queues"]}
    assert counts["unassigned"] == 3
    assert b'<span class="count">2+</span>' in response.content
