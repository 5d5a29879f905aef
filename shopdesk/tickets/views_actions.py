"""The ticket page's action forms: status, assignment, hand-off, compensation.

Each loads the ticket through the scoped selector, sets the version the page was rendered with
(so a change made meanwhile is a conflict), calls one service and redirects back to the page;
a refusal renders the page again with the reason and the typed values.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shopdesk.accounts.permissions import Perm
from shopdesk.core.errors import DomainError
from shopdesk.tickets.forms import (
    AssignForm,
    CompensationDecideForm,
    CompensationForm,
    HandOffForm,
    TransitionForm,
    agents_queryset,
)
from shopdesk.tickets.models import Compensation, Ticket
from shopdesk.tickets.selectors_console import can_work_ticket, compensation_standards
from shopdesk.tickets.services import (
    compensation_decide,
    compensation_request,
    ticket_assign,
    ticket_hand_off,
    ticket_transition,
)
from shopdesk.tickets.views_common import AuthedRequest, console_view, visible_ticket
from shopdesk.tickets.views_ticket import render_detail, render_failure


def _back(ticket_id: int) -> HttpResponse:
    return redirect("tickets:detail", ticket_id=ticket_id)


def _transition_form(data: QueryDict, ticket: Ticket) -> TransitionForm:
    return TransitionForm(data)


@require_POST
@console_view(Perm.CHANGE_TICKET)
def ticket_transition_view(request: AuthedRequest, ticket_id: int) -> HttpResponse:
    ticket = visible_ticket(request, ticket_id)
    if not can_work_ticket(user=request.user, ticket=ticket):
        raise PermissionDenied
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return render_detail(request, ticket, status=400, error=_("Choose a status."))
    ticket.version = form.cleaned_data["version"]
    try:
        ticket_transition(
            ticket=ticket,
            to=form.cleaned_data["to"],
            actor=request.user,
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        return render_failure(request, ticket_id, exc, name="", make_form=_transition_form)
    messages.success(request, _("Status changed to “%(s)s”.") % {"s": ticket.get_status_display()})
    return _back(ticket_id)


def _assign_form(data: QueryDict, ticket: Ticket) -> AssignForm:
    return AssignForm(data, agents=agents_queryset())


@require_POST
@console_view(Perm.ASSIGN_TICKET)
def ticket_assign_view(request: AuthedRequest, ticket_id: int) -> HttpResponse:
    """Agents take unassigned tickets or transfer their own; supervisors override."""
    ticket = visible_ticket(request, ticket_id)
    form = _assign_form(request.POST, ticket)
    if not form.is_valid():
        return render_detail(request, ticket, status=400, forms={"assign_form": form})
    ticket.version = form.cleaned_data["version"]
    assignee = form.cleaned_data["assignee"]
    reason = form.cleaned_data["reason"] or (
        _("Took the ticket.") if assignee == request.user else _("Transferred.")
    )
    try:
        ticket_assign(ticket=ticket, assignee=assignee, actor=request.user, reason=reason)
    except DomainError as exc:
        return render_failure(request, ticket_id, exc, name="assign_form", make_form=_assign_form)
    messages.success(request, _("Assignment changed."))
    return _back(ticket_id)


def _hand_off_form(data: QueryDict, ticket: Ticket) -> HandOffForm:
    return HandOffForm(data)


@require_POST
@console_view(Perm.CHANGE_TICKET)
def ticket_hand_off_view(request: AuthedRequest, ticket_id: int) -> HttpResponse:
    ticket = visible_ticket(request, ticket_id)
    if not can_work_ticket(user=request.user, ticket=ticket):
        raise PermissionDenied
    form = HandOffForm(request.POST)
    if not form.is_valid():
        return render_detail(request, ticket, status=400, forms={"hand_off_form": form})
    ticket.version = form.cleaned_data["version"]
    try:
        ticket_hand_off(
            ticket=ticket,
            to_party=form.cleaned_data["to_party"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
    except DomainError as exc:
        return render_failure(
            request, ticket_id, exc, name="hand_off_form", make_form=_hand_off_form
        )
    messages.success(request, _("Handed off."))
    return _back(ticket_id)


def _compensation_form(data: QueryDict, ticket: Ticket) -> CompensationForm:
    return CompensationForm(data, standards=compensation_standards())


@require_POST
@console_view(Perm.REPLY_TICKET)
def compensation_request_view(request: AuthedRequest, ticket_id: int) -> HttpResponse:
    """Within the actor's limit it is granted; above it, it waits for a supervisor."""
    ticket = visible_ticket(request, ticket_id)
    if request.user.merchant_id is not None or not can_work_ticket(
        user=request.user, ticket=ticket
    ):
        raise PermissionDenied
    form = _compensation_form(request.POST, ticket)
    if not form.is_valid():
        return render_detail(request, ticket, status=400, forms={"compensation_form": form})
    d = form.cleaned_data
    try:
        comp = compensation_request(
            ticket=ticket,
            standard=d["standard"],
            amount=d["amount"],
            actor=request.user,
            note=d["note"],
        )
    except DomainError as exc:
        return render_failure(
            request, ticket_id, exc, name="compensation_form", make_form=_compensation_form
        )
    if comp.status == Compensation.Status.GRANTED:
        messages.success(request, _("Compensation granted."))
    else:
        messages.info(request, _("Above your limit: the compensation is waiting for approval."))
    return _back(ticket_id)


@require_POST
@console_view(Perm.OVERRIDE_TICKET)
def compensation_decide_view(
    request: AuthedRequest, ticket_id: int, compensation_id: int
) -> HttpResponse:
    ticket = visible_ticket(request, ticket_id)
    compensation = (
        Compensation.objects.select_related("standard", "ticket")
        .filter(pk=compensation_id, ticket_id=ticket.pk)
        .first()
    )
    if compensation is None:
        raise Http404(_("No such compensation on this ticket."))
    form = CompensationDecideForm(request.POST)
    if not form.is_valid():
        return render_detail(request, ticket, status=400, error=_("Approve or reject."))
    try:
        compensation_decide(
            compensation=compensation, approve=form.cleaned_data["approve"], actor=request.user
        )
    except DomainError as exc:
        return render_detail(request, ticket, status=exc.status, error=exc.message)
    messages.success(request, _("Decision recorded."))
    return _back(ticket_id)
