"""Who works on a ticket: automatic routing, transfers between agents, supervisor overrides."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from shopdesk.accounts.models import Team, User
from shopdesk.accounts.permissions import Perm
from shopdesk.core.errors import ConcurrentUpdate, DomainError, PermissionDenied
from shopdesk.tickets.errors import TicketsErrorCode
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.routing import RoutingDecision, route_ticket, unassigned_queue
from shopdesk.tickets.services.base import agent_load_adjust, event_add, ticket_save
from shopdesk.tickets.states import ACTIVE_STATUSES, EventType


def ticket_assign(
    *,
    ticket: Ticket,
    assignee: User | None,
    actor: User | None,
    reason: str,
    rule: str = "manual",
    team: Team | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Give the ticket to `assignee` (None: back to the team's queue) and record why.

    An agent may take an unassigned ticket or pass on one of their own (transfer); changing
    someone else's assignment is a supervisor's override. The system (actor None) may do both.

    Raises:
        PermissionDenied: the actor may not change this assignment.
        DomainError: the assignee cannot work on tickets.
        ConcurrentUpdate: someone else changed the ticket since it was read.
    """
    now = now or timezone.now()
    if actor is not None:
        _check_may_assign(ticket=ticket, actor=actor)
    if assignee is not None and not assignee.has_perm(Perm.REPLY_TICKET):
        raise DomainError(
            gettext("%(user)s cannot answer tickets, so the ticket cannot go to them.")
            % {"user": assignee.get_username()},
            code=TicketsErrorCode.INVALID_ASSIGNEE,
        )
    before = ticket.assignee_id
    with transaction.atomic():
        ticket.assignee = assignee
        fields = ["assignee"]
        if team is not None:
            ticket.team = team
            fields.append("team")
        ticket_save(ticket, fields, now=now)
        if ticket.status in ACTIVE_STATUSES and before != ticket.assignee_id:
            agent_load_adjust(user_id=before, delta=-1)
            agent_load_adjust(user_id=ticket.assignee_id, delta=1)
        event_add(
            ticket=ticket,
            type=EventType.ASSIGNED,
            actor=actor,
            body=reason,
            data={
                "from": before,
                "to": ticket.assignee_id,
                "team": ticket.team_id,
                "rule": rule,
                "reason": reason,
            },
            now=now,
        )
    return ticket


def ticket_route(
    *, ticket: Ticket, now: datetime | None = None, exclude_user_ids: tuple[int, ...] = ()
) -> RoutingDecision:
    """Assign by the routing rules (skills, load, stickiness, VIP) and record the reason."""
    now = now or timezone.now()
    decision = route_ticket(ticket=ticket, now=now, exclude_user_ids=exclude_user_ids)
    ticket_assign(
        ticket=ticket,
        assignee=decision.assignee,
        actor=None,
        reason=decision.reason,
        rule=decision.rule,
        team=decision.team,
        now=now,
    )
    return decision


def _check_may_assign(*, ticket: Ticket, actor: User) -> None:
    if actor.has_perm(Perm.OVERRIDE_TICKET):
        return
    if not actor.has_perm(Perm.ASSIGN_TICKET):
        raise PermissionDenied(gettext("You may not assign tickets."))
    if ticket.assignee_id not in (None, actor.pk):
        raise PermissionDenied(
            gettext(
                "This ticket belongs to another agent; only a supervisor can take it from them."
            )
        )


def tickets_route_waiting(*, now: datetime | None = None, limit: int = 200) -> int:
    """Give unassigned platform tickets (urgent first, then earliest due) to agents who have
    come online or freed capacity since; returns how many were assigned."""
    now = now or timezone.now()
    assigned = 0
    for ticket in unassigned_queue()[:limit]:
        decision = route_ticket(ticket=ticket, now=now)
        if decision.assignee is None:
            # Nobody can take this one; later (less urgent) ones may still fit other skills.
            continue
        try:
            ticket_assign(
                ticket=ticket,
                assignee=decision.assignee,
                actor=None,
                reason=decision.reason,
                rule=decision.rule,
                team=decision.team,
                now=now,
            )
        except ConcurrentUpdate:
            continue
        assigned += 1
    return assigned
