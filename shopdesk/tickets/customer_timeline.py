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

from shopdesk.accounts.models import Customer, User


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
