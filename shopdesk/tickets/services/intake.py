"""The one way a ticket is born. Every channel (portal, phone, API, later e-mail and chat) is an
adapter that fills a TicketIntake and calls ticket_create, so SLA, routing, responsibility and
notifications apply the same way whatever the channel.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from shopdesk.accounts.models import Customer, User
from shopdesk.core.errors import DomainError
from shopdesk.orders.models import Order, OrderItem
from shopdesk.tickets import sla
from shopdesk.tickets.errors import TicketsErrorCode
from shopdesk.tickets.models import Category, Tag, Ticket, TicketEvent
from shopdesk.tickets.routing import RoutingDecision, route_ticket
from shopdesk.tickets.services.attachments import IncomingFile, RefusedFile, attachments_store
from shopdesk.tickets.services.base import (
    MAX_MESSAGE_CHARS,
    agent_load_adjust,
    clean_text,
    event_build,
)
from shopdesk.tickets.services.notify import ticket_customer_notify_on_commit
from shopdesk.tickets.states import AuthorKind, Channel, EventType, Priority, TicketStatus


@dataclass(frozen=True)
class TicketIntake:
    channel: Channel | str
    customer: Customer
    category_code: str
    description: str
    subject: str = ""
    order: Order | None = None
    order_item: OrderItem | None = None
    priority: Priority | str = Priority.NORMAL
    language: str = ""
    files: Sequence[IncomingFile] = ()
    actor: User | None = None
    intake_key: str = ""
    tags: Sequence[str] = ()
    parent: Ticket | None = None
    data: dict[str, object] = field(default_factory=dict)


@dataclass
class IntakeResult:
    ticket: Ticket
    created: bool
    refused_files: list[RefusedFile] = field(default_factory=list)


def ticket_create(*, intake: TicketIntake, now: datetime | None = None) -> IntakeResult:
    """Open a ticket: validate, number it, start its SLA clocks, route it, tell the customer.

    A repeated intake key returns the ticket made the first time (created=False).

    Raises:
        DomainError: unknown category, empty description, order not the customer's, ...
    """
    now = now or timezone.now()
    try:
        category, text = _validated(intake)
    except DomainError:
        # A retry of a request that was accepted earlier gets its ticket, whatever changed.
        existing = _by_intake_key(intake.intake_key)
        if existing is None:
            raise
        return IntakeResult(ticket=existing, created=False)
    try:
        with transaction.atomic():
            return _create(intake=intake, category=category, text=text, now=now)
    except IntegrityError:
        # A retry (its key is taken: unique), or two retries of one request that raced; the
        # ticket made the first time is returned. Looking the key up only after a refused
        # insert keeps the common case, a new ticket, one query shorter.
        existing = _by_intake_key(intake.intake_key)
        if existing is None:
            raise
        return IntakeResult(ticket=existing, created=False)


def _by_intake_key(key: str) -> Ticket | None:
    return Ticket.objects.filter(intake_key=key).first() if key else None


_categories: tuple[float, dict[str, Category]] = (0.0, {})


def _active_categories() -> dict[str, Category]:
    """Active categories by code, read at most every SHOPDESK_SLA_CACHE_SECONDS per process like
    the SLA policies that match them (0 in tests). Shared: only read them."""
    global _categories  # one immutable snapshot, swapped whole: safe across threads
    seconds = float(getattr(settings, "SHOPDESK_SLA_CACHE_SECONDS", 5))
    expires, by_code = _categories
    clock = time.monotonic()
    if seconds <= 0 or clock >= expires:
        by_code = {c.code: c for c in Category.objects.filter(is_active=True)}
        _categories = (clock + seconds, by_code)
    return by_code


def _validated(intake: TicketIntake) -> tuple[Category, str]:
    category = _active_categories().get(intake.category_code)
    if category is None:
        codes = ", ".join(Category.objects.filter(is_active=True).values_list("code", flat=True))
        raise DomainError(
            gettext("Unknown category %(code)r. Choose one of: %(codes)s.")
            % {"code": intake.category_code, "codes": codes},
            code=TicketsErrorCode.INVALID_CATEGORY,
        )
    text = clean_text(intake.description)
    if not text:
        raise DomainError(
            gettext("Describe the problem: the description is empty."),
            code=TicketsErrorCode.EMPTY_MESSAGE,
        )
    if len(text) > MAX_MESSAGE_CHARS:
        raise DomainError(
            gettext("The description is too long (%(n)d characters, at most %(max)d).")
            % {"n": len(text), "max": MAX_MESSAGE_CHARS},
            code=TicketsErrorCode.MESSAGE_TOO_LONG,
        )
    if intake.order is not None and intake.order.customer_id != intake.customer.pk:
        raise DomainError(
            gettext("Order %(number)s is not this customer's order.")
            % {"number": intake.order.external_id},
            code=TicketsErrorCode.INVALID_ORDER,
        )
    if intake.order_item is not None and (
        intake.order is None or intake.order_item.order_id != intake.order.pk
    ):
        raise DomainError(
            gettext("The item does not belong to the chosen order."),
            code=TicketsErrorCode.INVALID_ORDER,
        )
    if intake.priority not in Priority.values:
        raise DomainError(
            gettext("Unknown priority %(p)r: use urgent, high, normal or low.")
            % {"p": intake.priority},
            code=TicketsErrorCode.INVALID_PRIORITY,
        )
    return category, text


def _create(*, intake: TicketIntake, category: Category, text: str, now: datetime) -> IntakeResult:
    ticket = Ticket(
        channel=intake.channel,
        category=category,
        priority=intake.priority,
        status=TicketStatus.NEW,
        status_changed_at=now,
        subject=(intake.subject.strip() or _subject_from(text))[:200],
        language=intake.language or intake.customer.language or "zh-hans",
        customer=intake.customer,
        order=intake.order,
        order_item=intake.order_item,
        merchant_id=intake.order.merchant_id if intake.order else None,
        created_by=intake.actor,
        intake_key=intake.intake_key or None,
        parent=intake.parent,
    )
    ticket.created_at = now
    decision = route_ticket(ticket=ticket, now=now)
    ticket.team, ticket.assignee = decision.team, decision.assignee
    sla.sla_start(ticket, now=now)
    ticket.save()
    ticket.number = f"AS-{timezone.localtime(now):%Y%m%d}-{ticket.pk:06d}"
    Ticket.objects.filter(pk=ticket.pk).update(number=ticket.number)
    _tags_set(ticket, intake.tags)
    agent_load_adjust(user_id=ticket.assignee_id, delta=1)
    events = _first_events(ticket=ticket, intake=intake, text=text, decision=decision, now=now)
    TicketEvent.objects.bulk_create(events)
    created, message, _ = events
    _, refused = attachments_store(event=message, files=intake.files)
    ticket_customer_notify_on_commit(ticket=ticket, event=created)
    return IntakeResult(ticket=ticket, created=True, refused_files=refused)


def _first_events(
    *, ticket: Ticket, intake: TicketIntake, text: str, decision: RoutingDecision, now: datetime
) -> list[TicketEvent]:
    """The timeline of a new ticket, written in one insert: created, the customer's words, and
    the routing decision."""
    phone_log = intake.channel == Channel.PHONE and intake.actor is not None
    return [
        event_build(
            ticket=ticket,
            type=EventType.CREATED,
            actor=intake.actor,
            is_public=True,
            data={"channel": str(intake.channel), **intake.data},
            now=now,
        ),
        event_build(
            ticket=ticket,
            type=EventType.MESSAGE,
            actor=intake.actor,
            author_kind=AuthorKind.CUSTOMER,
            body=text,
            is_public=True,
            data={"logged_by": intake.actor.pk} if phone_log and intake.actor else {},
            now=now,
        ),
        event_build(
            ticket=ticket,
            type=EventType.ASSIGNED,
            data={
                "to": ticket.assignee_id,
                "team": ticket.team_id,
                "rule": decision.rule,
                "reason": decision.reason,
            },
            body=decision.reason,
            now=now,
        ),
    ]


def _tags_set(ticket: Ticket, names: Sequence[str]) -> None:
    """Tag the new ticket; its tags are then known without a query (the API answer lists them)."""
    tags = _tags(names) if names else []
    if tags:
        ticket.tags.set(tags)
    known = Tag.objects.filter(pk__in=[t.pk for t in tags])
    # What prefetch_related("tags") would leave: ticket.tags.all() answers from memory.
    known._result_cache = sorted(tags, key=lambda t: t.name)
    setattr(known, "_prefetch_done", True)  # noqa: B010 - Django's private prefetch flag
    setattr(ticket, "_prefetched_objects_cache", {"tags": known})  # noqa: B010 - likewise


def _subject_from(text: str) -> str:
    first_line = text.splitlines()[0] if text else ""
    return first_line[:60] + ("…" if len(first_line) > 60 else "")


def _tags(names: Sequence[str]) -> list[Tag]:
    tags = []
    for name in {n.strip()[:50] for n in names if n.strip()}:
        tag, _ = Tag.objects.get_or_create(name=name)
        tags.append(tag)
    return tags
