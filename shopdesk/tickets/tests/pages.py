"""Shared helpers of the console page tests (test_views*.py)."""

from django.test import Client
from django.urls import reverse

from shopdesk.accounts.models import User
from shopdesk.orders.tests.factories import OrderFactory
from shopdesk.tickets import services
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.services import TicketIntake
from shopdesk.tickets.states import Channel

CONSOLE = reverse("tickets:console")
PHONE = reverse("tickets:phone")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def page_client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def page_ticket(description: str = "包裹五天没有更新", **kwargs: object) -> Ticket:
    order = kwargs.pop("order", None) or OrderFactory()
    intake = TicketIntake(
        channel=kwargs.pop("channel", Channel.PORTAL),  # type: ignore[arg-type]
        customer=order.customer,
        order=order,
        category_code="logistics_delay",
        description=description,
        **kwargs,  # type: ignore[arg-type]
    )
    return services.ticket_create(intake=intake).ticket


def page_url(name: str, ticket: Ticket, *more: int) -> str:
    return reverse(f"tickets:{name}", args=[ticket.pk, *more])


def shown(response) -> list[str]:
    return [row.ticket.number for row in response.context["rows"]]
