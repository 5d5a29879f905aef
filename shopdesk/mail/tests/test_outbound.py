"""Mail out keeps the thread: an agent's reply carries the headers that bring the customer's
answer back to the ticket; notifications can be unsubscribed, replies cannot."""

import email
from email import policy

import pytest
from django.test import Client

from shopdesk.mail.models import InboundMail
from shopdesk.mail.services import mail_ingest
from shopdesk.mail.tests.messages import raw_mail
from shopdesk.notifications.models import EmailSuppression
from shopdesk.notifications.services import notifications_deliver_due
from shopdesk.notifications.unsubscribe import unsubscribe_token
from shopdesk.tickets import services
from shopdesk.tickets.states import TicketStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Notifications are queued on commit: `with commit():` runs those hooks at its end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def sent_to_customer(mailoutbox):
    notifications_deliver_due()
    return [m for m in mailoutbox if m.to == ["buyer@example.com"]]


def test_agent_reply_threads_under_the_customer_mail_and_the_answer_comes_back(
    agent, mailoutbox, commit
):
    # given: a customer wrote in
    first = mail_ingest(raw=raw_mail(message_id="<q1@example.com>"), source="file").mail
    ticket = first.ticket
    # when: the agent answers
    with commit():
        services.ticket_reply(ticket=ticket, actor=agent, body="已为您催促仓库，今天发出。")
    [reply] = [m for m in sent_to_customer(mailoutbox) if m.subject.startswith("Re: ")]
    # then: threading headers, no unsubscribe on a reply
    message = email.message_from_bytes(reply.message().as_bytes(), policy=policy.default)
    assert message["In-Reply-To"] == "<q1@example.com>"
    assert "<q1@example.com>" in message["References"]
    assert message["Reply-To"].startswith("support+t")
    subject = message["Subject"].strip()  # Django folds a non-ASCII subject onto a new line
    assert ticket.number in subject
    assert subject.startswith("Re: ")
    assert message["List-Unsubscribe"] is None
    assert message["Auto-Submitted"] is None
    assert "今天发出" in message.get_content()
    # and the customer's answer to that mail, quoting it, joins the same ticket
    answer = raw_mail(
        subject=f"Re: {subject}",
        in_reply_to=message["Message-ID"],
        body="收到，谢谢！\n\n> 已为您催促仓库，今天发出。",
    )
    back = mail_ingest(raw=answer, source="file").mail
    assert back.status == InboundMail.Status.REPLY
    assert back.ticket == ticket
    assert back.event.body == "收到，谢谢！"


def test_status_notifications_can_be_unsubscribed_in_one_click_but_replies_still_go(
    agent, mailoutbox, commit
):
    with commit():
        ticket = mail_ingest(raw=raw_mail(), source="file").mail.ticket
    [received] = sent_to_customer(mailoutbox)  # "we have received your request"
    message = email.message_from_bytes(received.message().as_bytes(), policy=policy.default)
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message["List-Unsubscribe"].strip("<>").split("://", 1)[1].split("/", 1)[1]
    # one-click: the mail client POSTs, no session, no CSRF token
    response = Client(enforce_csrf_checks=True).post("/" + url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert EmailSuppression.objects.count() == 1
    mailoutbox.clear()
    with commit():
        services.ticket_reply(
            ticket=ticket, actor=agent, body="这是回复", status_after="pending_customer"
        )
    sent = sent_to_customer(mailoutbox)
    assert [m.subject.startswith("Re: ") for m in sent] == [True]  # the reply, no status mail
    with commit():
        services.ticket_transition(ticket=ticket, to=TicketStatus.RESOLVED, actor=agent)
    assert sent_to_customer(mailoutbox) == sent


def test_unsubscribe_page_asks_first_and_refuses_a_forged_link():
    client = Client()
    token = unsubscribe_token("buyer@example.com")
    page = client.get(f"/notifications/unsubscribe/{token}/")
    assert page.status_code == 200
    assert EmailSuppression.objects.count() == 0
    forged = client.post(f"/notifications/unsubscribe/{token[:-2]}xx/")
    assert forged.status_code == 400
    assert EmailSuppression.objects.count() == 0
    assert "not valid" in forged.content.decode()
