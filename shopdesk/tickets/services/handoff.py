"""Platform <-> merchant: one responsible party at a time, hand-offs with reasons, no bouncing."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from shopdesk.accounts.models import Team, User
from shopdesk.accounts.permissions import Perm
from shopdesk.core.errors import DomainError
from shopdesk.tickets import sla
from shopdesk.tickets.errors import TicketsErrorCode
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.routing import route_ticket
from shopdesk.tickets.services.base import agent_load_adjust, check_merchant_holds, event_add
from shopdesk.tickets.services.notify import ticket_customer_notify_on_commit
from shopdesk.tickets.services.status import ticket_transition
from shopdesk.tickets.states import EventType, Party, TicketStatus

MIN_REASON_CHARS = 4


def ticket_hand_off(
    *, ticket: Ticket, to_party: Party | str, reason: str, actor: User, now: datetime | None = None
) -> Ticket:
    """Pass the ticket to the other party with a reason the customer will see.

    A hand-off back to the party that handed it over is a bounce; after one bounce only a
    supervisor may hand the ticket off again.

    Raises:
        DomainError: no reason, no merchant to hand to, same party, or a supervisor is needed.
        ConcurrentUpdate: someone else changed the ticket since it was read.
    """
    now = now or timezone.now()
    to = Party(to_party)
    reason = reason.strip()
    check_merchant_holds(ticket=ticket, actor=actor)
    _check_hand_off(ticket=ticket, to=to, reason=reason, actor=actor)
    is_bounce = ticket.last_handoff_from == to
    ticket.handoff_count += 1
    ticket.bounce_count += 1 if is_bounce else 0
    return _move(
        ticket=ticket,
        to=to,
        reason=reason,
        actor=actor,
        event_type=EventType.HANDED_OFF,
        now=now,
        extra={"bounce": is_bounce},
        counted=["handoff_count", "bounce_count"],
    )


def ticket_take_back(
    *, ticket: Ticket, reason: str, actor: User | None = None, now: datetime | None = None
) -> Ticket:
    """The platform takes a merchant-held ticket back (the merchant missed its SLA, or a
    supervisor decided). Not counted as a bounce: the merchant did not hand it back.
    """
    now = now or timezone.now()
    if ticket.responsible_party != Party.MERCHANT or ticket.status != TicketStatus.PENDING_MERCHANT:
        return ticket
    return _move(
        ticket=ticket,
        to=Party.PLATFORM,
        reason=reason,
        actor=actor,
        event_type=EventType.TAKEN_BACK,
        now=now,
        extra={},
        counted=[],
    )


def _check_hand_off(*, ticket: Ticket, to: Party, reason: str, actor: User) -> None:
    if len(reason) < MIN_REASON_CHARS:
        raise DomainError(
            gettext("Say why the ticket is handed off: the customer will see the reason."),
            code=TicketsErrorCode.HANDOFF_REASON_REQUIRED,
        )
    if ticket.responsible_party == to:
        raise DomainError(
            gettext("The %(party)s already holds this ticket.") % {"party": to.label},
            code=TicketsErrorCode.HANDOFF_NOT_POSSIBLE,
        )
    if to == Party.MERCHANT and ticket.merchant_id is None:
        raise DomainError(
            gettext("This ticket has no merchant (no order is linked), so it cannot go to one."),
            code=TicketsErrorCode.HANDOFF_NOT_POSSIBLE,
        )
    if ticket.status not in (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING_MERCHANT):
        raise DomainError(
            gettext("Only a new or open ticket can be handed off; this one is %(status)s.")
            % {"status": TicketStatus(ticket.status).label},
            code=TicketsErrorCode.HANDOFF_NOT_POSSIBLE,
        )
    if ticket.bounce_count >= 1 and not actor.has_perm(Perm.OVERRIDE_TICKET):
        raise DomainError(
            gettext(
                "This ticket has already bounced between platform and merchant once; "
                "a supervisor must decide who handles it."
            ),
            code=TicketsErrorCode.SUPERVISOR_REQUIRED,
        )


def _move(
    *,
    ticket: Ticket,
    to: Party,
    reason: str,
    actor: User | None,
    event_type: EventType,
    now: datetime,
    extra: dict[str, object],
    counted: list[str],
) -> Ticket:
    before_party, before_assignee = ticket.responsible_party, ticket.assignee_id
    with transaction.atomic():
        ticket.responsible_party = to
        ticket.last_handoff_from = before_party
        ticket.handoff_reason = reason
        fields = ["responsible_party", "last_handoff_from", "handoff_reason", *counted]
        fields += _holder_fields(ticket, to=to, now=now)
        fields += sla.sla_on_party_change(ticket, now=now)
        status = TicketStatus.PENDING_MERCHANT if to == Party.MERCHANT else TicketStatus.OPEN
        extra_fields = {name: getattr(ticket, name) for name in fields}
        ticket_transition(ticket=ticket, to=status, actor=actor, now=now, extra_fields=extra_fields)
        agent_load_adjust(user_id=before_assignee, delta=-1)
        agent_load_adjust(user_id=ticket.assignee_id, delta=1)
        event = event_add(
            ticket=ticket,
            type=event_type,
            actor=actor,
            body=reason,
            is_public=True,
            data={
                "from": before_party,
                "to": to.value,
                "merchant_due_at": ticket.merchant_due_at.isoformat()
                if ticket.merchant_due_at
                else None,
                **extra,
            },
            now=now,
        )
        ticket_customer_notify_on_commit(ticket=ticket, event=event)
    return ticket


def _holder_fields(ticket: Ticket, *, to: Party, now: datetime) -> list[str]:
    if to == Party.MERCHANT:
        merchant_team = Team.objects.filter(merchant_id=ticket.merchant_id or 0).first()
        ticket.team = merchant_team
        ticket.assignee = None
        return ["team", "assignee"]
    decision = route_ticket(ticket=ticket, now=now)
    ticket.team, ticket.assignee = decision.team, decision.assignee
    return ["team", "assignee"]
