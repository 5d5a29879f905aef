"""Compensation by standard: within the role's limit it is granted, above it needs approval."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from shopdesk.accounts.models import User
from shopdesk.accounts.permissions import Perm
from shopdesk.core.errors import DomainError, PermissionDenied
from shopdesk.tickets.errors import TicketsErrorCode
from shopdesk.tickets.models import Compensation, CompensationStandard, Ticket
from shopdesk.tickets.services.base import event_add
from shopdesk.tickets.states import EventType


def compensation_limit(*, standard: CompensationStandard, user: User) -> Decimal:
    """What this user may grant alone under this standard."""
    if user.is_superuser:
        return Decimal("Infinity")
    if user.has_perm(Perm.OVERRIDE_TICKET):
        return standard.supervisor_limit
    if user.has_perm(Perm.REPLY_TICKET):
        return standard.agent_limit
    return Decimal("0")


def compensation_request(
    *,
    ticket: Ticket,
    standard: CompensationStandard,
    amount: Decimal,
    actor: User,
    note: str = "",
    now: datetime | None = None,
) -> Compensation:
    """Grant compensation within the actor's limit; above it, queue it for approval.

    Raises:
        DomainError: amount not positive, or the standard is inactive.
    """
    now = now or timezone.now()
    if amount <= 0 or not standard.is_active:
        raise DomainError(
            gettext("Give a positive amount under an active compensation standard."),
            code=TicketsErrorCode.OVER_LIMIT,
        )
    within = amount <= compensation_limit(standard=standard, user=actor)
    status = Compensation.Status.GRANTED if within else Compensation.Status.PENDING_APPROVAL
    with transaction.atomic():
        compensation = Compensation.objects.create(
            ticket=ticket,
            standard=standard,
            kind=standard.kind,
            amount=amount,
            status=status,
            requested_by=actor,
            decided_by=actor if within else None,
            decided_at=now if within else None,
            note=note[:500],
        )
        event_add(
            ticket=ticket,
            type=EventType.COMPENSATION,
            actor=actor,
            body=note,
            data={
                "id": compensation.pk,
                "amount": str(amount),
                "kind": standard.kind,
                "status": status,
            },
            now=now,
        )
    return compensation


def compensation_decide(
    *, compensation: Compensation, approve: bool, actor: User, now: datetime | None = None
) -> Compensation:
    """A supervisor approves or rejects a request above an agent's limit.

    Raises:
        PermissionDenied: the actor's own limit is below the amount.
        DomainError: the request was already decided.
    """
    now = now or timezone.now()
    if compensation.status != Compensation.Status.PENDING_APPROVAL:
        raise DomainError(
            gettext("This compensation was already decided."), code=TicketsErrorCode.NOT_ALLOWED
        )
    if compensation.amount > compensation_limit(standard=compensation.standard, user=actor):
        raise PermissionDenied(gettext("The amount is above your approval limit."))
    with transaction.atomic():
        updated = Compensation.objects.filter(
            pk=compensation.pk, status=Compensation.Status.PENDING_APPROVAL
        ).update(
            status=Compensation.Status.GRANTED if approve else Compensation.Status.REJECTED,
            decided_by=actor,
            decided_at=now,
        )
        if updated != 1:
            raise DomainError(
                gettext("This compensation was already decided."),
                code=TicketsErrorCode.NOT_ALLOWED,
            )
        compensation.refresh_from_db()
        event_add(
            ticket=compensation.ticket,
            type=EventType.COMPENSATION,
            actor=actor,
            data={"id": compensation.pk, "status": compensation.status},
            now=now,
        )
    return compensation
