"""What every console handler shares: the typed request, the role check, scoped loading."""

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django_htmx.middleware import HtmxDetails

from shopdesk.accounts.models import User
from shopdesk.accounts.permissions import Perm
from shopdesk.core.errors import NotFound
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.selectors import ticket_get_for_user

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)


class AuthedRequest(HttpRequest):
    user: User
    htmx: HtmxDetails


def console_view(*perms: Perm) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Log in first (anonymous → login page), then every permission or the 403 page.

    Customers hold no ticket permission: their pages are in the portal."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            request = args[0]
            assert isinstance(request, HttpRequest)  # noqa: S101 - narrows the type for mypy
            if not all(request.user.has_perm(p) for p in (Perm.VIEW_TICKET, *perms)):
                raise PermissionDenied
            return view(*args, **kwargs)

        return login_required(wrapped)

    return decorate


def visible_ticket(request: AuthedRequest, ticket_id: int) -> Ticket:
    """The ticket through the scoped selector; 404 when missing or not the user's to see."""
    try:
        return ticket_get_for_user(user=request.user, ticket_id=ticket_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
