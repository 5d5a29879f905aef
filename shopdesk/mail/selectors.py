"""Reads of the e-mail channel, scoped to the viewing user."""

from django.urls import reverse
from django.utils.translation import gettext

from shopdesk.accounts.models import Customer, User
from shopdesk.mail.models import InboundMail
from shopdesk.tickets.customer_timeline import TimelineEntry
from shopdesk.tickets.selectors import ticket_scope_for_user
from shopdesk.tickets.states import Channel


def mail_timeline_entries(customer: Customer, user: User, limit: int) -> list[TimelineEntry]:
    """The customer's e-mails that reached a ticket the user may see, newest first."""
    visible = ticket_scope_for_user(user=user).filter(customer=customer).values("pk")
    mails = (
        InboundMail.objects.filter(customer=customer, ticket__in=visible)
        .select_related("ticket")
        .order_by("-received_at")[:limit]
    )
    entries = []
    for mail in mails:
        number = mail.ticket.number if mail.ticket else ""
        title = (
            gettext("E-mail opened ticket %(number)s")
            if mail.status == InboundMail.Status.NEW_TICKET
            else gettext("E-mail added to ticket %(number)s")
        ) % {"number": number}
        entries.append(
            TimelineEntry(
                mail.received_at,
                "email",
                title,
                mail.subject,
                reverse("tickets:detail", args=[mail.ticket_id]) if mail.ticket_id else "",
                Channel.EMAIL,
            )
        )
    return entries
