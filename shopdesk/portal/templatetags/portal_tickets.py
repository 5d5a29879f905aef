"""Template helpers of the portal's ticket pieces that sit on pages the ticket views don't own
(the order page's ticket list), and a short way to say when."""

from datetime import datetime

from django import template
from django.utils import timezone

from shopdesk.accounts.models import Customer
from shopdesk.orders.models import Order
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.selectors_portal import portal_ticket_list_for_customer, status_words

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_order_tickets(
    context: template.Context, order: Order, customer: Customer
) -> list[Ticket]:
    """The customer's tickets about this order (one query)."""
    user = context["request"].user
    return portal_ticket_list_for_customer(user=user, customer=customer, order_id=order.pk)


@register.filter
def portal_when(value: datetime | None) -> str:
    """ "14:30" today, "2025-03-04 14:30" on another day, in the site's time zone."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    if local.date() == timezone.localdate():
        return f"{local:%H:%M}"
    return f"{local:%Y-%m-%d %H:%M}"


@register.filter
def portal_stage(status: str) -> str:
    """A ticket status as the customer reads it ("waiting for you", ...)."""
    return str(status_words(status))
