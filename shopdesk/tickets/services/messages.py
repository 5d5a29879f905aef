"""Public replies, internal notes and the customer's own messages."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from shopdesk.accounts.models import User
from shopdesk.core.errors import DomainError
from shopdesk.tickets import sla
from shopdesk.tickets.errors import TicketsErrorCode
from shopdesk.tickets.models import Ticket, TicketEvent
from shopdesk.tickets.services.attachments import IncomingFile, RefusedFile, attachments_store
from shopdesk.tickets.services.base import (
    MAX_MESSAGE_CHARS,
    agent_load_adjust,
    author_kind_for,
    check_merchant_holds,
    clean_text,
    event_add,
    ticket_save,
)
from shopdesk.tickets.services.notify import ticket_customer_notify_on_commit
from shopdesk.tickets.services.status import ticket_transition
from shopdesk.tickets.states import AuthorKind, EventType, Party, TicketStatus


@dataclass
class MessageResult:
    ticket: Ticket
    event: TicketEvent
    refused_files: list[RefusedFile] = field(default_factory=list)


def _checked_body(body: str, files: Sequence[IncomingFile]) -> str:
    text = clean_text(body)
    if not text and not files:
        raise DomainError(
            gettext("The message is empty: write something or attach a file."),
            code=TicketsErrorCode.EMPTY_MESSAGE,
        )
    if len(text) > MAX_MESSAGE_CHARS:
        raise DomainError(
            gettext("The message is too long (%(n)d characters, at most %(max)d).")
            % {"n": len(text), "max": MAX_MESSAGE_CHARS},
            code=TicketsErrorCode.MESSAGE_TOO_LONG,
        )
    return text


def ticket_reply(
    *,
    ticket: Ticket,
    actor: User,
    body: str,
    files: Sequence[IncomingFile] = (),
    status_after: TicketStatus | str | None = None,
    now: datetime | None = None,
) -> MessageResult:
    """A person's public reply: meets the first/next-reply clock and opens a new ticket.

    An unassigned platform ticket is taken by the agent who answers it. `status_after` (for
    example pending_customer or resolved) is applied in the same transaction.

    Raises:
        DomainError: empty or oversize message; InvalidTransition for a bad `status_after`.
        PermissionDenied: merchant staff while the platform holds the ticket.
        ConcurrentUpdate: someone else changed the ticket since it was read.
    """
    now = now or timezone.now()
    check_merchant_holds(ticket=ticket, actor=actor)
    text = _checked_body(body, files)
    kind = author_kind_for(actor)
    with transaction.atomic():
        fields = sla.sla_on_public_reply(ticket, now=now)
        if kind == AuthorKind.MERCHANT and ticket.merchant_due_at is not None:
            # The merchant answered in time (or late): its own clock is met either way.
            ticket.merchant_warn_at = ticket.merchant_due_at = None
            fields += ["merchant_warn_at", "merchant_due_at", *sla.sla_summary(ticket)]
        taking = (
            ticket.assignee_id is None
            and kind == AuthorKind.AGENT
            and ticket.responsible_party == Party.PLATFORM
        )
        if taking:
            ticket.assignee = actor
            fields.append("assignee")
        ticket_save(ticket, fields, now=now)
        if taking:
            agent_load_adjust(user_id=actor.pk, delta=1)
            event_add(
                ticket=ticket,
                type=EventType.ASSIGNED,
                actor=actor,
                data={
                    "to": actor.pk,
                    "rule": "answered",
                    "reason": "Took the ticket by answering.",
                },
                now=now,
            )
        event = event_add(
            ticket=ticket, type=EventType.MESSAGE, actor=actor, body=text, is_public=True, now=now
        )
        _, refused = attachments_store(event=event, files=files)
        ticket_customer_notify_on_commit(ticket=ticket, event=event)
        if ticket.status in (TicketStatus.NEW, TicketStatus.REOPENED) and (
            status_after is None or status_after != ticket.status
        ):
            ticket_transition(ticket=ticket, to=TicketStatus.OPEN, actor=actor, now=now)
        if status_after and status_after != ticket.status:
            ticket_transition(ticket=ticket, to=status_after, actor=actor, now=now)
    return MessageResult(ticket=ticket, event=event, refused_files=refused)


def ticket_note(
    *, ticket: Ticket, actor: User, body: str, files: Sequence[IncomingFile] = ()
) -> MessageResult:
    """An internal note: never shown to the customer, changes no clock."""
    text = _checked_body(body, files)
    with transaction.atomic():
        event = event_add(ticket=ticket, type=EventType.NOTE, actor=actor, body=text)
        _, refused = attachments_store(event=event, files=files)
    return MessageResult(ticket=ticket, event=event, refused_files=refused)


def ticket_customer_message(
    *,
    ticket: Ticket,
    author: User | None,
    body: str,
    files: Sequence[IncomingFile] = (),
    now: datetime | None = None,
    data: dict[str, object] | None = None,
) -> MessageResult:
    """The customer writes: resumes a paused clock, reopens a resolved or closed ticket.

    `data` is kept on the message event (the e-mail channel records the Message-ID there).

    Raises:
        DomainError: empty or oversize message.
        ConcurrentUpdate: someone else changed the ticket since it was read.
    """
    now = now or timezone.now()
    text = _checked_body(body, files)
    with transaction.atomic():
        if ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
            ticket_transition(ticket=ticket, to=TicketStatus.REOPENED, actor=author, now=now)
        if ticket.status in (TicketStatus.PENDING_CUSTOMER, TicketStatus.REOPENED):
            ticket_transition(ticket=ticket, to=TicketStatus.OPEN, actor=author, now=now)
        ticket.customer_last_message_at = now
        fields = ["customer_last_message_at", *sla.sla_on_customer_message(ticket, now=now)]
        ticket_save(ticket, fields, now=now)
        event = event_add(
            ticket=ticket,
            type=EventType.MESSAGE,
            actor=author,
            author_kind=AuthorKind.CUSTOMER,
            body=text,
            is_public=True,
            data=data or {},
            now=now,
        )
        _, refused = attachments_store(event=event, files=files)
    return MessageResult(ticket=ticket, event=event, refused_files=refused)
