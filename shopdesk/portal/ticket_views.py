"""The customer's side of tickets: open an issue on an order, my tickets, one ticket with its
public timeline, replies, rating and "I am not satisfied".

Every read goes through the ticket selectors scoped to the signed-in customer (someone else's
ticket is a 404); every write through one ticket service. A staff login gets the "this page is
for customers" page.
"""

from collections.abc import Callable, Sequence
from typing import Any, Final

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shopdesk.accounts.models import Customer, User
from shopdesk.core.errors import DomainError, NotFound
from shopdesk.notifications.selectors import notification_list_for_user
from shopdesk.portal.selectors import portal_customer_for_user, portal_order_get_for_user
from shopdesk.portal.ticket_forms import (
    ComplaintForm,
    IssueForm,
    RatingForm,
    ReplyForm,
    incoming_files,
    upload_limits,
)
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.selectors import attachment_get_for_user
from shopdesk.tickets.selectors_portal import (
    FINISHED_STATUSES,
    portal_categories,
    portal_complaint,
    portal_ticket_get_for_customer,
    portal_ticket_list_for_customer,
    portal_ticket_steps,
    portal_timeline,
    status_words,
)
from shopdesk.tickets.services import (
    RefusedFile,
    TicketIntake,
    ticket_complain,
    ticket_create,
    ticket_customer_message,
    ticket_rate,
)
from shopdesk.tickets.states import PAUSED_STATUSES, Channel, Party

NOTIFICATIONS_SHOWN: Final = 5


class AuthedRequest(HttpRequest):
    user: User


def _customer(request: HttpRequest) -> Customer | HttpResponse:
    if not request.user.is_authenticated:
        return redirect("portal:login")
    customer = portal_customer_for_user(user=request.user)
    if customer is None:
        return render(request, "portal/not_customer.html", status=403)
    return customer


def _ticket(request: AuthedRequest, customer: Customer, ticket_id: int) -> Ticket:
    try:
        return portal_ticket_get_for_customer(
            user=request.user, customer=customer, ticket_id=ticket_id
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _refused(request: HttpRequest, refused: Sequence[RefusedFile]) -> None:
    for file in refused:
        messages.warning(
            request,
            _("%(name)s was not attached: %(reason)s") % {"name": file.name, "reason": file.reason},
        )


def _unread(request: AuthedRequest) -> int:
    return notification_list_for_user(user=request.user, unread_only=True).count()


@require_GET
def portal_ticket_list_view(request: AuthedRequest) -> HttpResponse:
    customer = _customer(request)
    if isinstance(customer, HttpResponse):
        return customer
    unread = notification_list_for_user(user=request.user, unread_only=True)
    context = {
        "customer": customer,
        "tickets": portal_ticket_list_for_customer(user=request.user, customer=customer),
        "notifications": list(unread[:NOTIFICATIONS_SHOWN]),
        "unread_count": unread.count(),
    }
    return render(request, "portal/tickets/list.html", context)


@require_http_methods(["GET", "POST"])
def portal_issue_new_view(request: AuthedRequest, order_id: int) -> HttpResponse:
    customer = _customer(request)
    if isinstance(customer, HttpResponse):
        return customer
    try:
        order = portal_order_get_for_user(user=request.user, customer=customer, order_id=order_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    items = list(order.items.select_related("product").order_by("line_no"))
    form = IssueForm(request.POST or None, items=items, categories=portal_categories())
    if request.method == "POST" and form.is_valid():
        intake = TicketIntake(
            channel=Channel.PORTAL,
            customer=customer,
            order=order,
            order_item=form.chosen_item(),
            category_code=form.cleaned_data["category"],
            description=form.cleaned_data["description"],
            files=incoming_files(request.FILES.getlist("photos")),
            actor=request.user,
            language=translation.get_language() or "",
            intake_key=f"portal:{customer.pk}:{form.cleaned_data['token']}",
        )
        try:
            result = ticket_create(intake=intake)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Thank you. Your request %(number)s has been received.")
                % {"number": result.ticket.number},
            )
            _refused(request, result.refused_files)
            return redirect("portal:ticket", result.ticket.pk)
    context = {
        "customer": customer,
        "order": order,
        "form": form,
        "upload_limits": upload_limits(),
        "unread_count": _unread(request),
    }
    return render(request, "portal/tickets/new.html", context)


def _detail(
    request: AuthedRequest,
    customer: Customer,
    ticket_id: int,
    *,
    bound: dict[str, forms.Form] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The ticket page, always from a fresh read; `bound` keeps what the customer typed."""
    ticket = _ticket(request, customer, ticket_id)
    entries = portal_timeline(ticket=ticket)
    bound = bound or {}
    context: dict[str, Any] = {
        "customer": customer,
        "ticket": ticket,
        "stage": status_words(ticket.status),
        "steps": portal_ticket_steps(ticket=ticket),
        "entries": entries,
        "complaint": portal_complaint(entries=entries),
        "merchant_holds": ticket.responsible_party == Party.MERCHANT,
        "is_finished": ticket.status in FINISHED_STATUSES,
        "waits_for_customer": ticket.status in PAUSED_STATUSES,
        "reply_form": bound.get("reply") or ReplyForm(),
        "rating_form": bound.get("rating") or RatingForm(),
        "complaint_form": bound.get("complaint") or ComplaintForm(),
        "error": error,
        "upload_limits": upload_limits(),
        "unread_count": _unread(request),
    }
    return render(request, "portal/tickets/detail.html", context, status=status)


@require_GET
def portal_ticket_detail_view(request: AuthedRequest, ticket_id: int) -> HttpResponse:
    customer = _customer(request)
    if isinstance(customer, HttpResponse):
        return customer
    return _detail(request, customer, ticket_id)


def _act(
    request: AuthedRequest,
    ticket_id: int,
    *,
    key: str,
    form: forms.Form,
    action: Callable[[Ticket, User], str],
) -> HttpResponse:
    """Validate, call one service, then back to the ticket page; a refusal or a conflict shows
    the fresh page with the message and the customer's text kept."""
    customer = _customer(request)
    if isinstance(customer, HttpResponse):
        return customer
    ticket = _ticket(request, customer, ticket_id)
    if not form.is_valid():
        return _detail(request, customer, ticket_id, bound={key: form}, status=400)
    try:
        done = action(ticket, request.user)
    except DomainError as exc:  # ConcurrentUpdate included: 409 with the current state
        return _detail(
            request, customer, ticket_id, bound={key: form}, error=exc.message, status=exc.status
        )
    messages.success(request, done)
    return redirect("portal:ticket", ticket_id)


@require_POST
def portal_ticket_reply_view(request: AuthedRequest, ticket_id: int) -> HttpResponse:
    form = ReplyForm(request.POST)

    def reply(ticket: Ticket, user: User) -> str:
        files = incoming_files(request.FILES.getlist("photos"))
        result = ticket_customer_message(
            ticket=ticket, author=user, body=form.cleaned_data["body"], files=files
        )
        _refused(request, result.refused_files)
        return _("Your message has been sent.")

    return _act(request, ticket_id, key="reply", form=form, action=reply)


@require_POST
def portal_ticket_rate_view(request: AuthedRequest, ticket_id: int) -> HttpResponse:
    form = RatingForm(request.POST)

    def rate(ticket: Ticket, user: User) -> str:
        data = form.cleaned_data
        ticket_rate(ticket=ticket, author=user, rating=data["rating"], comment=data["comment"])
        return _("Thank you for your rating.")

    return _act(request, ticket_id, key="rating", form=form, action=rate)


@require_POST
def portal_ticket_complain_view(request: AuthedRequest, ticket_id: int) -> HttpResponse:
    form = ComplaintForm(request.POST)

    def complain(ticket: Ticket, user: User) -> str:
        if ticket.status not in FINISHED_STATUSES:
            raise DomainError(_("You can say you are not satisfied once the ticket is resolved."))
        result = ticket_complain(ticket=ticket, author=user, body=form.cleaned_data["body"])
        return _(
            "We are sorry. Your complaint %(number)s has been opened; a supervisor will look "
            "into it."
        ) % {"number": result.ticket.number}

    return _act(request, ticket_id, key="complaint", form=form, action=complain)


@require_GET
def portal_attachment_view(
    request: AuthedRequest, attachment_id: int
) -> HttpResponse | FileResponse:
    """A file of the customer's own ticket, public lines only; pictures inline, the rest as a
    download, never sniffed or run by the browser."""
    customer = _customer(request)
    if isinstance(customer, HttpResponse):
        return customer
    try:
        attachment = attachment_get_for_user(user=request.user, attachment_id=attachment_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=not attachment.is_image,
        filename=attachment.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
