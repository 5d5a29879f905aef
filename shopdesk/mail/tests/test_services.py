"""Inbound mail through the one ticket intake: new tickets, threading, loops, quarantine."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from shopdesk.accounts.models import Customer
from shopdesk.accounts.tests.factories import CustomerFactory
from shopdesk.core import crypto
from shopdesk.core.errors import DomainError
from shopdesk.mail.demo import demo_mail
from shopdesk.mail.models import InboundMail
from shopdesk.mail.services import mail_discard, mail_ingest, mail_retry
from shopdesk.mail.tests.messages import raw_mail
from shopdesk.orders.tests.factories import OrderFactory
from shopdesk.tickets import mail_refs
from shopdesk.tickets.customer_timeline import customer_timeline
from shopdesk.tickets.models import Ticket, TicketEvent
from shopdesk.tickets.states import AuthorKind, Channel, EventType, TicketStatus

pytestmark = pytest.mark.django_db
Status = InboundMail.Status
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def ingest(raw: bytes) -> InboundMail:
    return mail_ingest(raw=raw, source=InboundMail.Source.FILE).mail


def customer_messages(ticket: Ticket) -> list[str]:
    return list(
        TicketEvent.objects.filter(
            ticket=ticket, type=EventType.MESSAGE, author_kind=AuthorKind.CUSTOMER
        )
        .order_by("id")
        .values_list("body", flat=True)
    )


def test_new_message_opens_an_email_ticket_for_a_new_customer_and_keeps_the_original():
    # given
    raw = raw_mail(body="我的订单还没有发货，请尽快处理。\n\n-- \n张三\n138 0000 0000")
    # when
    mail = ingest(raw)
    # then
    assert mail.status == Status.NEW_TICKET
    ticket = mail.ticket
    assert ticket is not None
    assert ticket.channel == Channel.EMAIL
    assert ticket.subject == "订单还没发货"
    assert customer_messages(ticket) == ["我的订单还没有发货，请尽快处理。"]  # signature trimmed
    customer = ticket.customer
    assert customer.email_hash == crypto.lookup_hash("buyer@example.com")
    assert crypto.decrypt_str(customer.email_enc) == "buyer@example.com"
    assert b"buyer@example.com" not in bytes(mail.raw_enc)  # encrypted at rest
    assert mail.raw() == raw  # the whole original, signature included


def test_the_same_message_delivered_twice_makes_one_ticket():
    raw = raw_mail(message_id="<dup-1@example.com>")
    first = mail_ingest(raw=raw, source="file")
    second = mail_ingest(raw=raw, source="imap")
    assert not first.duplicate
    assert second.duplicate
    assert second.mail.pk == first.mail.pk
    assert Ticket.objects.count() == 1
    assert InboundMail.objects.count() == 1


def test_known_address_matches_the_existing_customer_and_the_order_it_names():
    customer = CustomerFactory(email="Li.Lei@Example.com")
    order = OrderFactory(customer=customer, external_id="SO2026112200017")
    mail = ingest(raw_mail(sender="li.lei@example.com", subject="SO2026112200017 少发了一件"))
    assert mail.ticket.customer == customer
    assert mail.ticket.order == order
    assert Customer.objects.count() == 1


def test_reply_to_the_token_address_joins_the_ticket():
    ticket = ingest(raw_mail()).ticket
    reply = raw_mail(
        to=mail_refs.reply_address(ticket.pk),
        subject="Re: 订单还没发货",
        body="补充：订单号是 123。\n\n在 2026年11月20日 10:00，客服 写道：\n> 请提供订单号",
    )
    mail = ingest(reply)
    assert mail.status == Status.REPLY
    assert mail.ticket == ticket
    assert customer_messages(ticket)[-1] == "补充：订单号是 123。"


def test_reply_threads_by_in_reply_to_our_message_id_and_by_references_to_the_customer_mail():
    first = ingest(raw_mail(message_id="<first@example.com>")).ticket
    ours = f"<{mail_refs.message_id_for(first.pk, 99)}>"
    by_ours = ingest(raw_mail(in_reply_to=ours, subject="Re: hi", body="第二封"))
    by_theirs = ingest(raw_mail(references="<first@example.com>", subject="again", body="第三封"))
    assert by_ours.ticket == first
    assert by_theirs.ticket == first
    assert customer_messages(first)[-2:] == ["第二封", "第三封"]


def test_subject_tag_threads_only_for_the_ticket_customer():
    ticket = ingest(raw_mail()).ticket
    subject = f"Re: 订单还没发货 [{ticket.number}]"
    same = ingest(raw_mail(subject=subject, body="还在等"))
    other = ingest(raw_mail(sender="stranger@example.com", subject=subject, body="我是别人"))
    assert same.ticket == ticket
    assert other.status == Status.NEW_TICKET
    assert other.ticket != ticket


def test_forged_token_does_not_attach_mail_to_someone_elses_ticket():
    victim = ingest(raw_mail(sender="victim@example.com")).ticket
    forged = f"support+t{victim.pk}-aaaaaaaaaa@localhost"
    mail = ingest(raw_mail(sender="attacker@example.com", to=forged, body="把退款打给我"))
    assert mail.ticket != victim
    assert any("did not verify" in note for note in mail.notes)
    assert "把退款打给我" not in customer_messages(victim)


def test_genuine_token_from_another_address_is_quarantined_not_added():
    victim = ingest(raw_mail(sender="victim@example.com")).ticket
    mail = ingest(
        raw_mail(sender="attacker@example.com", to=mail_refs.reply_address(victim.pk), body="x")
    )
    assert mail.status == Status.QUARANTINED
    assert victim.number in mail.reason
    assert customer_messages(victim) == ["我的订单还没有发货，请尽快处理。"]


@pytest.mark.parametrize(
    ("headers", "sender"),
    [
        ({"Auto-Submitted": "auto-replied"}, "buyer@example.com"),
        ({"Precedence": "bulk"}, "news@example.com"),
        ({}, "MAILER-DAEMON@mx.example.com"),
    ],
)
def test_auto_replies_and_bounces_open_nothing_and_send_nothing(headers, sender, mailoutbox):
    mail = ingest(raw_mail(sender=sender, headers=headers, subject="自动回复: 我在休假"))
    assert mail.status == Status.IGNORED
    assert mail.ticket is None
    assert Ticket.objects.count() == 0
    assert mailoutbox == []


def test_mail_from_our_own_address_is_ignored():
    mail = ingest(raw_mail(sender="support+t1-abcdefghij@localhost"))
    assert mail.status == Status.IGNORED
    assert Ticket.objects.count() == 0


def test_bad_messages_are_quarantined_with_the_reason(settings):
    settings.SHOPDESK_MAIL_MAX_BYTES = 2000
    no_sender = ingest(raw_mail(sender=""))
    empty = ingest(b"")
    big = ingest(raw_mail(body="大" * 3000))
    assert [m.status for m in (no_sender, empty, big)] == [Status.QUARANTINED] * 3
    assert "From" in no_sender.reason
    assert empty.reason
    assert big.reason
    assert InboundMail.objects.filter(status=Status.QUARANTINED).count() == 3
    assert Ticket.objects.count() == 0


def test_a_sender_writing_too_often_is_held_as_a_loop(settings):
    settings.SHOPDESK_MAIL_MAX_PER_SENDER_HOUR = 2
    statuses = [ingest(raw_mail(subject=f"n{i}", body=f"第{i}封")).status for i in range(3)]
    assert statuses == [Status.NEW_TICKET, Status.NEW_TICKET, Status.QUARANTINED]


def test_attachments_are_kept_within_the_limits(settings):
    settings.SHOPDESK_ATTACHMENT_MAX_FILES = 2
    files = [(f"照片{i}.png", "image/png", PNG) for i in range(3)]
    mail = ingest(raw_mail(attachments=files))
    event = TicketEvent.objects.get(ticket=mail.ticket, type=EventType.MESSAGE)
    assert [a.name for a in event.attachments.order_by("id")] == ["照片0.png", "照片1.png"]
    assert any("照片2.png" in note for note in mail.notes)


def test_quarantined_message_can_be_retried_after_the_fix_or_discarded(settings, admin_user):
    settings.SHOPDESK_MAIL_CATEGORY = "no-such-category"
    held = ingest(raw_mail(body="第一封"))
    other = ingest(raw_mail(body="第二封"))
    assert held.status == other.status == Status.QUARANTINED
    assert "no-such-category" in held.reason
    settings.SHOPDESK_MAIL_CATEGORY = "other"
    retried = mail_retry(mail=held, actor=admin_user)
    discarded = mail_discard(mail=other, actor=admin_user)
    assert retried.status == Status.NEW_TICKET
    assert retried.attempts == 2
    assert customer_messages(retried.ticket) == ["第一封"]
    assert discarded.status == Status.DISCARDED
    assert InboundMail.objects.count() == 2  # nothing dropped
    with pytest.raises(DomainError):
        mail_retry(mail=retried, actor=admin_user)


def test_reply_to_a_long_closed_ticket_opens_a_linked_new_ticket(settings):
    ticket = ingest(raw_mail()).ticket
    Ticket.objects.filter(pk=ticket.pk).update(
        status=TicketStatus.CLOSED, closed_at=timezone.now() - timedelta(days=60)
    )
    mail = ingest(raw_mail(to=mail_refs.reply_address(ticket.pk), body="又坏了"))
    assert mail.status == Status.NEW_TICKET
    assert mail.ticket.parent_id == ticket.pk


def test_mail_shows_on_the_customer_timeline_for_those_who_see_the_ticket(agent, merchant_staff):
    mail = ingest(raw_mail(subject="发票开错了"))
    for_agent = customer_timeline(customer=mail.ticket.customer, user=agent)
    for_merchant = customer_timeline(customer=mail.ticket.customer, user=merchant_staff)
    emails = [e for e in for_agent if e.kind == "email"]
    assert [e.detail for e in emails] == ["发票开错了"]
    assert mail.ticket.number in emails[0].title
    assert [e for e in for_merchant if e.kind == "email"] == []


def test_demo_mail_goes_through_the_channel(agent):
    for _ in range(6):
        OrderFactory()
    result = demo_mail(rng=random.Random(1), now=timezone.now())
    assert result["by_status"][Status.NEW_TICKET] == 5
    assert result["by_status"][Status.IGNORED] == 2
    assert result["by_status"][Status.QUARANTINED] == 1
    big5 = Ticket.objects.get(subject__contains="發票抬頭")
    assert big5.channel == Channel.EMAIL
