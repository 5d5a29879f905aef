"""Ticket vocabularies and the status machine of DESIGN §3: pure Python, no ORM."""

from collections.abc import Mapping
from typing import Final

from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketStatus(models.TextChoices):
    NEW = "new", _("new")
    OPEN = "open", _("open")
    PENDING_CUSTOMER = "pending_customer", _("waiting on customer")
    PENDING_MERCHANT = "pending_merchant", _("waiting on merchant")
    ON_HOLD = "on_hold", _("on hold")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")
    REOPENED = "reopened", _("reopened")


S = TicketStatus
TRANSITIONS: Final[Mapping[TicketStatus, frozenset[TicketStatus]]] = {
    S.NEW: frozenset({S.OPEN, S.PENDING_CUSTOMER, S.PENDING_MERCHANT, S.ON_HOLD, S.RESOLVED}),
    S.OPEN: frozenset({S.PENDING_CUSTOMER, S.PENDING_MERCHANT, S.ON_HOLD, S.RESOLVED}),
    S.PENDING_CUSTOMER: frozenset({S.OPEN, S.RESOLVED}),
    S.PENDING_MERCHANT: frozenset({S.OPEN, S.RESOLVED}),
    S.ON_HOLD: frozenset({S.OPEN}),
    S.RESOLVED: frozenset({S.CLOSED, S.REOPENED}),
    S.CLOSED: frozenset({S.REOPENED}),
    S.REOPENED: frozenset({S.OPEN}),
}

# Statuses in which the ticket still needs work; SLA clocks and queues consider only these.
ACTIVE_STATUSES: Final = frozenset(
    {S.NEW, S.OPEN, S.PENDING_CUSTOMER, S.PENDING_MERCHANT, S.ON_HOLD, S.REOPENED}
)
# The clock stops while the customer owes us an answer.
PAUSED_STATUSES: Final = frozenset({S.PENDING_CUSTOMER})


# Who holds the ticket changes with these, so only a hand-off (with its reason, the merchant's
# clock and the bounce rule) or a take-back makes them, never a bare status change.
HANDOFF_ONLY: Final = frozenset(
    {(old, S.PENDING_MERCHANT) for old in TRANSITIONS if S.PENDING_MERCHANT in TRANSITIONS[old]}
    | {(S.PENDING_MERCHANT, S.OPEN)}
)


def manual_transitions(current: TicketStatus | str) -> list[TicketStatus]:
    """The statuses a person may pick directly from `current` (hand-offs excluded)."""
    old = TicketStatus(current)
    return sorted(
        new for new in TRANSITIONS.get(old, frozenset()) if (old, new) not in HANDOFF_ONLY
    )


def transition_allowed(current: TicketStatus | str, to: TicketStatus | str) -> bool:
    return TicketStatus(to) in TRANSITIONS.get(TicketStatus(current), frozenset())


class Channel(models.TextChoices):
    PORTAL = "portal", _("customer portal")
    PHONE = "phone", _("phone")
    API = "api", _("API")
    EMAIL = "email", _("e-mail")
    CHAT = "chat", _("live chat")


class Priority(models.TextChoices):
    URGENT = "urgent", _("urgent")
    HIGH = "high", _("high")
    NORMAL = "normal", _("normal")
    LOW = "low", _("low")


# Lower sorts first: urgent-first ordering.
PRIORITY_RANK: Final[Mapping[str, int]] = {
    Priority.URGENT: 0,
    Priority.HIGH: 1,
    Priority.NORMAL: 2,
    Priority.LOW: 3,
}


def priority_raised(priority: str) -> str:
    """One step up, urgent stays urgent."""
    order = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]
    index = order.index(Priority(priority))
    return order[min(index + 1, len(order) - 1)].value


class Party(models.TextChoices):
    PLATFORM = "platform", _("platform")
    MERCHANT = "merchant", _("merchant")


class SlaClock(models.TextChoices):
    FIRST_REPLY = "first_reply", _("first reply")
    NEXT_REPLY = "next_reply", _("next reply")
    RESOLUTION = "resolution", _("resolution")
    MERCHANT = "merchant", _("merchant reply")


class AuthorKind(models.TextChoices):
    CUSTOMER = "customer", _("customer")
    AGENT = "agent", _("agent")
    MERCHANT = "merchant", _("merchant")
    SYSTEM = "system", _("system")


class EventType(models.TextChoices):
    CREATED = "created", _("created")
    MESSAGE = "message", _("message")
    NOTE = "note", _("internal note")
    STATUS_CHANGED = "status_changed", _("status changed")
    ASSIGNED = "assigned", _("assigned")
    HANDED_OFF = "handed_off", _("handed off")
    TAKEN_BACK = "taken_back", _("taken back from merchant")
    PRIORITY_CHANGED = "priority_changed", _("priority changed")
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACH = "sla_breach", _("SLA breach")
    ESCALATED = "escalated", _("escalated")
    RATED = "rated", _("rated")
    COMPLAINT = "complaint", _("complaint opened")
    COMPENSATION = "compensation", _("compensation")
    TAGGED = "tagged", _("tags changed")
