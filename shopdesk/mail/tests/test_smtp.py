"""Django's SMTP backend against a real SMTP server: what a mail client would receive."""

import pytest
from django.core.mail import EmailMessage

from shopdesk.mail.services import mail_ingest
from shopdesk.mail.tests.messages import raw_mail
from shopdesk.mail.tests.smtp_server import (
    SmtpServer,
    smtp_server,  # noqa: F401 - fixture
)
from shopdesk.notifications.services import notifications_deliver_due
from shopdesk.tickets import mail_refs, services
from shopdesk.tickets.models import TicketEvent
from shopdesk.tickets.states import EventType


def test_a_chinese_message_with_custom_headers_arrives_intact(smtp_server: SmtpServer):  # noqa: F811
    # given
    message = EmailMessage(
        subject="您的工单 T-1001 已解决",
        body="您好，张三：\n\n您的退款已处理，预计 3 个工作日到账。\n\n客服 小李",
        from_email="客服中心 <support@shop.test>",
        to=["buyer@example.com"],
        cc=["merchant@example.com"],
        headers={
            "Reply-To": "support+t1001@shop.test",
            "Auto-Submitted": "auto-replied",
            "X-Shopdesk-Ticket": "T-1001",
        },
    )
    # when
    sent = message.send()
    # then
    assert sent == 1
    [received] = smtp_server.messages
    assert received.mail_from == "support@shop.test"
    assert received.rcpt_tos == ["buyer@example.com", "merchant@example.com"]
    mail = received.message
    assert mail["Subject"] == "您的工单 T-1001 已解决"
    assert mail["From"].addresses[0].display_name == "客服中心"
    assert mail["Reply-To"] == "support+t1001@shop.test"
    assert mail["Auto-Submitted"] == "auto-replied"
    assert mail["X-Shopdesk-Ticket"] == "T-1001"
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content_charset() == "utf-8"
    # SMTP carries CRLF line ends, inside the base64 too
    assert mail.get_content().splitlines() == [
        "您好，张三：",
        "",
        "您的退款已处理，预计 3 个工作日到账。",
        "",
        "客服 小李",
    ]
    # the headers went out in 7-bit (RFC 2047 encoded words), the body as 8-bit UTF-8
    head, _, body = received.raw.partition(b"\r\n\r\n")
    assert head.isascii()
    assert b"=?utf-8?" in head.lower()
    assert mail["Content-Transfer-Encoding"] == "8bit"
    assert "退款".encode() in body


@pytest.mark.django_db
def test_ticket_reply_leaves_through_smtp_with_its_thread_headers(
    smtp_server: SmtpServer,  # noqa: F811
    agent,
    django_capture_on_commit_callbacks,
):
    # given: a ticket opened by an e-mail from the customer
    ticket = mail_ingest(raw=raw_mail(message_id="<ask-1@example.com>"), source="file").mail.ticket
    # when: the agent replies and the outbox delivers through the SMTP server
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reply(ticket=ticket, actor=agent, body="您好，已为您加急处理。")
    notifications_deliver_due()
    # then: what the customer's mail server received keeps the conversation together
    replies = [m.message for m in smtp_server.messages if "Re: " in str(m.message["Subject"])]
    [reply] = replies
    assert reply["In-Reply-To"] == "<ask-1@example.com>"
    assert reply["References"] == "<ask-1@example.com>"
    assert reply["Message-ID"] == f"<{mail_refs.message_id_for(ticket.pk, reply_event_id(ticket))}>"
    assert reply["Reply-To"] == mail_refs.reply_address(ticket.pk)
    assert f"[{ticket.number}]" in str(reply["Subject"])
    assert "已为您加急处理" in reply.get_content()


def reply_event_id(ticket) -> int:
    return (
        TicketEvent.objects.filter(ticket=ticket, type=EventType.MESSAGE, author_kind="agent")
        .values_list("pk", flat=True)
        .get()
    )
