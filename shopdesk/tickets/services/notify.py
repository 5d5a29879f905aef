"""Tell the customer about each public change of their ticket: in-app and by e-mail.

Messages go through the notifications outbox after the transaction commits, so a rolled-back
change notifies no one and a failing mail server only delays the e-mail (the outbox retries).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from shopdesk.core import crypto
from shopdesk.notifications.services import notification_enqueue
from shopdesk.notifications.unsubscribe import email_is_suppressed, unsubscribe_url
from shopdesk.tickets import mail_refs
from shopdesk.tickets.models import Ticket, TicketEvent
from shopdesk.tickets.states import AuthorKind, Channel, EventType, Party, TicketStatus

# Events the customer hears about; replies by the customer themselves are not echoed back.
_NOTIFY_TYPES = frozenset(
    {
        EventType.CREATED,
        EventType.MESSAGE,
        EventType.STATUS_CHANGED,
        EventType.HANDED_OFF,
        EventType.TAKEN_BACK,
    }
)


_SUPPRESSED: ContextVar[bool] = ContextVar("ticket_customer_notify_suppressed", default=False)


@contextmanager
def customer_notifications_suppressed() -> Iterator[None]:
    """Write history without telling customers (the demo, back-filled imports)."""
    token = _SUPPRESSED.set(True)
    try:
        yield
    finally:
        _SUPPRESSED.reset(token)


def ticket_customer_notify_on_commit(*, ticket: Ticket, event: TicketEvent) -> None:
    """Queue the customer's notifications for `event` once the transaction commits."""
    if _SUPPRESSED.get() or event.type not in _NOTIFY_TYPES or not event.is_public:
        return
    if event.author_kind == AuthorKind.CUSTOMER and event.type == EventType.MESSAGE:
        return
    if event.type == EventType.CREATED:
        # Nothing else can have changed a ticket made in this very transaction: queue the
        # customer's messages now, from the objects in hand, in the same transaction (a
        # rollback takes them away with the ticket) instead of a second commit afterwards.
        _notify(ticket, event)
        return
    ticket_id, event_id = ticket.pk, event.pk
    transaction.on_commit(lambda: ticket_customer_notify(ticket_id=ticket_id, event_id=event_id))


def ticket_customer_notify(*, ticket_id: int, event_id: int) -> None:
    """Enqueue one in-app and one e-mail notification for a ticket event (idempotent)."""
    ticket = Ticket.objects.select_related("customer__user").filter(pk=ticket_id).first()
    event = TicketEvent.objects.filter(pk=event_id).first()
    if ticket is None or event is None:
        return
    _notify(ticket, event)


def _notify(ticket: Ticket, event: TicketEvent) -> None:
    customer = ticket.customer
    with translation.override(customer.language or "zh-hans"):
        subject = gettext("Ticket %(number)s: %(what)s") % {
            "number": ticket.number,
            "what": _what_happened(ticket, event),
        }
        body = _body(ticket, event)
    ref = f"ticket:{ticket.pk}"
    if customer.user_id is not None:
        notification_enqueue(
            channel="in_app",
            subject=subject,
            body=body,
            user=customer.user,
            language=customer.language,
            ref=ref,
            dedupe_key=f"ticket-event:{event.pk}:in_app",
        )
    email = crypto.decrypt_str(customer.email_enc)
    if not email:
        return
    is_reply = event.type == EventType.MESSAGE
    if not is_reply and email_is_suppressed(email):
        return  # unsubscribed from notifications; agents' replies still go out
    if is_reply:
        # The customer's mail client threads it under their own message by subject too.
        subject = f"Re: {ticket.subject}"
    tag = mail_refs.subject_tag(ticket)
    if tag and tag not in subject:
        subject = f"{subject} {tag}"
    notification_enqueue(
        channel="email",
        subject=subject[:200],
        body=body,
        to=email,
        language=customer.language,
        ref=ref,
        dedupe_key=f"ticket-event:{event.pk}:email",
        headers=ticket_mail_headers(ticket=ticket, event=event, to=email, is_reply=is_reply),
    )


def ticket_mail_headers(
    *, ticket: Ticket, event: TicketEvent, to: str, is_reply: bool
) -> dict[str, str]:
    """Threading headers, so the customer's client keeps one conversation per ticket and their
    answer finds the ticket again (mail_refs); loop and unsubscribe headers on notifications."""
    own = f"<{mail_refs.message_id_for(ticket.pk, event.pk)}>"
    headers = {"Message-ID": own, "Reply-To": mail_refs.reply_address(ticket.pk)}
    if event.type == EventType.CREATED:
        # A ticket opened by mail this very moment: its Message-ID is on the event in hand.
        first = event.data.get("message_id") if isinstance(event.data, dict) else None
        earlier = [str(first)] if first else []
    elif ticket.channel == Channel.EMAIL:
        earlier = _customer_message_ids(ticket)
    else:
        earlier = []
    if earlier:
        headers["In-Reply-To"] = f"<{earlier[-1]}>"
        headers["References"] = " ".join(f"<{m}>" for m in earlier)
    if not is_reply:
        # Written by the system, not a person: auto-responders must not answer it (RFC 3834),
        # and the customer can turn these off in one click (RFC 8058).
        headers["Auto-Submitted"] = "auto-generated"
        headers["X-Auto-Response-Suppress"] = "All"
        headers["List-Unsubscribe"] = f"<{unsubscribe_url(to)}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def _customer_message_ids(ticket: Ticket, limit: int = 10) -> list[str]:
    """Message-IDs of the customer's e-mails on this ticket, oldest first (the last `limit`)."""
    rows = (
        TicketEvent.objects.filter(ticket_id=ticket.pk, data__has_key="message_id")
        .order_by("-created_at", "-id")
        .values_list("data", flat=True)[:limit]
    )
    ids = [str(d["message_id"]) for d in rows if isinstance(d, dict) and d.get("message_id")]
    return list(reversed(ids))


def _what_happened(ticket: Ticket, event: TicketEvent) -> str:
    if event.type == EventType.CREATED:
        return gettext("we have received your request")
    if event.type == EventType.MESSAGE:
        return gettext("new reply")
    if event.type in (EventType.HANDED_OFF, EventType.TAKEN_BACK):
        if ticket.responsible_party == Party.MERCHANT:
            return gettext("the merchant is handling it")
        return gettext("our service team is handling it")
    return gettext("now %(status)s") % {"status": TicketStatus(ticket.status).label}


def _local(dt: object) -> str:
    if dt is None:
        return "-"
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M")  # type: ignore[arg-type]


def _body(ticket: Ticket, event: TicketEvent) -> str:
    lines = [
        gettext("Ticket %(number)s: %(what)s.")
        % {
            "number": ticket.number,
            "what": _what_happened(ticket, event),
        }
    ]
    if event.type == EventType.MESSAGE and event.body:
        lines += ["", event.body]
    if ticket.responsible_party == Party.MERCHANT and ticket.merchant_due_at:
        lines.append(
            gettext("The merchant must reply by %(time)s.")
            % {"time": _local(ticket.merchant_due_at)}
        )
    elif ticket.status == TicketStatus.PENDING_CUSTOMER:
        lines.append(gettext("We are waiting for your reply; our clock is paused until then."))
    elif ticket.resolution_due_at and ticket.status not in ("resolved", "closed"):
        lines.append(
            gettext("Expected resolution by %(time)s.") % {"time": _local(ticket.resolution_due_at)}
        )
    lines += ["", gettext("Reply to this e-mail or in the customer portal to add anything.")]
    return "\n".join(lines)
