"""Closing the loop: ratings, "I am not satisfied" complaints, automatic closing."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from shopdesk.accounts.models import Team, User
from shopdesk.core.errors import ConcurrentUpdate, DomainError
from shopdesk.tickets.errors import TicketsErrorCode
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.services.base import event_add, ticket_save
from shopdesk.tickets.services.intake import IntakeResult, TicketIntake, ticket_create
from shopdesk.tickets.services.status import ticket_transition
from shopdesk.tickets.states import AuthorKind, Channel, EventType, Priority, TicketStatus

SUPERVISOR_TEAM_CODE = "supervisors"


def ticket_rate(
    *,
    ticket: Ticket,
    author: User | None,
    rating: int,
    comment: str = "",
    now: datetime | None = None,
) -> Ticket:
    """The customer rates a resolved or closed ticket, once.

    Raises:
        DomainError: not resolved yet, already rated, or a rating outside 1-5.
    """
    now = now or timezone.now()
    if ticket.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        raise DomainError(
            gettext("You can rate the service once the ticket is resolved."),
            code=TicketsErrorCode.NOT_RESOLVED,
        )
    if ticket.rating is not None:
        raise DomainError(
            gettext("This ticket has already been rated."), code=TicketsErrorCode.ALREADY_RATED
        )
    if not 1 <= int(rating) <= 5:
        raise DomainError(
            gettext("Give a rating from 1 to 5."), code=TicketsErrorCode.INVALID_RATING
        )
    with transaction.atomic():
        ticket.rating, ticket.rating_comment, ticket.rated_at = int(rating), comment.strip(), now
        ticket_save(ticket, ["rating", "rating_comment", "rated_at"], now=now)
        event_add(
            ticket=ticket,
            type=EventType.RATED,
            actor=author,
            author_kind=AuthorKind.CUSTOMER,
            body=ticket.rating_comment,
            is_public=True,
            data={"rating": ticket.rating},
            now=now,
        )
    return ticket


def ticket_complain(
    *, ticket: Ticket, author: User | None, body: str, now: datetime | None = None
) -> IntakeResult:
    """The customer is "not satisfied" with a resolved or closed ticket: a linked complaint
    ticket for the supervisors (one per ticket).

    Raises:
        DomainError: the ticket is not resolved yet (reply to it instead).
    """
    now = now or timezone.now()
    if ticket.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        raise DomainError(
            gettext("A complaint can be made once the ticket is resolved; until then, reply."),
            code=TicketsErrorCode.NOT_RESOLVED,
        )
    intake = TicketIntake(
        channel=Channel.PORTAL,
        customer=ticket.customer,
        category_code="service_complaint",
        description=body
        or gettext("The customer is not satisfied with ticket %(number)s.")
        % {"number": ticket.number},
        subject=gettext("Complaint about %(number)s") % {"number": ticket.number},
        order=ticket.order,
        order_item=ticket.order_item,
        priority=Priority.HIGH,
        language=ticket.language,
        actor=author,
        intake_key=f"complaint:{ticket.pk}",
        parent=ticket,
    )
    with transaction.atomic():
        result = ticket_create(intake=intake, now=now)
        if result.created:
            complaint = result.ticket
            supervisors = Team.objects.filter(code=SUPERVISOR_TEAM_CODE).first()
            if supervisors is not None:
                complaint.team = supervisors
                complaint.assignee = supervisors.supervisor
                ticket_save(complaint, ["team", "assignee"], now=now)
            event_add(
                ticket=ticket,
                type=EventType.COMPLAINT,
                actor=author,
                author_kind=AuthorKind.CUSTOMER,
                body=body,
                is_public=True,
                data={"complaint": complaint.pk, "number": complaint.number},
                now=now,
            )
    return result


def auto_close_days() -> int:
    return int(getattr(settings, "SHOPDESK_AUTO_CLOSE_DAYS", 7))


def tickets_auto_close(*, now: datetime | None = None, days: int | None = None) -> int:
    """Close tickets resolved and silent for `days` days; returns how many were closed."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=auto_close_days() if days is None else days)
    closed = 0
    due = Ticket.objects.filter(status=TicketStatus.RESOLVED, resolved_at__lte=cutoff)
    for ticket in due.order_by("resolved_at")[:5000].iterator():
        try:
            ticket_transition(
                ticket=ticket,
                to=TicketStatus.CLOSED,
                actor=None,
                note=gettext("Closed automatically after %(days)d days without a reply.")
                % {"days": (now - cutoff).days},
                now=now,
            )
        except ConcurrentUpdate:
            continue  # the customer wrote at that very moment: leave it open
        closed += 1
    return closed
