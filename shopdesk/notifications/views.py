"""The in-app inbox of the logged-in user (list, mark one read) and the unsubscribe page."""

from typing import Final

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shopdesk.accounts.models import User
from shopdesk.core.errors import NotFound
from shopdesk.notifications.selectors import notification_get_for_user, notification_list_for_user
from shopdesk.notifications.services import notification_mark_read
from shopdesk.notifications.unsubscribe import (
    email_resubscribe,
    email_suppress,
    unsubscribe_hash_from,
)

INBOX_SIZE: Final = 100


class AuthedRequest(HttpRequest):
    user: User


@require_GET
@login_required
def notification_inbox_view(request: AuthedRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    notifications = notification_list_for_user(user=request.user, unread_only=unread_only)
    context = {"notifications": list(notifications[:INBOX_SIZE]), "unread_only": unread_only}
    return render(request, "notifications/inbox.html", context)


@require_POST
@login_required
def notification_mark_read_view(request: AuthedRequest, notification_id: int) -> HttpResponse:
    try:
        notification = notification_get_for_user(user=request.user, notification_id=notification_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    notification_mark_read(notification=notification, user=request.user)
    return redirect("notifications:inbox")


@csrf_exempt  # the signed token is the authority; mail clients POST it (RFC 8058 one-click)
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for confirmation (link scanners only GET); POST unsubscribes. A bad token gets a
    page that says so, never an error page."""
    hashed = unsubscribe_hash_from(token)
    if hashed is None:
        return render(request, "notifications/unsubscribe.html", {"state": "invalid"}, status=400)
    if request.method == "POST":
        if request.POST.get("action") == "resubscribe":
            email_resubscribe(hashed=hashed)
            return render(request, "notifications/unsubscribe.html", {"state": "resubscribed"})
        email_suppress(hashed=hashed)
        return render(request, "notifications/unsubscribe.html", {"state": "done"})
    return render(request, "notifications/unsubscribe.html", {"state": "confirm"})
