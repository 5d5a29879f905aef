"""The ticket page: header with SLA clocks, timeline, reply box with macros, side panel.

Every write form posts the ticket version it was rendered with. When someone else changed the
ticket meanwhile the page is rendered again with the fresh state, a conflict notice and the
agent's typed text still in the box: nothing typed is lost.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from shopdesk.accounts.permissions import Perm
from shopdesk.core.errors import ConcurrentUpdate, DomainError, NotFound
from shopdesk.tickets.customer_timeline import customer_timeline
from shopdesk.tickets.forms import (
    AssignForm,
    CompensationForm,
    HandOffForm,
    ReplyForm,
    agents_queryset,
)
from shopdesk.tickets.models import Compensation, Macro, Ticket
from shopdesk.tickets.selectors import attachment_get_for_user, customer_tickets, ticket_timeline
from shopdesk.tickets.selectors_console import (
    can_work_ticket,
    compensation_standards,
    customer_orders,
    macros_for_ticket,
    sla_due,
    ticket_compensations,
    ticket_logistics,
    user_names,
)
from shopdesk.tickets.services import IncomingFile, macro_render, ticket_note, ticket_reply
from shopdesk.tickets.services.attachments import RefusedFile
from shopdesk.tickets.states import (
    EventType,
    Party,
    SlaClock,
    TicketStatus,
    manual_transitions,
)
from shopdesk.tickets.timeline_display import timeline_items
from shopdesk.tickets.views_common import AuthedRequest, console_view, visible_ticket

TIMELINE_SHORT = 15  # entries beside the ticket; "show more" loads up to TIMELINE_LONG
TIMELINE_LONG = 200

CLOCKS = (
    ("first_reply_due_at", "first_replied_at", SlaClock.FIRST_REPLY.label),
    ("next_reply_due_at", None, SlaClock.NEXT_REPLY.label),
    ("resolution_due_at", None, SlaClock.RESOLUTION.label),
    ("merchant_due_at", None, SlaClock.MERCHANT.label),
)


def _clocks(ticket: Ticket) -> list[dict[str, Any]]:
    now = timezone.now()
    rows = []
    for due_field, met_field, label in CLOCKS:
        due = getattr(ticket, due_field)
        met = getattr(ticket, met_field) if met_field else None
        if due is None and met is None:
            continue
        state = None
        if due is not None and met is None:
            copy = Ticket(sla_due_at=due, sla_paused_at=ticket.sla_paused_at)
            state = sla_due(ticket=copy, now=now)
        rows.append({"label": label, "due": due, "met": met, "state": state})
    return rows


def _panels(request: AuthedRequest, ticket: Ticket) -> dict[str, Any]:
    """Everything beside the timeline; a fixed number of queries whatever the ticket holds."""
    user = request.user
    may_work = can_work_ticket(user=user, ticket=ticket)
    may_assign = user.has_perm(Perm.ASSIGN_TICKET)
    may_compensate = may_work and user.merchant_id is None
    compensations = ticket_compensations(ticket=ticket)
    return {
        "orders": customer_orders(user=user, ticket=ticket),
        "logistics": ticket_logistics(ticket=ticket),
        "earlier": customer_tickets(ticket=ticket),
        "macros": macros_for_ticket(ticket=ticket) if may_work else [],
        "may_work": may_work,
        "may_assign": may_assign,
        "may_override": user.has_perm(Perm.OVERRIDE_TICKET),
        "may_hand_off": may_work and ticket.status in ("new", "open", "pending_merchant"),
        "compensations": compensations,
        "pending_compensations": [
            c for c in compensations if c.status == Compensation.Status.PENDING_APPROVAL
        ],
        "compensation_form": CompensationForm(standards=compensation_standards())
        if may_compensate
        else None,
    }


def allowed_for(ticket: Ticket) -> list[TicketStatus]:
    return manual_transitions(ticket.status)


def detail_context(
    request: AuthedRequest,
    ticket: Ticket,
    *,
    forms: dict[str, Any] | None = None,
    error: str = "",
    conflict: str = "",
    refused: list[RefusedFile] | None = None,
) -> dict[str, Any]:
    """The page's context; `forms` replaces blank forms with the posted ones (errors, text)."""
    events = ticket_timeline(ticket=ticket, public_only=False)
    may_assign = request.user.has_perm(Perm.ASSIGN_TICKET)
    # Loaded once: the assign drop-down and the names on assignment events.
    agents = list(agents_queryset()) if may_assign else []
    assigned = [e.data.get("to") for e in events if e.type == EventType.ASSIGNED]
    names = user_names(ids=assigned, known=agents)
    allowed = allowed_for(ticket)
    initial = {"version": ticket.version}
    context: dict[str, Any] = {
        "ticket": ticket,
        "timeline": timeline_items(events=events, names=names),
        "tags": [tag.name for tag in ticket.tags.all()],
        "clocks": _clocks(ticket),
        "transitions": allowed,
        "reply": ReplyForm(initial=initial, allowed=allowed),
        "agents": agents,
        "assign_form": AssignForm(
            initial=initial | {"assignee": ticket.assignee_id or request.user.pk},
            agents=agents_queryset(),
        )
        if may_assign
        else None,
        "hand_off_form": HandOffForm(initial=initial | {"to_party": _other_party(ticket)}),
        "error": error,
        "conflict": conflict,
        "refused": refused or [],
        **_panels(request, ticket),
    }
    context.update(forms or {})
    return context


def _other_party(ticket: Ticket) -> str:
    return Party.PLATFORM if ticket.responsible_party == Party.MERCHANT else Party.MERCHANT


def render_detail(
    request: AuthedRequest, ticket: Ticket, *, status: int = 200, **kwargs: Any
) -> HttpResponse:
    context = detail_context(request, ticket, **kwargs)
    return render(request, "tickets/detail.html", context, status=status)


FormMaker = Callable[[QueryDict, Ticket], BaseForm]


def render_failure(
    request: AuthedRequest,
    ticket_id: int,
    exc: DomainError,
    *,
    name: str,
    make_form: FormMaker,
) -> HttpResponse:
    """The page again after a refused write, with the ticket as it is now and the posted form
    (typed text kept); a conflict re-bases that form on the fresh version."""
    ticket = visible_ticket(request, ticket_id)
    data = request.POST.copy()
    is_conflict = isinstance(exc, ConcurrentUpdate)
    if is_conflict:
        data["version"] = str(ticket.version)
    return render_detail(
        request,
        ticket,
        status=exc.status if exc.status >= 400 else 400,
        forms={name: make_form(data, ticket)},
        conflict=exc.message if is_conflict else "",
        error="" if is_conflict else exc.message,
    )


@require_GET
@console_view()
def ticket_detail_view(request: AuthedRequest, ticket_id: int) -> HttpResponse:
    return render_detail(request, visible_ticket(request, ticket_id))


@require_GET
@console_view()
def customer_timeline_view(request: AuthedRequest, ticket_id: int) -> HttpResponse:
    """The customer's one timeline (orders, parcels, tickets, e-mail, chats), loaded after the
    page so the ticket itself shows at once."""
    ticket = visible_ticket(request, ticket_id)
    try:
        limit = max(1, min(int(request.GET.get("limit", TIMELINE_SHORT)), TIMELINE_LONG))
    except ValueError:
        limit = TIMELINE_SHORT
    entries = customer_timeline(customer=ticket.customer, user=request.user, limit=limit + 1)
    context = {
        "entries": entries[:limit],
        "more": len(entries) > limit and limit < TIMELINE_LONG,
        "long": TIMELINE_LONG,
        "ticket": ticket,
    }
    return render(request, "tickets/_customer_timeline.html", context)


def _files(request: AuthedRequest) -> list[IncomingFile]:
    return [
        IncomingFile(name=f.name or "", content=f.read()) for f in request.FILES.getlist("files")
    ]


def _reply_form(data: QueryDict, ticket: Ticket) -> ReplyForm:
    return ReplyForm(data, allowed=allowed_for(ticket))


@require_POST
@console_view(Perm.REPLY_TICKET)
def ticket_reply_view(request: AuthedRequest, ticket_id: int) -> HttpResponse:
    ticket = visible_ticket(request, ticket_id)
    form = _reply_form(request.POST, ticket)
    if not can_work_ticket(user=request.user, ticket=ticket):
        raise PermissionDenied
    if not form.is_valid():
        return render_detail(request, ticket, status=400, forms={"reply": form})
    ticket.version = form.cleaned_data["version"]
    body, files = form.cleaned_data["body"], _files(request)
    try:
        if form.is_note:
            result = ticket_note(ticket=ticket, actor=request.user, body=body, files=files)
        else:
            status_after = form.cleaned_data["status_after"] or None
            result = ticket_reply(
                ticket=ticket, actor=request.user, body=body, files=files, status_after=status_after
            )
    except DomainError as exc:
        return render_failure(request, ticket_id, exc, name="reply", make_form=_reply_form)
    if result.refused_files:
        # The message is kept; say which files were not, and why.
        fresh = visible_ticket(request, ticket_id)
        return render_detail(request, fresh, refused=result.refused_files)
    return redirect("tickets:detail", ticket_id=ticket_id)


@require_POST
@console_view(Perm.REPLY_TICKET)
def macro_insert_view(request: AuthedRequest, ticket_id: int) -> HttpResponse:
    """Append the macro, rendered in the ticket's language, to the text in the reply box."""
    ticket = visible_ticket(request, ticket_id)
    macro = Macro.objects.filter(pk=_int(request.POST.get("macro")), is_active=True).first()
    data = request.POST.copy()
    body = data.get("body", "")
    if macro is not None:
        text = macro_render(macro=macro, ticket=ticket, agent=request.user)
        data["body"] = f"{body.rstrip()}\n\n{text}" if body.strip() else text
    form = _reply_form(data, ticket)
    if request.htmx:
        return render(request, "tickets/detail.html#reply-body", {"reply": form})
    return render_detail(request, ticket, forms={"reply": form})


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


@require_GET
@console_view()
def attachment_view(request: AuthedRequest, attachment_id: int) -> FileResponse:
    """An attachment through the scoped selector; files are never served from MEDIA_URL."""
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
    return response
