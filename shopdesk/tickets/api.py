"""Tickets API under /api/v1/tickets/: intake for integrations, queues, the timeline, actions.

Each handler parses, loads through one access-checked selector, calls one service and returns.
Visibility is decided by the selectors (404 for what the user may not see); the role's permission
is checked here; business rules are the services'. A write that carries the `version` the client
last read is refused with 409 and the current ticket when someone changed it in between.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, ParamSpec

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext
from ninja import Header, Query, Router, Status

from shopdesk.accounts.models import User
from shopdesk.accounts.permissions import Perm
from shopdesk.core.errors import ConcurrentUpdate, PermissionDenied
from shopdesk.core.pagination import Page
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.schemas import (
    TicketAssignIn,
    TicketComplainIn,
    TicketConflictOut,
    TicketCreatedOut,
    TicketCreateIn,
    TicketDetailOut,
    TicketHandOffIn,
    TicketListQuery,
    TicketMessageOut,
    TicketNoteIn,
    TicketOut,
    TicketPageOut,
    TicketRateIn,
    TicketReplyIn,
    TicketTransitionIn,
)
from shopdesk.tickets.selectors import (
    AnyUser,
    attachment_get_for_user,
    is_customer,
    ticket_get_for_user,
    ticket_page_for_user,
    ticket_timeline,
)
from shopdesk.tickets.selectors_api import assignee_get, intake_parties_for_user
from shopdesk.tickets.services import (
    MessageResult,
    ticket_assign,
    ticket_complain,
    ticket_create,
    ticket_hand_off,
    ticket_note,
    ticket_rate,
    ticket_reply,
    ticket_transition,
)

router = Router(tags=["tickets"])
P = ParamSpec("P")

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=100,
        description="Send the same key when retrying: the ticket is made once.",
    ),
]
WRITE = {200: TicketOut, 409: TicketConflictOut}


def _user_with_perm(user: AnyUser, perm: Perm) -> User:
    if not isinstance(user, User) or not user.has_perm(perm):
        raise PermissionDenied(gettext("You need the permission '%(perm)s'.") % {"perm": perm})
    return user


def _speaker_for_customer(user: AnyUser) -> User:
    """Ratings and complaints are the customer's voice: their own login, or platform staff who
    may change tickets recording it for them (a call). Merchant staff are the party judged."""
    if isinstance(user, User) and (
        is_customer(user) or (user.merchant_id is None and user.has_perm(Perm.CHANGE_TICKET))
    ):
        return user
    raise PermissionDenied(
        gettext("Only the customer, or platform staff for them, may rate or complain.")
    )


def _check_version(ticket: Ticket, version: int | None) -> None:
    if version is not None and version != ticket.version:
        raise ConcurrentUpdate(
            gettext(
                "Ticket %(number)s changed since you read it (version %(yours)d, now %(now)d). "
                "Check the current state and try again."
            )
            % {"number": ticket.number, "yours": version, "now": ticket.version}
        )


@dataclass(frozen=True)
class Conflict:
    """Answered as TicketConflictOut."""

    detail: str
    code: str
    current: Ticket


def _conflict_shows_current(handler: Callable[P, Any]) -> Callable[P, Any]:
    """A lost compare-and-set answers 409 with the ticket as it is now, to check and retry."""

    @functools.wraps(handler)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
        try:
            return handler(*args, **kwargs)
        except ConcurrentUpdate as exc:
            request: HttpRequest = args[0]  # type: ignore[assignment]
            ticket_id = int(kwargs["ticket_id"])  # type: ignore[call-overload]
            ticket = ticket_get_for_user(user=request.user, ticket_id=ticket_id)
            return Status(409, Conflict(detail=exc.message, code=exc.code, current=ticket))

    return wrapper


# --- reads ---------------------------------------------------------------------------------------


@router.get("/", response=TicketPageOut, url_name="ticket_list", summary="List tickets")
def ticket_list_api(request: HttpRequest, query: Query[TicketListQuery]) -> Page[Ticket]:
    """Tickets matching every given condition, soonest SLA due first, one keyset page at a time."""
    _user_with_perm(request.user, Perm.VIEW_TICKET)
    return ticket_page_for_user(
        user=request.user,
        filters=query.to_filter(),
        cursor=query.cursor,
        limit=query.limit,
        with_tags=True,
    )


@router.get(
    "/{int:ticket_id}", response=TicketDetailOut, url_name="ticket_detail", summary="One ticket"
)
def ticket_detail_api(request: HttpRequest, ticket_id: int) -> TicketDetailOut:
    """One ticket with its SLA clocks, responsible party, rating and timeline."""
    _user_with_perm(request.user, Perm.VIEW_TICKET)
    ticket = ticket_get_for_user(user=request.user, ticket_id=ticket_id)
    timeline = ticket_timeline(ticket=ticket, public_only=is_customer(request.user))
    return TicketDetailOut.from_ticket(ticket, timeline=timeline)


@router.get(
    "/attachments/{int:attachment_id}",
    url_name="ticket_attachment",
    summary="Download an attachment",
    response={200: None},
)
def ticket_attachment_api(request: HttpRequest, attachment_id: int) -> FileResponse:
    """The file's bytes, with its checked content type."""
    _user_with_perm(request.user, Perm.VIEW_TICKET)
    attachment = attachment_get_for_user(user=request.user, attachment_id=attachment_id)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )


# --- intake --------------------------------------------------------------------------------------


@router.post(
    "/",
    response={200: TicketCreatedOut, 201: TicketCreatedOut},
    url_name="ticket_create",
    summary="Open a ticket",
)
def ticket_create_api(
    request: HttpRequest, payload: TicketCreateIn, idempotency_key: IdempotencyKey = None
) -> Status[TicketCreatedOut]:
    """Open a ticket (201); a retry with the same `Idempotency-Key` returns that ticket (200)."""
    user = _user_with_perm(request.user, Perm.ADD_TICKET)
    customer, order = intake_parties_for_user(
        user=user,
        customer_id=payload.customer_id,
        customer_ref=payload.customer_ref(),
        order_ref=payload.order_ref(),
    )
    key = f"api:{user.pk}:{idempotency_key}" if idempotency_key else ""
    intake = payload.to_intake(customer=customer, order=order, actor=user, intake_key=key)
    result = ticket_create(intake=intake)
    return Status(201 if result.created else 200, TicketCreatedOut.from_result(result))


# --- messages ------------------------------------------------------------------------------------


@router.post(
    "/{int:ticket_id}/reply",
    response={201: TicketMessageOut, 409: TicketConflictOut},
    url_name="ticket_reply",
    summary="Reply to the customer",
)
@_conflict_shows_current
def ticket_reply_api(
    request: HttpRequest, ticket_id: int, payload: TicketReplyIn
) -> Status[MessageResult]:
    """A public reply, optionally moving the ticket on (`status_after`) in the same write."""
    user = _user_with_perm(request.user, Perm.REPLY_TICKET)
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    _check_version(ticket, payload.version)
    result = ticket_reply(
        ticket=ticket,
        actor=user,
        body=payload.body,
        files=payload.files(),
        status_after=payload.status_after,
    )
    return Status(201, result)


@router.post(
    "/{int:ticket_id}/note",
    response={201: TicketMessageOut},
    url_name="ticket_note",
    summary="Add an internal note",
)
def ticket_note_api(
    request: HttpRequest, ticket_id: int, payload: TicketNoteIn
) -> Status[MessageResult]:
    """A note for colleagues: never shown to the customer, changes no clock."""
    user = _user_with_perm(request.user, Perm.REPLY_TICKET)
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    result = ticket_note(ticket=ticket, actor=user, body=payload.body, files=payload.files())
    return Status(201, result)


# --- actions -------------------------------------------------------------------------------------


@router.post(
    "/{int:ticket_id}/transition",
    response=WRITE,
    url_name="ticket_transition",
    summary="Change the status",
)
@_conflict_shows_current
def ticket_transition_api(
    request: HttpRequest, ticket_id: int, payload: TicketTransitionIn
) -> Ticket:
    """Move the ticket along the status machine; a move it does not allow answers 409."""
    user = _user_with_perm(request.user, Perm.CHANGE_TICKET)
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    _check_version(ticket, payload.version)
    return ticket_transition(ticket=ticket, to=payload.to, actor=user, note=payload.note)


@router.post("/{int:ticket_id}/assign", response=WRITE, url_name="ticket_assign", summary="Assign")
@_conflict_shows_current
def ticket_assign_api(request: HttpRequest, ticket_id: int, payload: TicketAssignIn) -> Ticket:
    """Give the ticket to an agent (null: back to the queue); taking it from another agent is a
    supervisor's override."""
    user = _user_with_perm(request.user, Perm.ASSIGN_TICKET)
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    _check_version(ticket, payload.version)
    assignee = assignee_get(user_id=payload.assignee_id) if payload.assignee_id else None
    return ticket_assign(ticket=ticket, assignee=assignee, actor=user, reason=payload.reason)


@router.post(
    "/{int:ticket_id}/hand-off",
    response=WRITE,
    url_name="ticket_hand_off",
    summary="Hand off to the platform or the merchant",
)
@_conflict_shows_current
def ticket_hand_off_api(request: HttpRequest, ticket_id: int, payload: TicketHandOffIn) -> Ticket:
    """Pass the ticket to the other party with a reason the customer sees; after one bounce
    only a supervisor may."""
    user = _user_with_perm(request.user, Perm.CHANGE_TICKET)
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    _check_version(ticket, payload.version)
    return ticket_hand_off(
        ticket=ticket, to_party=payload.to_party, reason=payload.reason, actor=user
    )


# --- the customer's voice ------------------------------------------------------------------------


@router.post(
    "/{int:ticket_id}/rate", response=WRITE, url_name="ticket_rate", summary="Rate the service"
)
@_conflict_shows_current
def ticket_rate_api(request: HttpRequest, ticket_id: int, payload: TicketRateIn) -> Ticket:
    """The customer's rating (1-5) of a resolved or closed ticket, once."""
    user = _speaker_for_customer(request.user)
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    return ticket_rate(ticket=ticket, author=user, rating=payload.rating, comment=payload.comment)


@router.post(
    "/{int:ticket_id}/complain",
    response={200: TicketOut, 201: TicketOut},
    url_name="ticket_complain",
    summary="Complain about the handling",
)
def ticket_complain_api(
    request: HttpRequest, ticket_id: int, payload: TicketComplainIn
) -> Status[Ticket]:
    """Open a linked complaint for the supervisors (201), or return the one already open (200)."""
    user = _speaker_for_customer(request.user)
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    result = ticket_complain(ticket=ticket, author=user, body=payload.body)
    return Status(201 if result.created else 200, result.ticket)
