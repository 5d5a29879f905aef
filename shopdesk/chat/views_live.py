"""The live endpoints of one chat, the same for the customer, the widget visitor and agents:
messages (poll and send), the server-sent event stream, typing, read marks, attachments.

The stream is a sync generator (threaded runserver in the demo, gunicorn gthread workers in
production): it polls the cache's revision of the chat every ~100 ms, re-reads the database on a
change and at least every 2 s (another process's cache), sends a heartbeat every 15 s and ends
after SHOPDESK_CHAT_STREAM_SECONDS (25) so the thread is freed; EventSource reconnects itself.
"""

import json
import time
from collections.abc import Iterator
from typing import Any, Final

from django.conf import settings
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext

from shopdesk.chat import live
from shopdesk.chat.access import Access, Resolver
from shopdesk.chat.errors import RateLimited
from shopdesk.chat.models import ChatMessage, ChatSession
from shopdesk.chat.selectors import chat_messages_after, chat_state
from shopdesk.chat.services import chat_mark_read, chat_post, chat_typing
from shopdesk.chat.states import AuthorKind
from shopdesk.core.errors import DomainError, NotFound
from shopdesk.tickets.services import IncomingFile

CHECK_SECONDS: Final = 0.1
DB_SECONDS: Final = 2.0
HEARTBEAT_SECONDS: Final = 15.0


def error_json(exc: DomainError) -> JsonResponse:
    response = JsonResponse({"detail": exc.message, "code": exc.code}, status=exc.status)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


def _author(message: ChatMessage, side: AuthorKind, session: ChatSession) -> str:
    kind = message.author_kind
    if kind == AuthorKind.AGENT:
        if message.author is None:
            return gettext("Agent")
        return message.author.get_full_name() or message.author.get_username()
    if kind == AuthorKind.CUSTOMER:
        if side == AuthorKind.CUSTOMER:
            return gettext("Me")
        return (
            session.visitor_name_masked
            or (session.customer.masked_name if session.customer else "")
            or gettext("Customer")
        )
    if kind == AuthorKind.BOT:
        return gettext("Assistant")
    return ""


def message_json(access: Access, message: ChatMessage) -> dict[str, Any]:
    attachment = ""
    if message.attachment_name:
        attachment = access.url("attachment", message.seq)
    return {
        "seq": message.seq,
        "kind": message.author_kind,
        "mine": message.author_kind == access.side,
        "author": _author(message, access.side, access.session),
        "body": message.body,
        "at": message.created_at.isoformat(),
        "time": timezone.localtime(message.created_at).strftime("%H:%M"),
        "attachment": attachment,
        "attachment_name": message.attachment_name,
        "is_image": message.attachment_content_type.startswith("image/"),
    }


def _after(request: HttpRequest) -> int:
    raw = request.headers.get("Last-Event-ID") or request.GET.get("after") or "0"
    try:
        return max(0, int(raw))
    except ValueError:
        return 0


def _resolve(resolver: Resolver, request: HttpRequest, **kwargs: Any) -> Access:
    try:
        return resolver(request, **kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def messages_endpoint(request: HttpRequest, resolver: Resolver, **kwargs: Any) -> HttpResponse:
    """GET ?after=SEQ: newer messages and the state (the polling fallback). POST: send one."""
    access = _resolve(resolver, request, **kwargs)
    if request.method == "POST":
        return _send(request, access)
    if request.method != "GET":
        return HttpResponse(status=405)
    session = access.session
    messages = chat_messages_after(session=session, after=_after(request))
    return JsonResponse(
        {
            "messages": [message_json(access, m) for m in messages],
            "state": chat_state(session=session, side=access.side),
        }
    )


def _send(request: HttpRequest, access: Access) -> HttpResponse:
    upload = request.FILES.get("file")
    file = IncomingFile(upload.name or "photo", upload.read()) if upload else None
    try:
        message = chat_post(
            session=access.session,
            author_kind=access.side,
            body=request.POST.get("body", ""),
            author=access.user if access.side == AuthorKind.AGENT else None,
            file=file,
        )
    except DomainError as exc:
        return error_json(exc)
    return JsonResponse(message_json(access, message), status=201)


def events_endpoint(request: HttpRequest, resolver: Resolver, **kwargs: Any) -> HttpResponseBase:
    """text/event-stream of new messages (id = seq) and state changes (typing, read, status)."""
    if request.method != "GET":
        return HttpResponse(status=405)
    access = _resolve(resolver, request, **kwargs)
    seconds = float(getattr(settings, "SHOPDESK_CHAT_STREAM_SECONDS", 25.0))
    response = StreamingHttpResponse(
        _stream(access, after=_after(request), seconds=seconds),
        content_type="text/event-stream",
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


def _event(name: str, data: dict[str, Any], event_id: int | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id is not None else ""
    payload = json.dumps(data, ensure_ascii=False)
    return f"{head}event: {name}\ndata: {payload}\n\n".encode()


def _stream(access: Access, *, after: int, seconds: float) -> Iterator[bytes]:
    session_id = access.session.pk
    start = time.monotonic()
    last_revision: int | None = None
    last_read = last_beat = start
    last_state: dict[str, Any] | None = None
    yield b"retry: 1000\n\n"
    while True:
        clock = time.monotonic()
        revision = live.revision_get(session_id)
        if revision != last_revision or clock - last_read >= DB_SECONDS:
            last_revision, last_read = revision, clock
            session = ChatSession.objects.select_related("ticket", "customer").get(pk=session_id)
            fresh = Access(session, access.side, access.user, access.prefix, access.args)
            for message in chat_messages_after(session=session, after=after):
                after = message.seq
                yield _event("message", message_json(fresh, message), event_id=message.seq)
            state = chat_state(session=session, side=access.side)
            if state != last_state:
                last_state = state
                yield _event("state", state)
        if clock - last_beat >= HEARTBEAT_SECONDS:
            last_beat = clock
            yield b": heartbeat\n\n"
        if clock - start >= seconds:
            return
        time.sleep(CHECK_SECONDS)


def typing_endpoint(request: HttpRequest, resolver: Resolver, **kwargs: Any) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    access = _resolve(resolver, request, **kwargs)
    chat_typing(session=access.session, side=access.side)
    return HttpResponse(status=204)


def read_endpoint(request: HttpRequest, resolver: Resolver, **kwargs: Any) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    access = _resolve(resolver, request, **kwargs)
    try:
        seq = int(request.POST.get("seq", "0"))
    except ValueError:
        seq = 0
    chat_mark_read(session=access.session, side=access.side, seq=seq)
    return HttpResponse(status=204)


def attachment_endpoint(
    request: HttpRequest, resolver: Resolver, seq: int, **kwargs: Any
) -> HttpResponseBase:
    access = _resolve(resolver, request, **kwargs)
    message = ChatMessage.objects.filter(session=access.session, seq=seq).first()
    if message is None or not message.attachment_name:
        raise Http404(gettext("No such attachment."))
    response = FileResponse(
        message.attachment.open("rb"), content_type=message.attachment_content_type
    )
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response
