"""Reads for the customer portal's ticket pages: the customer's own tickets, told in their words.

Everything goes through ticket_scope_for_user / ticket_timeline; on top, the portal keeps to the
tickets of the signed-in customer and shows only the kinds of event a customer may see: never
internal notes, assignment or routing, SLA warnings or breaches, even if one were public.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from django.utils.translation import gettext, gettext_lazy, ngettext
from django_stubs_ext import StrOrPromise

from shopdesk.accounts.models import Customer, User
from shopdesk.core.errors import NotFound
from shopdesk.tickets.models import Attachment, Category, Ticket, TicketEvent
from shopdesk.tickets.selectors import ticket_get_for_user, ticket_scope_for_user, ticket_timeline
from shopdesk.tickets.states import AuthorKind, EventType, Party, TicketStatus

PORTAL_TICKET_LIST_SIZE: Final = 100

# The only event types a customer ever sees; anything else stays in the console.
CUSTOMER_EVENT_TYPES: Final = frozenset(
    {
        EventType.CREATED,
        EventType.MESSAGE,
        EventType.STATUS_CHANGED,
        EventType.HANDED_OFF,
        EventType.TAKEN_BACK,
        EventType.RATED,
        EventType.COMPLAINT,
    }
)

S = TicketStatus
# Status -> how the customer reads it.
STATUS_WORDS: Final[dict[str, StrOrPromise]] = {
    S.NEW: gettext_lazy("submitted"),
    S.OPEN: gettext_lazy("in progress"),
    S.REOPENED: gettext_lazy("reopened"),
    S.ON_HOLD: gettext_lazy("in progress"),
    S.PENDING_CUSTOMER: gettext_lazy("waiting for you"),
    S.PENDING_MERCHANT: gettext_lazy("waiting on the merchant"),
    S.RESOLVED: gettext_lazy("resolved"),
    S.CLOSED: gettext_lazy("closed"),
}
# Status -> its place on the progress line (submitted, in progress, waiting, resolved, closed).
_STEP_OF: Final[dict[str, int]] = {
    S.NEW: 0,
    S.OPEN: 1,
    S.REOPENED: 1,
    S.ON_HOLD: 1,
    S.PENDING_CUSTOMER: 2,
    S.PENDING_MERCHANT: 2,
    S.RESOLVED: 3,
    S.CLOSED: 4,
}
FINISHED_STATUSES: Final = frozenset({S.RESOLVED, S.CLOSED})


@dataclass(frozen=True)
class Step:
    label: StrOrPromise
    state: str  # "done", "current" or "todo"


@dataclass
class PortalEntry:
    """One line of the customer's timeline."""

    at: datetime
    kind: str  # css hook: customer / agent / merchant / event
    who: StrOrPromise
    text: StrOrPromise = ""
    body: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    complaint_id: int | None = None
    complaint_number: str = ""
    rating: int | None = None


def portal_ticket_list_for_customer(
    *,
    user: User,
    customer: Customer,
    order_id: int | None = None,
    limit: int = PORTAL_TICKET_LIST_SIZE,
) -> list[Ticket]:
    """The customer's newest tickets (one query), optionally those of one order."""
    qs = ticket_scope_for_user(user=user).filter(customer_id=customer.pk)
    if order_id is not None:
        qs = qs.filter(order_id=order_id)
    qs = qs.select_related("order", "merchant", "category").order_by("-created_at", "-pk")
    return list(qs[:limit])


def portal_ticket_get_for_customer(*, user: User, customer: Customer, ticket_id: int) -> Ticket:
    """One of the customer's own tickets; NotFound for anyone else's."""
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    if ticket.customer_id != customer.pk:
        raise NotFound(f"Ticket {ticket_id} not found.")
    return ticket


def portal_categories() -> list[Category]:
    """The categories a customer may choose, in display order."""
    return list(Category.objects.filter(is_active=True).order_by("position", "code"))


def status_words(status: str) -> StrOrPromise:
    return STATUS_WORDS.get(status, status)


def portal_ticket_steps(*, ticket: Ticket) -> list[Step]:
    """The progress line; the waiting step names who we wait for."""
    current = _STEP_OF.get(ticket.status, 1)
    waiting: StrOrPromise = gettext("waiting for a reply")
    if ticket.status in (S.PENDING_CUSTOMER, S.PENDING_MERCHANT):
        waiting = status_words(ticket.status)
    labels = [
        STATUS_WORDS[S.NEW],
        STATUS_WORDS[S.OPEN],
        waiting,
        STATUS_WORDS[S.RESOLVED],
        STATUS_WORDS[S.CLOSED],
    ]
    steps = []
    for index, label in enumerate(labels):
        if index < current:
            state = "done"
        elif index == current:
            state = "current"
        else:
            state = "todo"
        # Skipping the waiting step is normal: it is only "done" if we actually waited.
        if index == 2 and state == "done" and not _ever_waited(ticket):
            state = "skipped"
        steps.append(Step(label=label, state=state))
    return steps


def _ever_waited(ticket: Ticket) -> bool:
    return ticket.handoff_count > 0 or ticket.status in (S.PENDING_CUSTOMER, S.PENDING_MERCHANT)


def portal_timeline(*, ticket: Ticket) -> list[PortalEntry]:
    """The public timeline in the customer's words (ticket_timeline: 2 queries)."""
    entries = []
    for event in ticket_timeline(ticket=ticket, public_only=True):
        if event.type not in CUSTOMER_EVENT_TYPES or not event.is_public:
            continue
        entries.append(_entry(ticket, event))
    return entries


def _merchant_name(ticket: Ticket) -> str:
    return ticket.merchant.name if ticket.merchant is not None else gettext("the shop")


def _who(ticket: Ticket, event: TicketEvent) -> tuple[str, StrOrPromise]:
    if event.author_kind == AuthorKind.CUSTOMER:
        return "customer", gettext("You")
    if event.author_kind == AuthorKind.MERCHANT:
        return "merchant", gettext("Merchant %(name)s") % {"name": _merchant_name(ticket)}
    if event.author_kind == AuthorKind.AGENT:
        return "agent", gettext("Customer service")
    return "event", gettext("Customer service")


def _entry(ticket: Ticket, event: TicketEvent) -> PortalEntry:
    kind, who = _who(ticket, event)
    entry = PortalEntry(at=event.created_at, kind=kind, who=who, body=event.body)
    entry.attachments = list(event.attachments.all())
    if event.type == EventType.MESSAGE:
        return entry
    entry.kind = "event"
    entry.text = _event_text(ticket, event)
    if event.type == EventType.RATED:
        entry.rating = int(event.data.get("rating") or 0) or None
    if event.type == EventType.COMPLAINT:
        complaint = event.data.get("complaint")
        entry.complaint_id = int(complaint) if complaint else None
        entry.complaint_number = str(event.data.get("number") or "")
    return entry


def _event_text(ticket: Ticket, event: TicketEvent) -> StrOrPromise:
    data = event.data or {}
    if event.type == EventType.CREATED:
        return gettext("Request received")
    if event.type == EventType.STATUS_CHANGED:
        return gettext("Now %(status)s") % {"status": status_words(str(data.get("to", "")))}
    if event.type == EventType.HANDED_OFF and data.get("to") == Party.MERCHANT:
        return gettext("Passed to the merchant %(name)s") % {"name": _merchant_name(ticket)}
    if event.type == EventType.HANDED_OFF:
        return gettext("Passed back to our service team")
    if event.type == EventType.TAKEN_BACK:
        return gettext("Our service team took this back from the merchant")
    if event.type == EventType.RATED:
        rating = int(data.get("rating") or 0)
        return ngettext(
            "You rated our service %(n)d star", "You rated our service %(n)d stars", rating
        ) % {"n": rating}
    if event.type == EventType.COMPLAINT:
        return gettext("You said you are not satisfied: complaint %(number)s was opened") % {
            "number": data.get("number", "")
        }
    return str(EventType(event.type).label)


def portal_complaint(*, entries: list[PortalEntry]) -> PortalEntry | None:
    """The timeline line of the complaint opened about this ticket, if any."""
    return next((e for e in entries if e.complaint_id is not None), None)
