"""Every read of tickets, scoped to the user who asks.

Scope: staff with tickets.view_ticket see all tickets; merchant staff see their merchant's
tickets (whoever holds them, so they can follow up), a customer login sees its own; anyone
else sees nothing. Internal notes are never shown to customers.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import AnonymousUser
from django.db.models import F, OrderBy, Prefetch, Q, QuerySet
from django.utils import timezone

from shopdesk.accounts.models import User
from shopdesk.accounts.permissions import Perm
from shopdesk.core.errors import NotFound
from shopdesk.core.pagination import Page, keyset_page
from shopdesk.tickets.models import Attachment, Ticket, TicketEvent
from shopdesk.tickets.states import ACTIVE_STATUSES, Party, TicketStatus

AnyUser = User | AnonymousUser

QUEUES = ("mine", "team", "unassigned", "breaching", "merchant", "all")
BREACHING_SOON = timedelta(minutes=30)
COUNT_CAP = 1000


def ticket_scope_for_user(*, user: AnyUser) -> QuerySet[Ticket]:
    """All tickets this user may see, unfiltered."""
    if not user.is_authenticated:
        return Ticket.objects.none()
    merchant_id = getattr(user, "merchant_id", None)
    if merchant_id is not None:
        if not user.has_perm(Perm.VIEW_TICKET):
            return Ticket.objects.none()
        return Ticket.objects.filter(merchant_id=merchant_id)
    if user.has_perm(Perm.VIEW_TICKET):
        return Ticket.objects.all()
    return Ticket.objects.filter(customer__user=user)


def is_customer(user: AnyUser) -> bool:
    return user.is_authenticated and hasattr(user, "customer")


def ticket_get_for_user(*, user: AnyUser, ticket_id: int) -> Ticket:
    """One ticket with what every page needs, or NotFound (also when it is not visible)."""
    ticket = (
        ticket_scope_for_user(user=user)
        .select_related(
            "category", "customer", "order", "order_item__product", "merchant", "team", "assignee"
        )
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise NotFound(f"Ticket {ticket_id} not found.")
    return ticket


def ticket_get_by_number_for_user(*, user: AnyUser, number: str) -> Ticket:
    ticket = ticket_scope_for_user(user=user).filter(number=number).values_list("pk", flat=True)
    pk = ticket.first()
    if pk is None:
        raise NotFound(f"Ticket {number} not found.")
    return ticket_get_for_user(user=user, ticket_id=pk)


def ticket_timeline(*, ticket: Ticket, public_only: bool) -> list[TicketEvent]:
    """The ticket's events, oldest first, with authors and attachments (2 queries)."""
    events = (
        TicketEvent.objects.filter(ticket_id=ticket.pk)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
        .order_by("created_at", "pk")
    )
    if public_only:
        events = events.filter(is_public=True)
    return list(events)


def attachment_get_for_user(*, user: AnyUser, attachment_id: int) -> Attachment:
    attachment = (
        Attachment.objects.select_related("event")
        .filter(pk=attachment_id, event__ticket__in=ticket_scope_for_user(user=user))
        .first()
    )
    if attachment is None or (is_customer(user) and not attachment.event.is_public):
        raise NotFound(f"Attachment {attachment_id} not found.")
    return attachment


@dataclass(frozen=True)
class TicketFilter:
    queue: str = "all"
    status: str = ""
    priority: str = ""
    category: str = ""
    channel: str = ""
    party: str = ""
    assignee_id: int | None = None
    team_id: int | None = None
    customer_id: int | None = None
    order_id: int | None = None
    created_from: date | None = None
    created_to: date | None = None
    breached: bool | None = None
    q: str = ""


def ticket_list_for_user(
    *, user: AnyUser, filters: TicketFilter, now: datetime | None = None
) -> QuerySet[Ticket]:
    """Tickets for a queue or a search, sorted by SLA due time (no due time last)."""
    now = now or timezone.now()
    qs = _queue(ticket_scope_for_user(user=user), user=user, queue=filters.queue, now=now)
    exact = {
        "status": filters.status,
        "priority": filters.priority,
        "category__code": filters.category,
        "channel": filters.channel,
        "responsible_party": filters.party,
        "assignee_id": filters.assignee_id,
        "team_id": filters.team_id,
        "customer_id": filters.customer_id,
        "order_id": filters.order_id,
    }
    qs = qs.filter(**{k: v for k, v in exact.items() if v not in ("", None)})
    if filters.created_from:
        qs = qs.filter(created_at__gte=_day_start(filters.created_from))
    if filters.created_to:
        qs = qs.filter(created_at__lt=_day_start(filters.created_to + timedelta(days=1)))
    if filters.breached is not None:
        qs = qs.filter(sla_breached_at__isnull=not filters.breached)
    if filters.q:
        qs = qs.filter(Q(number=filters.q.strip()) | Q(order__external_id=filters.q.strip()))
    return qs.select_related("category", "assignee", "customer", "team").order_by(
        _due_ordering(), "pk"
    )


def queue_sort(queue: str) -> tuple[str, bool]:
    """(field, descending) a list is paged by: work queues by SLA due time, soonest first;
    "all" (mostly finished tickets) newest first."""
    return ("created_at", True) if queue not in QUEUES or queue == "all" else ("sla_due_at", False)


def _queue(qs: QuerySet[Ticket], *, user: AnyUser, queue: str, now: datetime) -> QuerySet[Ticket]:
    active = list(ACTIVE_STATUSES)
    if queue == "mine":
        return qs.filter(assignee_id=user.pk, status__in=active)
    if queue == "team":
        team_id = getattr(getattr(user, "agent_profile", None), "team_id", None)
        if team_id is None:
            return qs.none()
        return qs.filter(team_id=team_id, status__in=active)
    if queue == "unassigned":
        return qs.filter(assignee__isnull=True, status__in=active, responsible_party=Party.PLATFORM)
    if queue == "breaching":
        return qs.filter(status__in=active, sla_due_at__lte=now + BREACHING_SOON)
    if queue == "merchant":
        return qs.filter(status=TicketStatus.PENDING_MERCHANT)
    return qs


def _due_ordering() -> OrderBy:
    return F("sla_due_at").asc(nulls_last=True)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def ticket_page_for_user(
    *,
    user: AnyUser,
    filters: TicketFilter,
    cursor: str | None,
    limit: int,
    with_tags: bool = False,
) -> Page[Ticket]:
    """One keyset page of a queue or search (queue_sort decides the order), so page 100 costs
    what page 1 does.

    Raises:
        InvalidCursor: the cursor was forged or is stale.
    """
    qs = ticket_list_for_user(user=user, filters=filters)
    if with_tags:
        qs = qs.prefetch_related("tags")
    field, descending = queue_sort(filters.queue)
    return keyset_page(qs, field=field, descending=descending, limit=limit, cursor=cursor)


def queue_counts_for_user(*, user: AnyUser, now: datetime | None = None) -> dict[str, int]:
    """How many tickets each console queue holds, up to COUNT_CAP (one COUNT per queue):
    past that an exact figure helps nobody and costs a scan of the whole queue."""
    now = now or timezone.now()
    scope = ticket_scope_for_user(user=user)
    return {
        name: _queue(scope, user=user, queue=name, now=now).order_by()[:COUNT_CAP].count()
        for name in QUEUES
        if name != "all"
    }


def customer_tickets(*, ticket: Ticket, limit: int = 10) -> list[Ticket]:
    """The customer's other tickets, newest first, for the console's side panel."""
    return list(
        Ticket.objects.filter(customer_id=ticket.customer_id)
        .exclude(pk=ticket.pk)
        .select_related("category")
        .order_by("-created_at")[:limit]
    )
