"""Reads for the agent console pages, each a fixed number of queries whatever the data size."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext, ngettext

from shopdesk.accounts.models import User
from shopdesk.accounts.permissions import Perm
from shopdesk.orders.models import LogisticsEvent, Order
from shopdesk.orders.selectors import order_scope_for_user
from shopdesk.tickets.models import Compensation, CompensationStandard, Macro, Ticket
from shopdesk.tickets.selectors import AnyUser, TicketFilter, ticket_list_for_user

AMBER_WITHIN_MINUTES = 30


def tickets_for_bulk(*, user: AnyUser, ids: Iterable[int]) -> dict[int, Ticket]:
    """The selected tickets the user may see (others are silently absent), by id."""
    qs = (
        ticket_list_for_user(user=user, filters=TicketFilter())
        .select_related("merchant")
        .filter(pk__in=list(ids))
    )
    return {t.pk: t for t in qs}


@dataclass(frozen=True)
class SlaDue:
    text: str
    css: str  # "breached", "soon" or ""


def _span(minutes: int) -> str:
    if minutes < 60:
        return ngettext("%(n)d min", "%(n)d min", minutes) % {"n": minutes}
    hours, mins = divmod(minutes, 60)
    if hours < 24:
        return gettext("%(h)d h %(m)d min") % {"h": hours, "m": mins}
    days, hours = divmod(hours, 24)
    return gettext("%(d)d d %(h)d h") % {"d": days, "h": hours}


def sla_due(*, ticket: Ticket, now: datetime) -> SlaDue:
    """ "in 12 min" / "overdue 5 min"; red when breached, amber within 30 minutes."""
    if ticket.sla_paused_at is not None:
        return SlaDue(gettext("paused"), "paused")
    due = ticket.sla_due_at
    if due is None:
        return SlaDue("—", "")
    minutes = int(abs((due - now).total_seconds()) // 60)
    if due <= now or ticket.sla_breached_at is not None:
        return SlaDue(gettext("overdue %(span)s") % {"span": _span(minutes)}, "breached")
    css = "soon" if minutes < AMBER_WITHIN_MINUTES else ""
    return SlaDue(gettext("in %(span)s") % {"span": _span(minutes)}, css)


def customer_orders(*, user: AnyUser, ticket: Ticket, limit: int = 5) -> list[Order]:
    """The customer's latest orders that the user may see."""
    return list(
        order_scope_for_user(user=user)
        .filter(customer_id=ticket.customer_id)
        .order_by("-placed_at", "-id")[:limit]
    )


def ticket_logistics(*, ticket: Ticket) -> list[LogisticsEvent]:
    """Carrier scans of the ticket's order, oldest first (the ticket's scope covers its order)."""
    if ticket.order_id is None:
        return []
    return list(
        LogisticsEvent.objects.filter(shipment__order_id=ticket.order_id)
        .select_related("shipment")
        .order_by("occurred_at", "id")
    )


def user_names(*, ids: Iterable[int | None], known: Iterable[User] = ()) -> dict[int, str]:
    """Display names by id; users already loaded (`known`) cost no query."""
    names = {u.pk: u.get_full_name() or u.get_username() for u in known}
    wanted = {i for i in ids if i and i not in names}
    if wanted:
        users = User.objects.filter(pk__in=wanted).only("username", "first_name", "last_name")
        names |= {u.pk: u.get_full_name() or u.get_username() for u in users}
    return names


def macros_for_ticket(*, ticket: Ticket) -> list[Macro]:
    return list(
        Macro.objects.filter(Q(category__isnull=True) | Q(category_id=ticket.category_id))
        .filter(is_active=True)
        .order_by("name")
    )


def compensation_standards() -> QuerySet[CompensationStandard]:
    return CompensationStandard.objects.filter(is_active=True).order_by("code")


def ticket_compensations(*, ticket: Ticket) -> list[Compensation]:
    return list(
        Compensation.objects.filter(ticket_id=ticket.pk)
        .select_related("standard", "requested_by", "decided_by")
        .order_by("created_at", "pk")
    )


def can_work_ticket(*, user: User, ticket: Ticket) -> bool:
    """Platform staff work any ticket; merchant staff only one their merchant holds."""
    if not user.has_perm(Perm.REPLY_TICKET):
        return False
    return user.merchant_id is None or (
        ticket.merchant_id == user.merchant_id and ticket.responsible_party == "merchant"
    )
