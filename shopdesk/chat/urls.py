from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt

from shopdesk.chat import views, views_live
from shopdesk.chat.access import Resolver, agent_access, customer_access, visitor_access

app_name = "chat"

Endpoint = Callable[..., HttpResponseBase]


def _bind(endpoint: Endpoint, resolver: Resolver, *, exempt: bool = False) -> Endpoint:
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        return endpoint(request, resolver, **kwargs)

    # The widget visitor's chat key is a bearer secret, not a cookie: nothing to forge.
    return csrf_exempt(view) if exempt else view


def _live(prefix: str, route: str, resolver: Resolver, *, exempt: bool = False) -> list[URLPattern]:
    endpoints: dict[str, Endpoint] = {
        "messages": views_live.messages_endpoint,
        "events": views_live.events_endpoint,
        "typing": views_live.typing_endpoint,
        "read": views_live.read_endpoint,
    }
    patterns = [
        path(f"{route}{name}/", _bind(fn, resolver, exempt=exempt), name=f"{prefix}-{name}")
        for name, fn in endpoints.items()
    ]
    patterns.append(
        path(
            f"{route}attachments/<int:seq>/",
            _bind(views_live.attachment_endpoint, resolver, exempt=exempt),
            name=f"{prefix}-attachment",
        )
    )
    return patterns


urlpatterns: list[URLPattern] = [
    path("", views.chat_portal_view, name="portal"),
    path("start/", views.chat_portal_start_view, name="portal-start"),
    path("w/<str:widget_key>/", views.chat_widget_view, name="widget"),
    path("console/", views.chat_console_view, name="console"),
    path("console/<int:session_id>/", views.chat_console_chat_view, name="console-chat"),
    path("console/<int:session_id>/accept/", views.chat_accept_view, name="accept"),
    path("console/<int:session_id>/close/", views.chat_close_view, name="close"),
    path("console/<int:session_id>/convert/", views.chat_convert_view, name="convert"),
    *_live("c", "s/<str:key>/", customer_access),
    *_live("v", "v/<str:key>/", visitor_access, exempt=True),
    *_live("a", "console/<int:session_id>/", agent_access),
]
