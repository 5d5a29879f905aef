"""Chat pages: the portal chat, the widget page (meant for an iframe) and the agent console."""

from typing import Any, Final

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shopdesk.accounts.models import User
from shopdesk.accounts.permissions import Perm
from shopdesk.chat.access import Access, agent_access, customer_access, visitor_access
from shopdesk.chat.models import ChatSession, ChatWidget
from shopdesk.chat.selectors import (
    chat_console_lists,
    chat_customer_tickets,
    chat_portal_session_for_customer,
    chat_session_for_visitor,
)
from shopdesk.chat.services import (
    chat_accept,
    chat_close,
    chat_convert_to_ticket,
    chat_start,
)
from shopdesk.chat.states import OPEN_STATUSES, ChatStatus
from shopdesk.core.errors import DomainError, NotFound
from shopdesk.portal.selectors import portal_customer_for_user

WIDGET_COOKIE_SALT: Final = "shopdesk.chat.widget"
WIDGET_COOKIE_AGE: Final = 7 * 24 * 3600


class AuthedRequest(HttpRequest):
    user: User


def _box(access: Access) -> dict[str, Any]:
    """What the chat box template and chat.js need."""
    return {
        "session": access.session,
        "side": access.side,
        "urls": access.urls(),
        "is_open": access.session.status in OPEN_STATUSES,
    }


# --- Portal ---------------------------------------------------------------------------------


@require_GET
def chat_portal_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("portal:login")
    customer = portal_customer_for_user(user=request.user)
    if customer is None:
        return render(request, "portal/not_customer.html", status=403)
    session = chat_portal_session_for_customer(customer=customer)
    context: dict[str, Any] = {"customer": customer, "session": session}
    if session is not None:
        context.update(_box(customer_access(request, session.key)))
    return render(request, "chat/portal.html", context)


@require_POST
def chat_portal_start_view(request: HttpRequest) -> HttpResponse:
    customer = portal_customer_for_user(user=request.user)
    if customer is None:
        return redirect("portal:login")
    chat_start(customer=customer, language=request.LANGUAGE_CODE)
    return redirect("chat:portal")


# --- Widget ---------------------------------------------------------------------------------


def _frame_ancestors(response: HttpResponse, widget: ChatWidget) -> HttpResponse:
    origins = " ".join(o for o in widget.allowed_origins if isinstance(o, str) and "'" not in o)
    response["Content-Security-Policy"] = f"frame-ancestors 'self' {origins}".strip()
    return response


def _widget_session(request: HttpRequest, widget: ChatWidget) -> ChatSession | None:
    raw = request.get_signed_cookie(
        f"chat_w_{widget.pk}", default="", salt=WIDGET_COOKIE_SALT, max_age=WIDGET_COOKIE_AGE
    )
    try:
        session = chat_session_for_visitor(key=raw or "")
    except NotFound:
        return None
    return session if session.widget_id == widget.pk else None


@csrf_exempt  # framed by a shop's site: its cookies are third-party, the key is the secret
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def chat_widget_view(request: HttpRequest, widget_key: str) -> HttpResponse:
    widget = ChatWidget.objects.filter(key=widget_key, is_active=True).first()
    if widget is None:
        raise Http404("No such chat widget.")
    # The shop's page may choose the language (widget.js data-lang): ?lang=en or zh-hans.
    lang = request.GET.get("lang", "")
    if lang in {code for code, _ in settings.LANGUAGES}:
        with translation.override(lang):
            request.LANGUAGE_CODE = lang
            return _widget_page(request, widget)
    return _widget_page(request, widget)


def _widget_page(request: HttpRequest, widget: ChatWidget) -> HttpResponse:
    context: dict[str, Any] = {"widget": widget, "error": "", "form": request.POST}
    session = _widget_session(request, widget)
    if request.method == "POST" and request.POST.get("restart"):
        session = None
    elif request.method == "POST":
        try:
            session = chat_start(
                widget=widget,
                visitor_name=request.POST.get("name", ""),
                visitor_email=request.POST.get("email", ""),
                visitor_phone=request.POST.get("phone", ""),
                language=request.LANGUAGE_CODE,
            )
        except DomainError as exc:
            context["error"] = exc.message
    if session is not None:
        context.update(_box(visitor_access(request, session.key)))
    response = render(request, "chat/widget.html", context, status=400 if context["error"] else 200)
    if session is not None:
        response.set_signed_cookie(
            f"chat_w_{widget.pk}",
            session.key,
            salt=WIDGET_COOKIE_SALT,
            max_age=WIDGET_COOKIE_AGE,
            httponly=True,
            secure=request.is_secure(),
            samesite="None" if request.is_secure() else "Lax",
        )
    return _frame_ancestors(response, widget)


# --- Console --------------------------------------------------------------------------------


def _console_gate(request: HttpRequest) -> None:
    if not request.user.has_perm(Perm.WORK_CHAT):
        raise PermissionDenied


@login_required
@require_GET
def chat_console_view(request: AuthedRequest) -> HttpResponse:
    _console_gate(request)
    waiting, active = chat_console_lists(user=request.user)
    template = "chat/console.html"
    if request.headers.get("HX-Request"):
        template += "#lists"
    return render(request, template, {"waiting": waiting, "active": active})


def _agent_chat(request: AuthedRequest, session_id: int) -> Access:
    _console_gate(request)
    try:
        return agent_access(request, session_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@require_GET
def chat_console_chat_view(request: AuthedRequest, session_id: int) -> HttpResponse:
    access = _agent_chat(request, session_id)
    context = _box(access)
    context["tickets"] = chat_customer_tickets(user=request.user, session=access.session)
    context["can_accept"] = access.session.status == ChatStatus.WAITING
    context["error"] = request.GET.get("error", "")
    return render(request, "chat/console_chat.html", context)


def _act(request: AuthedRequest, session_id: int, action: str) -> HttpResponse:
    access = _agent_chat(request, session_id)
    session = access.session
    try:
        if action == "accept":
            chat_accept(session=session, agent=request.user)
        elif action == "close":
            chat_close(session=session, actor=request.user)
        else:
            chat_convert_to_ticket(session=session, actor=request.user)
    except DomainError as exc:
        context = {**_box(access), "error": exc.message}
        context["tickets"] = chat_customer_tickets(user=request.user, session=session)
        return render(request, "chat/console_chat.html", context, status=exc.status)
    return redirect("chat:console-chat", session_id)


@login_required
@require_POST
def chat_accept_view(request: AuthedRequest, session_id: int) -> HttpResponse:
    return _act(request, session_id, "accept")


@login_required
@require_POST
def chat_close_view(request: AuthedRequest, session_id: int) -> HttpResponse:
    return _act(request, session_id, "close")


@login_required
@require_POST
def chat_convert_view(request: AuthedRequest, session_id: int) -> HttpResponse:
    return _act(request, session_id, "convert")
