"""One chronological list of everything a customer did and went through, whatever the channel:
orders and their logistics events, tickets and their public messages, e-mails, chats.

The tickets app owns the list and its built-in sources (orders, logistics, tickets); apps that
sit above it (mail, chat) add theirs with `timeline_source_register` from their AppConfig.ready(),
so dependencies keep pointing one way. Every source is access-checked for the viewing user.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_lazy

from shopdesk.accounts.models import Customer, User
from shopdesk.orders.models import LogisticsEvent
from shopdesk.orders.selectors import order_scope_for_user
from shopdesk.tickets.models import TicketEvent
from shopdesk.tickets.selectors import ticket_scope_for_user
from shopdesk.tickets.states import AuthorKind, EventType


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # "order", "logistics", "ticket", "message", "email", "chat"
    title: str
    detail: str = ""
    url: str = ""
    channel: str = ""  # the ticket channel it came through, when there is one


# A source returns the customer's entries the user may see, newest first, at most `limit`.
TimelineSource = Callable[[Customer, User, int], Iterable[TimelineEntry]]

_SOURCES: Final[dict[str, TimelineSource]] = {}


def timeline_source_register(name: str, source: TimelineSource) -> None:
    """Add (or replace, by name) a source of entries; idempotent so reloads do not double it."""
    _SOURCES[name] = source


def customer_timeline(*, customer: Customer, user: User, limit: int = 50) -> list[TimelineEntry]:
    """The newest `limit` entries of every registered source, newest first."""
    entries: list[TimelineEntry] = []
    for source in _SOURCES.values():
        entries.extend(source(customer, user, limit))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


def _order_entries(customer: Customer, user: User, limit: int) -> list[TimelineEntry]:
    """Each order's milestones: placed, paid, outbound, delivered, completed, cancelled."""
    orders = order_scope_for_user(user=user).filter(customer=customer).order_by("-placed_at")
    milestones = (
        ("placed_at", gettext_lazy("Order %(n)s placed")),
        ("paid_at", gettext_lazy("Order %(n)s paid")),
        ("shipped_at", gettext_lazy("Order %(n)s left the warehouse")),
        ("delivered_at", gettext_lazy("Order %(n)s delivered")),
        ("completed_at", gettext_lazy("Order %(n)s completed")),
        ("cancelled_at", gettext_lazy("Order %(n)s cancelled")),
    )
    entries = []
    for order in orders[:limit]:
        url = reverse("orders:detail", args=[order.pk])
        for name, title in milestones:
            at = getattr(order, name)
            if at is not None:
                detail = f"{order.total_amount} {order.currency}" if name == "placed_at" else ""
                entries.append(
                    TimelineEntry(at, "order", str(title) % {"n": order.external_id}, detail, url)
                )
    return entries


def _logistics_entries(customer: Customer, user: User, limit: int) -> list[TimelineEntry]:
    scope = order_scope_for_user(user=user).filter(customer=customer).values("pk")
    events = (
        LogisticsEvent.objects.filter(shipment__order__in=scope)
        .select_related("shipment__order")
        .order_by("-occurred_at")[:limit]
    )
    return [
        TimelineEntry(
            e.occurred_at,
            "logistics",
            f"{e.shipment.get_carrier_display()} {e.get_type_display()}",
            " ".join(x for x in (e.shipment.order.external_id, e.location, e.description) if x),
            reverse("orders:detail", args=[e.shipment.order_id]),
        )
        for e in events
    ]


def _ticket_entries(customer: Customer, user: User, limit: int) -> list[TimelineEntry]:
    tickets = (
        ticket_scope_for_user(user=user)
        .filter(customer=customer)
        .select_related("category")
        .order_by("-created_at")[:limit]
    )
    return [
        TimelineEntry(
            t.created_at,
            "ticket",
            gettext("Ticket %(number)s opened: %(subject)s")
            % {"number": t.number or t.pk, "subject": t.subject},
            f"{t.category.label} · {t.get_status_display()}",
            reverse("tickets:detail", args=[t.pk]),
            t.channel,
        )
        for t in tickets
    ]


def _message_entries(customer: Customer, user: User, limit: int) -> list[TimelineEntry]:
    """Public messages on the customer's tickets, by whichever channel they came."""
    visible = ticket_scope_for_user(user=user).filter(customer=customer).values("pk")
    events = (
        TicketEvent.objects.filter(ticket__in=visible, type=EventType.MESSAGE, is_public=True)
        .select_related("ticket")
        .order_by("-created_at")[:limit]
    )
    entries = []
    for e in events:
        data = e.data if isinstance(e.data, dict) else {}
        by_customer = e.author_kind == AuthorKind.CUSTOMER
        channel = str(data.get("channel") or (e.ticket.channel if by_customer else ""))
        title = (
            gettext("Customer wrote on %(number)s")
            if by_customer
            else gettext("Reply on %(number)s")
        ) % {"number": e.ticket.number or e.ticket_id}
        entries.append(
            TimelineEntry(
                e.created_at,
                "message",
                title,
                Truncator(e.body).chars(140),
                reverse("tickets:detail", args=[e.ticket_id]),
                channel,
            )
        )
    return entries


timeline_source_register("orders", _order_entries)
timeline_source_register("logistics", _logistics_entries)
timeline_source_register("tickets", _ticket_entries)
timeline_source_register("messages", _message_entries)
