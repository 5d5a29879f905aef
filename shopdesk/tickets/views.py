"""The agent console: queues with counts, filters, keyset pages and bulk actions.

The ticket page and its actions are in views_ticket.py and views_actions.py, the phone intake in
views_phone.py. Every page works without JavaScript; htmx only appends the next page in place.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shopdesk.accounts.models import User
from shopdesk.accounts.permissions import Perm
from shopdesk.accounts.presence import agent_presence_get
from shopdesk.core.errors import DomainError
from shopdesk.core.pagination import InvalidCursor, Page
from shopdesk.tickets.forms import QUEUE_LABELS, BulkForm, ConsoleFilterForm, agents_queryset
from shopdesk.tickets.models import Category, Ticket
from shopdesk.tickets.selectors import (
    COUNT_CAP,
    QUEUES,
    queue_counts_for_user,
    ticket_page_for_user,
)
from shopdesk.tickets.selectors_console import SlaDue, sla_due, tickets_for_bulk
from shopdesk.tickets.services import ticket_assign, ticket_transition
from shopdesk.tickets.services.tags import ticket_tag_add
from shopdesk.tickets.states import Channel, Party, Priority, TicketStatus
from shopdesk.tickets.views_common import AuthedRequest, console_view

PAGE_SIZE: Final = 25


@dataclass(frozen=True)
class TicketRow:
    """One console line with its words worked out once per page, not per template lookup."""

    ticket: Ticket
    due: SlaDue
    url: str
    priority: str
    status: str
    party: str
    channel: str
    assignee: str


def _rows(tickets: list[Ticket], now: datetime) -> list[TicketRow]:
    labels = {
        name: {value: str(label) for value, label in choices.choices}
        for name, choices in (
            ("priority", Priority),
            ("status", TicketStatus),
            ("party", Party),
            ("channel", Channel),
        )
    }
    detail = reverse("tickets:detail", args=[0])[: -len("0/")]
    return [
        TicketRow(
            ticket=t,
            due=sla_due(ticket=t, now=now),
            url=f"{detail}{t.pk}/",
            priority=labels["priority"].get(t.priority, t.priority),
            status=labels["status"].get(t.status, t.status),
            party=labels["party"].get(t.responsible_party, t.responsible_party),
            channel=labels["channel"].get(t.channel, t.channel),
            assignee=(t.assignee.get_full_name() or t.assignee.username) if t.assignee else "",
        )
        for t in tickets
    ]


def _page(request: AuthedRequest, form: ConsoleFilterForm) -> tuple[Page[Ticket], str]:
    args: dict[str, Any] = {"user": request.user, "filters": form.to_filter(), "limit": PAGE_SIZE}
    try:
        return ticket_page_for_user(cursor=request.GET.get("cursor") or None, **args), ""
    except InvalidCursor:
        notice = _("That “next page” link is no longer valid: showing the first page again.")
        return ticket_page_for_user(cursor=None, **args), notice


def _url(request: AuthedRequest, **changes: str | None) -> str:
    query = request.GET.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value:
            query[key] = value
    return f"{request.path}?{query.urlencode()}"


@require_GET
@console_view()
def ticket_console_view(request: AuthedRequest) -> HttpResponse:
    categories = list(Category.objects.filter(is_active=True))
    form = ConsoleFilterForm(request.GET, categories=categories)
    context: dict[str, Any] = {"form": form, "rows": [], "next_url": "", "notice": ""}
    if form.is_valid():
        page, context["notice"] = _page(request, form)
        context["rows"] = _rows(page.items, timezone.now())
        if page.next_cursor:
            context["next_url"] = _url(request, cursor=page.next_cursor)
        context["queue"] = form.chosen_queue
    counts = queue_counts_for_user(user=request.user)
    context["queues"] = [
        (q, QUEUE_LABELS[q], counts.get(q), _url(request, queue=q, cursor=None)) for q in QUEUES
    ]
    context["is_next_page"] = "cursor" in request.GET
    context["first_url"] = _url(request, cursor=None)
    context["can_override"] = request.user.has_perm(Perm.OVERRIDE_TICKET)
    context["bulk"] = BulkForm(agents=agents_queryset())
    context["presence"] = agent_presence_get(user=request.user)
    context["count_cap"] = COUNT_CAP
    template = "tickets/console.html"
    if request.htmx and context["is_next_page"] and form.is_valid():
        template += "#rows"
    return render(request, template, context)


def _bulk_one(form: BulkForm, ticket: Ticket, user: User) -> None:
    """One ticket through its service; raises DomainError (incl. conflicts) for the caller."""
    d = form.cleaned_data
    action = d["action"]
    if action == "assign_me":
        ticket_assign(ticket=ticket, assignee=user, actor=user, reason=_("Taken from the queue."))
    elif action == "assign":
        ticket_assign(ticket=ticket, assignee=d["assignee"], actor=user, reason=_("Bulk assign."))
    elif action == "transition":
        ticket_transition(ticket=ticket, to=d["to"], actor=user)
    elif action == "tag":
        ticket_tag_add(ticket=ticket, name=d["tag"], actor=user)


@require_POST
@console_view(Perm.CHANGE_TICKET)
def ticket_bulk_view(request: AuthedRequest) -> HttpResponse:
    """Apply one action to each ticked ticket; report each failure (a conflict, a refusal)."""
    back = request.POST.get("next") or ""
    if not back.startswith("/tickets/"):
        back = "/tickets/"
    form = BulkForm(request.POST, agents=agents_queryset())
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return HttpResponseRedirect(back)
    pairs: list[tuple[int, int]] = form.cleaned_data["tickets"]
    tickets = tickets_for_bulk(user=request.user, ids=[pk for pk, _v in pairs])
    done = 0
    for pk, version in pairs:
        ticket = tickets.get(pk)
        if ticket is None:
            messages.error(request, _("Ticket #%(id)s: not found.") % {"id": pk})
            continue
        ticket.version = version  # a change since the list was shown is a conflict
        try:
            _bulk_one(form, ticket, request.user)
            done += 1
        except DomainError as exc:
            messages.error(request, f"{ticket.number or ticket.pk}: {exc.message}")
    if done:
        messages.success(
            request, _("Done for %(n)d of %(total)d tickets.") % {"n": done, "total": len(pairs)}
        )
    return HttpResponseRedirect(back)
