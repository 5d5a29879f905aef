"""Agent console pages: role matrix, scoping, queues, the ticket page and its actions, conflicts,
bulk actions, phone intake, attachments and fixed query counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shopdesk.accounts.models import AgentProfile, User
from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import CustomerFactory, UserFactory
from shopdesk.orders.tests.factories import LogisticsEventFactory, OrderFactory, ShipmentFactory
from shopdesk.tickets import services, views
from shopdesk.tickets.models import Compensation, CompensationStandard, Macro, Ticket
from shopdesk.tickets.services import IncomingFile, TicketIntake
from shopdesk.tickets.states import Channel, EventType, Party, TicketStatus

pytestmark = pytest.mark.django_db

CONSOLE = reverse("tickets:console")
PHONE = reverse("tickets:phone")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _ticket(description: str = "包裹五天没有更新", **kwargs: object) -> Ticket:
    order = kwargs.pop("order", None) or OrderFactory()
    intake = TicketIntake(
        channel=kwargs.pop("channel", Channel.PORTAL),  # type: ignore[arg-type]
        customer=order.customer,
        order=order,
        category_code="logistics_delay",
        description=description,
        **kwargs,  # type: ignore[arg-type]
    )
    return services.ticket_create(intake=intake).ticket


def _url(name: str, ticket: Ticket, *more: int) -> str:
    return reverse(f"tickets:{name}", args=[ticket.pk, *more])


def _shown(response) -> list[str]:
    return [row.ticket.number for row in response.context["rows"]]


# --- role matrix ------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["console", "detail", "phone"])
def test_anonymous_is_sent_to_login(page):
    # given
    ticket = _ticket()
    url = {"console": CONSOLE, "phone": PHONE, "detail": _url("detail", ticket)}[page]
    # when
    response = _client(None).get(url)
    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", ["staff_without_role", "customer_user"])
@pytest.mark.parametrize("page", ["console", "detail", "phone"])
def test_users_without_the_permission_get_403(request, who, page):
    # given
    user = request.getfixturevalue(who)
    ticket = _ticket()
    url = {"console": CONSOLE, "phone": PHONE, "detail": _url("detail", ticket)}[page]
    # when
    response = _client(user).get(url)
    # then
    assert response.status_code == 403
    assert ticket.number.encode() not in response.content


def test_merchant_staff_see_only_their_merchants_tickets(merchant_staff):
    # given
    own = _ticket(order=OrderFactory(merchant=merchant_staff.merchant))
    other = _ticket()
    # when
    listing = _client(merchant_staff).get(CONSOLE, {"queue": "all"})
    detail_own = _client(merchant_staff).get(_url("detail", own))
    detail_other = _client(merchant_staff).get(_url("detail", other))
    # then
    assert _shown(listing) == [own.number]
    assert detail_own.status_code == 200
    assert detail_other.status_code == 404
    assert other.number.encode() not in listing.content


def test_merchant_staff_cannot_reply_to_a_ticket_the_platform_holds(merchant_staff):
    # given
    ticket = _ticket(order=OrderFactory(merchant=merchant_staff.merchant))
    # when
    response = _client(merchant_staff).post(
        _url("reply", ticket), {"version": ticket.version, "kind": "public", "body": "hi"}
    )
    # then
    assert response.status_code == 403
    assert not ticket.events.filter(type=EventType.MESSAGE, author=merchant_staff).exists()


# --- console ----------------------------------------------------------------------------------


def test_console_lists_the_queue_by_sla_due_time_with_counts(agent):
    # given
    now = timezone.now()
    late, soon, later = _ticket(), _ticket(), _ticket()
    Ticket.objects.filter(pk=late.pk).update(sla_due_at=now - timedelta(minutes=5))
    Ticket.objects.filter(pk=soon.pk).update(sla_due_at=now + timedelta(minutes=12, seconds=30))
    Ticket.objects.filter(pk=later.pk).update(sla_due_at=now + timedelta(hours=3))
    # when
    response = _client(agent).get(CONSOLE, {"queue": "unassigned"})
    # then
    assert response.status_code == 200
    assert _shown(response) == [late.number, soon.number, later.number]
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
    first, second = _ticket(), _ticket()
    client = _client(agent)
    # when
    by_number = client.get(CONSOLE, {"queue": "all", "q": second.number})
    by_order = client.get(CONSOLE, {"queue": "all", "q": first.order.external_id})
    by_status = client.get(CONSOLE, {"queue": "all", "status": "resolved"})
    # then
    assert _shown(by_number) == [second.number]
    assert _shown(by_order) == [first.number]
    assert _shown(by_status) == []


def test_console_mine_queue_is_the_default(agent):
    # given
    mine, other = _ticket(), _ticket()
    services.ticket_assign(ticket=mine, assignee=agent, actor=agent, reason="mine")
    # when
    response = _client(agent).get(CONSOLE)
    # then
    assert _shown(response) == [mine.number]
    assert other.number not in _shown(response)


def test_console_next_page_is_keyset_and_htmx_appends_rows(agent, monkeypatch):
    # given
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    tickets = [_ticket() for _ in range(3)]
    client = _client(agent)
    # when
    first = client.get(CONSOLE, {"queue": "all"})
    second = client.get(first.context["next_url"], headers={"HX-Request": "true"})
    # then
    assert len(_shown(first)) == 2
    rest = [t.number for t in tickets if t.number not in _shown(first)]
    assert len(rest) == 1
    assert f'data-ticket="{rest[0]}"'.encode() in second.content
    assert b"<html" not in second.content  # only the rows partial
    assert b"more-row" not in second.content  # the last page


def test_console_bad_cursor_falls_back_to_the_first_page(agent):
    # given
    _ticket()
    # when
    response = _client(agent).get(CONSOLE, {"queue": "all", "cursor": "garbage"})
    # then
    assert response.status_code == 200
    assert response.context["notice"]
    assert len(_shown(response)) == 1


@pytest.mark.parametrize("n", [2, 10])
def test_console_query_count_does_not_grow_with_tickets(agent, django_assert_num_queries, n):
    # given
    for _ in range(n):
        _ticket()
    client = _client(agent)
    client.get(CONSOLE, {"queue": "all"})  # warm the session
    # when / then: session, user, permissions, categories, 5 queue counts, one page, the agents
    # for the bulk form
    with django_assert_num_queries(12):
        response = client.get(CONSOLE, {"queue": "all"})
    assert len(response.context["rows"]) == n


# --- bulk actions -----------------------------------------------------------------------------


def test_bulk_assign_to_me_reports_the_conflicted_ticket(agent):
    # given: the second ticket changed after the list was shown
    first, second = _ticket(), _ticket()
    stale = second.version
    services.ticket_transition(ticket=second, to=TicketStatus.OPEN, actor=None)
    # when
    response = _client(agent).post(
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
    tickets = [_ticket(), _ticket()]
    client = _client(agent)
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
    page = client.get(_url("detail", tickets[0])).content.decode()
    assert '<dd class="tags"><span class="badge">双11</span>' in page
    assert "Tags added: 双11" in page


def test_bulk_assign_to_another_agent_is_refused_for_an_agent(agent):
    # given: the ticket belongs to a colleague
    colleague = UserFactory(role=Role.AGENT)
    ticket = _ticket()
    services.ticket_assign(ticket=ticket, assignee=colleague, actor=colleague, reason="x")
    # when
    response = _client(agent).post(
        reverse("tickets:bulk"),
        {"action": "assign_me", "tickets": [f"{ticket.pk}.{ticket.version}"]},
        follow=True,
    )
    # then
    ticket.refresh_from_db()
    assert ticket.assignee_id == colleague.pk
    assert any("another agent" in str(m) for m in response.context["messages"])


# --- ticket page ------------------------------------------------------------------------------


def test_ticket_page_shows_header_timeline_and_side_panel(agent):
    # given
    order = OrderFactory(customer=CustomerFactory(name="张三丰", phone="13812345678", tier="vip"))
    LogisticsEventFactory(shipment=ShipmentFactory(order=order), location="上海浦东网点")
    earlier = _ticket(order=order)
    ticket = _ticket(order=order)
    services.ticket_note(ticket=ticket, actor=agent, body="内部备注")
    # when
    response = _client(agent).get(_url("detail", ticket))
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
    ticket = _ticket(description="<script>alert(1)</script>\nsecond line")
    # when
    response = _client(agent).get(_url("detail", ticket))
    # then
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>second line" in html


@pytest.mark.parametrize("n", [2, 10])
def test_ticket_page_query_count_does_not_grow_with_events(agent, django_assert_num_queries, n):
    # given: an assigned ticket, notes with pictures, a shipment with scans, earlier tickets
    ticket = _ticket()
    services.ticket_assign(ticket=ticket, assignee=agent, actor=agent, reason="mine")
    shipment = ShipmentFactory(order=ticket.order)
    for _ in range(n):
        LogisticsEventFactory(shipment=shipment)
        _ticket(order=ticket.order)
    for i in range(n):
        services.ticket_note(
            ticket=ticket, actor=agent, body=f"note {i}", files=[IncomingFile("a.png", PNG)]
        )
    client = _client(agent)
    client.get(_url("detail", ticket))
    # when / then
    # session, user, permissions (2), ticket, tags, timeline (2), customer's orders,
    # logistics, earlier tickets, macros, compensations, standards, agents (also the names)
    with django_assert_num_queries(15):
        response = client.get(_url("detail", ticket))
    html = response.content.decode()
    assert html.count('class="note"') == n
    assert f"Assigned to {agent.username}" in html


def test_public_reply_goes_on_the_timeline_and_can_resolve(agent):
    # given
    ticket = _ticket()
    # when
    response = _client(agent).post(
        _url("reply", ticket),
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
    ticket = _ticket()
    seen = ticket.version
    services.ticket_transition(ticket=ticket, to=TicketStatus.RESOLVED, actor=supervisor)
    # when
    response = _client(agent).post(
        _url("reply", ticket), {"version": seen, "kind": "public", "body": "我的长回复"}
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
    ticket = _ticket()
    files = [
        SimpleUploadedFile("photo.png", PNG),
        SimpleUploadedFile("virus.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04"),
    ]
    # when
    response = _client(agent).post(
        _url("reply", ticket),
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
    ticket = _ticket()
    # when
    response = _client(agent).post(
        _url("reply", ticket), {"version": ticket.version, "kind": "note", "body": "  "}
    )
    # then
    assert response.status_code == 400
    assert "The message is empty" in response.content.decode()


def test_attachment_is_served_through_the_scoped_view(agent, merchant_staff):
    # given
    ticket = _ticket(files=[IncomingFile("photo.png", PNG)])
    attachment = ticket.events.get(type=EventType.MESSAGE).attachments.get()
    url = reverse("tickets:attachment", args=[attachment.pk])
    # when
    served = _client(agent).get(url)
    hidden = _client(merchant_staff).get(url)
    # then
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == PNG
    assert hidden.status_code == 404


def test_macro_is_inserted_in_the_tickets_language(agent):
    # given
    ticket = _ticket(language="en")
    macro = Macro.objects.create(
        name="delay", body_zh="您好，订单{order_number}", body_en="Hello, order {order_number}"
    )
    # when
    partial = _client(agent).post(
        _url("macro", ticket),
        {"macro": macro.pk, "body": "Hi.", "version": ticket.version, "kind": "public"},
        headers={"HX-Request": "true"},
    )
    full = _client(agent).post(_url("macro", ticket), {"macro": macro.pk, "body": ""})
    # then
    text = partial.content.decode()
    assert text.startswith("<textarea")
    assert f"Hi.\n\nHello, order {ticket.order.external_id}" in text
    assert f"Hello, order {ticket.order.external_id}</textarea>" in full.content.decode()


# --- actions ----------------------------------------------------------------------------------


def test_transition_buttons_move_the_status_and_refuse_invalid_ones(agent):
    # given
    ticket = _ticket()
    client = _client(agent)
    # when
    ok = client.post(_url("transition", ticket), {"version": ticket.version, "to": "on_hold"})
    ticket.refresh_from_db()
    bad = client.post(_url("transition", ticket), {"version": ticket.version, "to": "closed"})
    # then
    assert ok.status_code == 302
    assert ticket.status == TicketStatus.ON_HOLD
    assert bad.status_code == 409
    assert "cannot become" in bad.content.decode()


def test_agent_takes_a_ticket_but_only_a_supervisor_overrides(agent, supervisor):
    # given
    ticket = _ticket()
    colleague = UserFactory(role=Role.AGENT)
    # when
    took = _client(agent).post(
        _url("assign", ticket), {"version": ticket.version, "assignee": agent.pk}
    )
    ticket.refresh_from_db()
    refused = _client(colleague).post(
        _url("assign", ticket), {"version": ticket.version, "assignee": colleague.pk}
    )
    overridden = _client(supervisor).post(
        _url("assign", ticket),
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
    ticket = _ticket()
    client = _client(agent)
    # when
    missing = client.post(
        _url("hand-off", ticket), {"version": ticket.version, "to_party": "merchant"}
    )
    done = client.post(
        _url("hand-off", ticket),
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
    ticket = _ticket()
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
    within = _client(agent).post(
        _url("compensation", ticket), {"standard": standard.pk, "amount": "10"}
    )
    above = _client(agent).post(
        _url("compensation", ticket), {"standard": standard.pk, "amount": "50"}
    )
    pending = Compensation.objects.get(status=Compensation.Status.PENDING_APPROVAL)
    page = _client(supervisor).get(_url("detail", ticket))
    refused = _client(agent).post(_url("compensation-decide", ticket, pending.pk), {"approve": "1"})
    approved = _client(supervisor).post(
        _url("compensation-decide", ticket, pending.pk), {"approve": "1"}
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


def test_phone_call_is_logged_as_a_ticket(agent):
    # given
    order = OrderFactory(customer=CustomerFactory(phone="13900001111"))
    client = _client(agent)
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
    assert created["Location"] == _url("detail", ticket)
    assert (ticket.channel, ticket.priority, ticket.order_id) == ("phone", "high", order.pk)
    assert ticket.events.get(type=EventType.MESSAGE).data == {"logged_by": agent.pk}


def test_phone_lookup_by_order_number_and_bad_input(agent):
    # given
    order = OrderFactory()
    other = OrderFactory()
    client = _client(agent)
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
        _ticket()
    # when
    response = _client(agent).get(CONSOLE, {"queue": "unassigned"})
    # then
    counts = {code: count for code, _l, count, _u in response.context["queues"]}
    assert counts["unassigned"] == 3
    assert b'<span class="count">2+</span>' in response.content
