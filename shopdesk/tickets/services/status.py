"""The only writer of Ticket.status."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from shopdesk.accounts.models import User
from shopdesk.audit.models import AuditEvent
from shopdesk.audit.services import audit_record
from shopdesk.tickets import sla
from shopdesk.tickets.errors import HandOffRequired, InvalidTransition
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.services.base import (
    agent_load_adjust,
    check_merchant_holds,
    event_add,
    ticket_save,
)
from shopdesk.tickets.services.notify import ticket_customer_notify_on_commit
from shopdesk.tickets.states import (
    ACTIVE_STATUSES,
    HANDOFF_ONLY,
    TRANSITIONS,
    EventType,
    TicketStatus,
)


def ticket_transition(
    *,
    ticket: Ticket,
    to: TicketStatus | str,
    actor: User | None,
    note: str = "",
    now: datetime | None = None,
    extra_fields: dict[str, object] | None = None,
) -> Ticket:
    """Move the ticket along the status machine of DESIGN §3; writes one timeline event.

    `extra_fields` lets a calling service (hand-off, reply) change other fields in the same
    compare-and-set write.

    Raises:
        InvalidTransition: the machine does not allow it; the message lists what is allowed.
        ConcurrentUpdate: someone else changed the ticket since it was read.
    """
    now = now or timezone.now()
    if "responsible_party" not in (extra_fields or {}):
        # A hand-off changes the holder in this same write and checks the actor itself.
        check_merchant_holds(ticket=ticket, actor=actor)
    old = TicketStatus(ticket.status)
    new = TicketStatus(to)
    allowed = TRANSITIONS.get(old, frozenset())
    if new not in allowed:
        names = ", ".join(str(s.label) for s in sorted(allowed)) or gettext("none")
        raise InvalidTransition(
            gettext(
                "A ticket that is %(old)s cannot become %(new)s. From %(old)s it can become: "
                "%(allowed)s."
            )
            % {"old": old.label, "new": new.label, "allowed": names}
        )
    if (old, new) in HANDOFF_ONLY and "responsible_party" not in (extra_fields or {}):
        raise HandOffRequired(
            gettext(
                "Waiting on the merchant starts and ends with a hand-off: use “Hand off” with a "
                "reason the customer will see."
            )
        )
    with transaction.atomic():
        fields = _status_fields(ticket, old=old, new=new, now=now)
        for name, value in (extra_fields or {}).items():
            setattr(ticket, name, value)
            fields.append(name)
        fields += sla.sla_on_status(ticket, old=old, new=new, now=now)
        ticket_save(ticket, fields, now=now)
        _load_follow_status(ticket, old=old, new=new)
        event = event_add(
            ticket=ticket,
            type=EventType.STATUS_CHANGED,
            actor=actor,
            body=note,
            is_public=True,
            data={"from": old.value, "to": new.value},
            now=now,
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.STATUS_CHANGED,
            object_type="ticket",
            object_id=ticket.pk,
            data={"status": [old.value, new.value]},
        )
        ticket_customer_notify_on_commit(ticket=ticket, event=event)
    return ticket


def _status_fields(
    ticket: Ticket, *, old: TicketStatus, new: TicketStatus, now: datetime
) -> list[str]:
    ticket.status = new
    ticket.status_changed_at = now
    fields = ["status", "status_changed_at"]
    if new == TicketStatus.RESOLVED:
        ticket.resolved_at = now
        fields.append("resolved_at")
    elif new == TicketStatus.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
    elif new == TicketStatus.REOPENED:
        ticket.reopen_count += 1
        ticket.resolved_at = None
        ticket.closed_at = None
        fields += ["reopen_count", "resolved_at", "closed_at"]
    return fields


def _load_follow_status(ticket: Ticket, *, old: TicketStatus, new: TicketStatus) -> None:
    was_active, is_active = old in ACTIVE_STATUSES, new in ACTIVE_STATUSES
    if was_active != is_active:
        agent_load_adjust(user_id=ticket.assignee_id, delta=1 if is_active else -1)
