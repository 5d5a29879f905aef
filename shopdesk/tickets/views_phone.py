"""Log a phone call as a ticket: find the caller by phone or order number, then describe it."""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shopdesk.accounts.permissions import Perm
from shopdesk.core.errors import DomainError
from shopdesk.orders.selectors import order_scope_for_user
from shopdesk.tickets.forms import PhoneLookupForm, PhoneTicketForm
from shopdesk.tickets.services import TicketIntake, ticket_create
from shopdesk.tickets.states import Channel
from shopdesk.tickets.views_common import AuthedRequest, console_view


@require_http_methods(["GET", "POST"])
@console_view(Perm.ADD_TICKET)
def ticket_phone_view(request: AuthedRequest) -> HttpResponse:
    """GET looks the caller up; POST (with the look-up repeated in hidden fields) creates."""
    data = request.POST if request.method == "POST" else request.GET
    lookup = PhoneLookupForm(data if ("phone" in data or "order_number" in data) else None)
    orders = order_scope_for_user(user=request.user)
    context: dict[str, Any] = {"lookup": lookup, "form": None, "customers": []}
    if not lookup.is_bound or not lookup.is_valid():
        return render(request, "tickets/phone.html", context)
    customers = lookup.customers(orders)
    context["customers"] = customers
    if not customers:
        return render(request, "tickets/phone.html", context)
    bound = request.POST if request.method == "POST" else None
    form = PhoneTicketForm(bound, customers=customers, orders=orders)
    context["form"] = form
    if bound is None or not form.is_valid():
        return render(request, "tickets/phone.html", context, status=400 if bound else 200)
    d = form.cleaned_data
    intake = TicketIntake(
        channel=Channel.PHONE,
        customer=d["customer"],
        category_code=d["category"].code,
        description=d["description"],
        subject=d["subject"],
        order=d["order"],
        order_item=d["order_item"],
        priority=d["priority"],
        actor=request.user,
    )
    try:
        result = ticket_create(intake=intake)
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "tickets/phone.html", context, status=400)
    messages.success(
        request, _("Ticket %(number)s logged for the call.") % {"number": result.ticket.number}
    )
    return redirect("tickets:detail", ticket_id=result.ticket.pk)
