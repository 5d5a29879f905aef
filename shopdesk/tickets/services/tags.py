"""Tags on tickets: free labels agents add, e.g. in bulk from the console."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from shopdesk.accounts.models import User
from shopdesk.tickets.models import Tag, Ticket
from shopdesk.tickets.services.base import event_add, ticket_save
from shopdesk.tickets.states import EventType


def ticket_tag_add(
    *, ticket: Ticket, name: str, actor: User | None, now: datetime | None = None
) -> Ticket:
    """Add one tag (created on first use) and note it on the timeline; a tag already on the
    ticket changes nothing.

    Raises:
        ConcurrentUpdate: someone else changed the ticket since it was read.
    """
    now = now or timezone.now()
    name = name.strip()[:50]
    if not name or ticket.tags.filter(name=name).exists():
        return ticket
    with transaction.atomic():
        ticket_save(ticket, [], now=now)
        tag, _ = Tag.objects.get_or_create(name=name)
        ticket.tags.add(tag)
        event_add(
            ticket=ticket, type=EventType.TAGGED, actor=actor, data={"added": [name]}, now=now
        )
    return ticket
