"""The customer's ticket pages in the portal: open an issue, my tickets, one ticket."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shopdesk.accounts.roles import Role
from shopdesk.accounts.services import customer_login_user_get_or_create
from shopdesk.accounts.tests.factories import CustomerFactory, UserFactory
from shopdesk.core.errors import ConcurrentUpdate
from shopdesk.notifications.services import notification_enqueue
from shopdesk.orders.tests.factories import OrderFactory, OrderItemFactory
from shopdesk.portal import ticket_views
from shopdesk.tickets import services
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.services import IncomingFile, TicketIntake
from shopdesk.tickets.services.base import event_add
from shopdesk.tickets.states import Channel, EventType, Party, TicketStatus

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\xff\xfe"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _customer_order(client):
    customer = CustomerFactory()
    order = OrderFactory(customer=customer, external_id="SD-T-1", merchant__name="Kettle Shop")
    item = OrderItemFactory(order=order, product__name="Blue kettle")
    client.force_login(customer_login_user_get_or_create(customer=customer))
    customer.refresh_from_db()
    return customer, order, item


def _ticket(customer, order, description="The kettle leaks", files=()):
    intake = TicketIntake(
        channel=Channel.PORTAL,
        customer=customer,
        order=order,
        category_code="product_quality",
        description=description,
        files=files,
        actor=customer.user,
    )
    return services.ticket_create(intake=intake).ticket


def _token(client, order):
    form = client.get(reverse("portal:issue-new", args=[order.pk])).content.decode()
    return re.search(r'name="token" value="([0-9a-f]{32})"', form).group(1)


def _issue(client, order, item, token, photos):
    return client.post(
        reverse("portal:issue-new", args=[order.pk]),
        {
            "order_item": str(item.pk),
            "category": "product_quality",
            "description": "The kettle leaks from the bottom",
            "token": token,
            "photos": photos,
        },
        follow=True,
    )


def test_open_an_issue_with_item_and_photo_lands_on_the_ticket_and_the_order_lists_it(client):
    # given
    customer, order, item = _customer_order(client)
    token = _token(client, order)
    # when
    response = _issue(client, order, item, token, [SimpleUploadedFile("leak.png", PNG)])
    # then
    ticket = Ticket.objects.get(customer=customer, order=order, order_item=item)
    assert (ticket.channel, ticket.category.code, ticket.language) == (
        "portal",
        "product_quality",
        "en",
    )
    assert response.redirect_chain[-1][0] == reverse("portal:ticket", args=[ticket.pk])
    body = response.content.decode()
    assert f"Your request {ticket.number} has been received" in body
    attachment = ticket.events.get(type=EventType.MESSAGE).attachments.get()
    assert f'src="{reverse("portal:attachment", args=[attachment.pk])}"' in body
    image = client.get(reverse("portal:attachment", args=[attachment.pk]))
    assert image["Content-Type"] == "image/png"
    assert image["X-Content-Type-Options"] == "nosniff"
    assert b"".join(image.streaming_content) == PNG
    order_page = client.get(reverse("portal:order", args=[order.pk])).content.decode()
    assert reverse("portal:issue-new", args=[order.pk]) in order_page
    assert f'data-ticket="{ticket.number}"' in order_page


def test_a_refused_file_is_explained_and_the_ticket_is_still_created(client):
    # given
    _, order, item = _customer_order(client)
    photos = [SimpleUploadedFile("ok.png", PNG), SimpleUploadedFile("tool.exe", EXE)]
    # when
    response = _issue(client, order, item, _token(client, order), photos)
    # then
    ticket = Ticket.objects.get()
    body = response.content.decode()
    assert ticket.number in body
    assert "tool.exe was not attached" in body
    assert "is not an allowed type" in body
    names = ticket.events.get(type=EventType.MESSAGE).attachments.values_list("name", flat=True)
    assert list(names) == ["ok.png"]


def test_sending_the_same_form_twice_makes_one_ticket(client):
    # given
    _, order, item = _customer_order(client)
    token = _token(client, order)
    # when
    first = _issue(client, order, item, token, [])
    second = _issue(client, order, item, token, [])
    # then
    ticket = Ticket.objects.get()
    assert first.redirect_chain[-1][0] == second.redirect_chain[-1][0]
    assert second.redirect_chain[-1][0] == reverse("portal:ticket", args=[ticket.pk])


def test_an_invalid_issue_form_keeps_the_text_and_makes_nothing(client):
    # given
    _, order, item = _customer_order(client)
    # when
    response = client.post(
        reverse("portal:issue-new", args=[order.pk]),
        {"order_item": str(item.pk), "category": "", "description": "Leaks", "token": "x"},
    )
    # then
    assert response.status_code == 200
    assert "Leaks</textarea>" in response.content.decode()
    assert not Ticket.objects.exists()
    assert client.get(reverse("portal:issue-new", args=[OrderFactory().pk])).status_code == 404


def test_timeline_shows_public_lines_in_words_and_never_notes_routing_or_sla(client):
    # given
    customer, order, _ = _customer_order(client)
    agent = UserFactory(role=Role.AGENT)
    ticket = _ticket(customer, order, description="<script>alert('x')</script><b>bold</b>")
    services.ticket_note(ticket=ticket, actor=agent, body="SECRET-NOTE customer is rude")
    ticket.refresh_from_db()
    services.ticket_assign(ticket=ticket, assignee=agent, actor=agent, reason="ROUTING-REASON")
    ticket.refresh_from_db()
    # an SLA line is never for the customer, even if some writer marked it public
    event_add(ticket=ticket, type=EventType.SLA_WARNING, body="SLA-WARNING", is_public=True)
    services.ticket_reply(
        ticket=ticket, actor=agent, body="We will send a new kettle", status_after="resolved"
    )
    # when
    body = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    # then
    assert "We will send a new kettle" in body
    assert "<script>alert" not in body  # the customer's text is inert
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&lt;b&gt;bold" in body
    assert "Now resolved" in body
    assert "Customer service" in body
    for hidden in ("SECRET-NOTE", "ROUTING-REASON", "SLA-WARNING", "Took the ticket by answering"):
        assert hidden not in body


def test_a_reply_to_a_resolved_ticket_reopens_it(client):
    # given
    customer, order, _ = _customer_order(client)
    agent = UserFactory(role=Role.AGENT)
    ticket = _ticket(customer, order)
    services.ticket_reply(ticket=ticket, actor=agent, body="Fixed", status_after="resolved")
    page = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    # when
    response = client.post(
        reverse("portal:ticket-reply", args=[ticket.pk]),
        {"body": "Still leaking", "photos": [SimpleUploadedFile("more.png", PNG)]},
        follow=True,
    )
    # then
    assert "it will be reopened" in page
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert ticket.reopen_count == 1
    body = response.content.decode()
    assert "Your message has been sent" in body
    assert "Still leaking" in body
    assert "Now reopened" in body
    assert ticket.events.filter(body="Still leaking", attachments__name="more.png").exists()


def test_a_conflict_shows_the_fresh_page_and_keeps_the_typed_text(client, monkeypatch):
    # given
    customer, order, _ = _customer_order(client)
    ticket = _ticket(customer, order)
    empty = client.post(reverse("portal:ticket-reply", args=[ticket.pk]), {"body": "  "})

    def busy(**kwargs):
        raise ConcurrentUpdate("Someone else changed this ticket a moment ago.")

    monkeypatch.setattr(ticket_views, "ticket_customer_message", busy)
    # when
    response = client.post(
        reverse("portal:ticket-reply", args=[ticket.pk]), {"body": "My long careful text"}
    )
    # then
    assert empty.status_code == 400
    assert "The message is empty" in empty.content.decode()
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this ticket a moment ago." in body
    assert "My long careful text</textarea>" in body
    assert ticket.number in body


def test_rating_once_after_resolution(client):
    # given
    customer, order, _ = _customer_order(client)
    agent = UserFactory(role=Role.AGENT)
    ticket = _ticket(customer, order)
    too_early = client.post(reverse("portal:ticket-rate", args=[ticket.pk]), {"rating": "5"})
    services.ticket_reply(ticket=ticket, actor=agent, body="Fixed", status_after="resolved")
    # when
    first = client.post(
        reverse("portal:ticket-rate", args=[ticket.pk]),
        {"rating": "5", "comment": "Quick & kind"},
        follow=True,
    )
    again = client.post(reverse("portal:ticket-rate", args=[ticket.pk]), {"rating": "1"})
    # then
    assert too_early.status_code == 400
    ticket.refresh_from_db()
    assert (ticket.rating, ticket.rating_comment) == (5, "Quick & kind")
    body = first.content.decode()
    assert "Thank you for your rating" in body
    assert "★★★★★" in body
    assert "Quick &amp; kind" in body
    assert "You rated our service 5 stars" in body
    assert 'class="ticket-form rate-form"' not in body
    assert again.status_code == 400
    assert "already been rated" in again.content.decode()


def test_not_satisfied_opens_a_linked_complaint(client):
    # given
    customer, order, _ = _customer_order(client)
    agent = UserFactory(role=Role.AGENT)
    ticket = _ticket(customer, order)
    too_early = client.post(reverse("portal:ticket-complain", args=[ticket.pk]), {"body": "x"})
    services.ticket_reply(ticket=ticket, actor=agent, body="Fixed", status_after="resolved")
    # when
    response = client.post(
        reverse("portal:ticket-complain", args=[ticket.pk]),
        {"body": "Nobody called me"},
        follow=True,
    )
    # then
    assert too_early.status_code == 400
    complaint = Ticket.objects.get(parent=ticket)
    assert complaint.customer_id == customer.pk
    body = response.content.decode()
    assert f"Your complaint {complaint.number} has been opened" in body
    assert reverse("portal:ticket", args=[complaint.pk]) in body
    assert "I am not satisfied</summary>" not in body


def test_merchant_holder_deadline_and_reason_are_shown(client):
    # given
    customer, order, _ = _customer_order(client)
    agent = UserFactory(role=Role.AGENT)
    ticket = _ticket(customer, order)
    services.ticket_hand_off(
        ticket=ticket, to_party=Party.MERCHANT, reason="The shop checks its stock", actor=agent
    )
    # when
    body = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    # then
    assert "The merchant Kettle Shop is handling this." in body
    assert "They must reply by" in body
    assert "The shop checks its stock" in body
    assert "Passed to the merchant Kettle Shop" in body
    assert 'aria-current="step">waiting on the merchant<' in body


def test_waiting_for_the_customer_says_the_clock_is_paused(client):
    # given
    customer, order, _ = _customer_order(client)
    agent = UserFactory(role=Role.AGENT)
    ticket = _ticket(customer, order)
    services.ticket_reply(
        ticket=ticket, actor=agent, body="Send a photo?", status_after="pending_customer"
    )
    # when
    body = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    # then
    assert "The clock on our promised time is paused" in body
    assert 'aria-current="step">waiting for you<' in body
    assert "Our service team is handling this." in body


def test_my_tickets_lists_own_tickets_with_stage_holder_and_unread_count(
    client, django_assert_num_queries
):
    # given
    customer, order, _ = _customer_order(client)
    mine = _ticket(customer, order)
    other = _ticket(CustomerFactory(), None)
    notification_enqueue(
        channel="in_app", subject="Ticket news", body="b", user=customer.user, language="en"
    )
    # when
    # session, user, customer, 2 permission look-ups, tickets, unread list, unread count
    with django_assert_num_queries(8):
        body = client.get(reverse("portal:tickets")).content.decode()
    # then
    assert body.count("data-ticket=") == 1
    assert mine.number in body
    assert "Order SD-T-1" in body
    assert "submitted" in body
    assert "Our service team" in body
    assert other.number not in body
    # "we have received your request" for the new ticket, and the message enqueued above
    assert "2 new notifications" in body
    assert 'class="badge unread-count"' in body
    assert reverse("notifications:inbox") in body


@pytest.mark.parametrize("name", ["portal:ticket", "portal:ticket-reply", "portal:ticket-rate"])
def test_someone_elses_ticket_is_404_and_nothing_is_written(client, name):
    # given
    _customer_order(client)
    other_customer = CustomerFactory()
    other = _ticket(other_customer, OrderFactory(customer=other_customer))
    # when
    response = client.post(reverse(name, args=[other.pk]), {"body": "hi", "rating": "5"})
    page = client.get(reverse("portal:ticket", args=[other.pk]))
    # then
    assert response.status_code in (404, 405)
    assert page.status_code == 404
    assert other.events.count() == 3  # created, message, assigned: nothing added


def test_only_pictures_of_own_public_lines_are_served(client):
    # given
    customer, order, _ = _customer_order(client)
    agent = UserFactory(role=Role.AGENT)
    note = services.ticket_note(
        ticket=_ticket(customer, order), actor=agent, body="n", files=[IncomingFile("n.png", PNG)]
    )
    other = _ticket(CustomerFactory(), None, files=[IncomingFile("x.png", PNG)])
    others = other.events.get(type=EventType.MESSAGE).attachments.get()
    # when
    responses = [
        client.get(reverse("portal:attachment", args=[a.pk]))
        for a in (note.event.attachments.get(), others)
    ]
    # then
    assert [r.status_code for r in responses] == [404, 404]


@pytest.mark.parametrize("name", ["portal:tickets", "portal:ticket"])
def test_staff_see_the_customers_only_page_and_anonymous_must_sign_in(client, name):
    # given
    customer = CustomerFactory()
    ticket = _ticket(customer, OrderFactory(customer=customer))
    url = reverse(name, args=[ticket.pk]) if name == "portal:ticket" else reverse(name)
    # when
    anonymous = client.get(url)
    client.force_login(UserFactory(role=Role.AGENT, is_staff=True))
    staff = client.get(url)
    # then
    assert anonymous["Location"] == reverse("portal:login")
    assert staff.status_code == 403
    assert "This page is for customers" in staff.content.decode()


def test_ticket_page_query_count_does_not_grow_with_the_conversation(
    client, django_assert_num_queries
):
    # given
    customer, order, _ = _customer_order(client)
    ticket = _ticket(customer, order, files=[IncomingFile("a.png", PNG)])
    agent = UserFactory(role=Role.AGENT)
    for n in range(4):
        ticket.refresh_from_db()
        services.ticket_reply(
            ticket=ticket, actor=agent, body=f"reply {n}", files=[IncomingFile(f"{n}.png", PNG)]
        )
        ticket.refresh_from_db()
        services.ticket_customer_message(ticket=ticket, author=customer.user, body=f"answer {n}")
    # when
    # session, user, customer, ticket (+ 2 permission look-ups of the ticket scope), events,
    # attachments, unread count
    with django_assert_num_queries(9):
        response = client.get(reverse("portal:ticket", args=[ticket.pk]))
    # then
    assert response.content.decode().count('class="photo"') == 5
