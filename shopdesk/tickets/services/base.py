"""The one compare-and-set save of a ticket, timeline events and agent load bookkeeping."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from shopdesk.accounts.models import AgentProfile, User
from shopdesk.core.errors import ConcurrentUpdate, PermissionDenied
from shopdesk.tickets.models import Ticket, TicketEvent
from shopdesk.tickets.states import AuthorKind, EventType, Party

MAX_MESSAGE_CHARS = 20_000


def ticket_save(ticket: Ticket, fields: Iterable[str], *, now: datetime | None = None) -> None:
    """Write `fields` of the in-memory ticket if nobody changed it since it was read.

    Raises:
        ConcurrentUpdate: another writer bumped the version first; reload and retry.
    """
    names = sorted(set(fields) - {"version", "updated_at"})
    now = now or timezone.now()
    values: dict[str, Any] = {}
    for name in names:
        # A foreign key is written through its column, so no related row is loaded.
        column = f"{name}_id" if _is_fk(Ticket._meta.get_field(name)) else name
        values[column] = getattr(ticket, column)
    updated = Ticket.objects.filter(pk=ticket.pk, version=ticket.version).update(
        version=F("version") + 1, updated_at=now, **values
    )
    if updated != 1:
        raise ConcurrentUpdate(
            gettext(
                "Someone else changed ticket %(number)s a moment ago. "
                "The page now shows the current state; check it and try again."
            )
            % {"number": ticket.number}
        )
    ticket.version += 1
    ticket.updated_at = now


def event_add(
    *,
    ticket: Ticket,
    type: EventType,
    actor: User | None = None,
    author_kind: AuthorKind | None = None,
    body: str = "",
    is_public: bool = False,
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> TicketEvent:
    """Append one line to the ticket's timeline."""
    event = event_build(
        ticket=ticket,
        type=type,
        actor=actor,
        author_kind=author_kind,
        body=body,
        is_public=is_public,
        data=data,
        now=now,
    )
    event.save()
    return event


def event_build(
    *,
    ticket: Ticket,
    type: EventType,
    actor: User | None = None,
    author_kind: AuthorKind | None = None,
    body: str = "",
    is_public: bool = False,
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> TicketEvent:
    """One unsaved line of the timeline, to write several in one `bulk_create`."""
    event = TicketEvent(
        ticket=ticket,
        type=type,
        author=actor,
        author_kind=author_kind or author_kind_for(actor),
        body=body,
        is_public=is_public,
        data=data or {},
    )
    if now is not None:
        event.created_at = now
    return event


def author_kind_for(user: User | None) -> AuthorKind:
    if user is None:
        return AuthorKind.SYSTEM
    if hasattr(user, "customer"):
        return AuthorKind.CUSTOMER
    if user.merchant_id is not None:
        return AuthorKind.MERCHANT
    return AuthorKind.AGENT


def check_merchant_holds(*, ticket: Ticket, actor: User | None) -> None:
    """Merchant staff act on a ticket only while their merchant is the responsible party.

    Raises:
        PermissionDenied: the platform holds the ticket (or it is another merchant's).
    """
    if actor is None or actor.merchant_id is None:
        return
    if ticket.merchant_id != actor.merchant_id or ticket.responsible_party != Party.MERCHANT:
        raise PermissionDenied(
            gettext(
                "The platform is handling this ticket now; the merchant can act on it once it "
                "is handed over."
            )
        )


def agent_load_adjust(*, user_id: int | None, delta: int) -> None:
    """Keep AgentProfile.active_ticket_count in step with assignments (same transaction)."""
    if user_id is None or delta == 0:
        return
    AgentProfile.objects.filter(user_id=user_id).update(
        active_ticket_count=F("active_ticket_count") + delta
    )


def clean_text(body: str) -> str:
    """Messages are stored as plain text and escaped on every page; only trim and bound them."""
    return body.replace("\x00", "").strip()


def _is_fk(field: object) -> bool:
    return getattr(field, "many_to_one", False) is True
