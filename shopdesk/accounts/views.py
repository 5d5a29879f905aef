"""Account pages beyond Django's login: the agent's online/away switch."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from shopdesk.accounts.models import User
from shopdesk.accounts.presence import agent_presence_set, agent_presence_touch


@login_required
@require_POST
def agent_presence_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees it
    online = request.POST.get("online") == "1"
    if agent_presence_set(user=user, online=online):
        messages.success(
            request,
            gettext("You are online: new tickets can be assigned to you.")
            if online
            else gettext("You are away: no new tickets will be assigned to you."),
        )
    else:
        messages.error(request, gettext("Only agents with an agent profile can go online."))
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return HttpResponseRedirect(target)


@login_required
@require_POST
def agent_heartbeat_view(request: HttpRequest) -> HttpResponse:
    """The open console says the agent is still there (204, no content)."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees it
    agent_presence_touch(user=user)
    return HttpResponse(status=204)
