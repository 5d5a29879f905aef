"""Every read of chats, scoped to who asks: a customer sees their own chats, a widget visitor the
chat whose key they hold, agents with the chat permission all chats, merchant staff only the
chats of their merchant's widgets."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from shopdesk.accounts.models import Customer, User
from shopdesk.accounts.permissions import Perm
from shopdesk.chat import live
from shopdesk.chat.models import ChatMessage, ChatSession
from shopdesk.chat.states import OPEN_STATUSES, AuthorKind, ChatStatus
from shopdesk.core.errors import NotFound
from shopdesk.tickets.customer_timeline import TimelineEntry
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.selectors import ticket_scope_for_user

AnyUser = User | AnonymousUser
MESSAGE_PAGE: Final = 200


def _missing() -> NotFound:
    return NotFound(gettext("No such chat."))


def chat_session_for_customer(*, user: AnyUser, key: str) -> ChatSession:
    """A chat of the signed-in customer; NotFound for anyone else (or a widget chat)."""
    if not user.is_authenticated:
        raise _missing()
    found = ChatSession.objects.filter(key=key, customer__user_id=user.pk).first()
    if found is None:
        raise _missing()
    return found


def chat_portal_session_for_customer(*, customer: Customer) -> ChatSession | None:
    """The customer's newest portal chat (open or not), shown on the portal chat page."""
    return ChatSession.objects.filter(customer=customer, widget=None).order_by("-pk").first()


def chat_session_for_visitor(*, key: str) -> ChatSession:
    """A widget chat by its key, which the visitor holds as a bearer secret."""
    found = ChatSession.objects.filter(key=key, widget__isnull=False).first()
    if found is None or not key:
        raise _missing()
    return found


def chat_scope_for_agent(*, user: AnyUser) -> QuerySet[ChatSession]:
    if not user.is_authenticated or not user.has_perm(Perm.WORK_CHAT):
        return ChatSession.objects.none()
    qs = ChatSession.objects.all()
    merchant_id = getattr(user, "merchant_id", None)
    if merchant_id is not None:
        qs = qs.filter(merchant_id=merchant_id)
    return qs


def chat_session_for_agent(*, user: AnyUser, session_id: int) -> ChatSession:
    found = (
        chat_scope_for_agent(user=user)
        .select_related("customer", "agent", "ticket", "widget")
        .filter(pk=session_id)
        .first()
    )
    if found is None:
        raise _missing()
    return found


@dataclass(frozen=True)
class ConsoleRow:
    session: ChatSession
    waited_minutes: int
    unread: int
    is_late: bool


def chat_console_lists(
    *, user: User, now: datetime | None = None
) -> tuple[list[ConsoleRow], list[ConsoleRow]]:
    """(waiting chats oldest first, active chats newest activity first) the user may answer."""
    now = now or timezone.now()
    qs = chat_scope_for_agent(user=user).select_related("customer", "agent", "widget")
    waiting = qs.filter(status=ChatStatus.WAITING).order_by("created_at", "pk")[:100]
    active = qs.filter(status__in=[ChatStatus.ACTIVE, ChatStatus.BOT]).order_by(
        "-last_message_at", "-pk"
    )[:100]

    def row(s: ChatSession) -> ConsoleRow:
        return ConsoleRow(
            session=s,
            waited_minutes=int((now - s.created_at).total_seconds() // 60),
            unread=max(0, s.last_seq - s.agent_read_seq),
            is_late=s.first_reply_due_at is not None and s.first_reply_due_at < now,
        )

    return [row(s) for s in waiting], [row(s) for s in active]


def chat_messages_after(*, session: ChatSession, after: int) -> list[ChatMessage]:
    return list(
        ChatMessage.objects.filter(session_id=session.pk, seq__gt=after)
        .select_related("author")
        .order_by("seq")[:MESSAGE_PAGE]
    )


def chat_state(*, session: ChatSession, side: AuthorKind) -> dict[str, Any]:
    """What a viewer on `side` needs besides messages: status, read marks, the other typing."""
    other = AuthorKind.CUSTOMER if side == AuthorKind.AGENT else AuthorKind.AGENT
    return {
        "status": session.status,
        "is_open": session.status in OPEN_STATUSES,
        "read_by_customer": session.customer_read_seq,
        "read_by_agent": session.agent_read_seq,
        "typing": live.typing_get(session.pk, other),
        "ticket": session.ticket.number if session.ticket_id and session.ticket else "",
    }


def chat_customer_tickets(*, user: User, session: ChatSession, limit: int = 5) -> list[Ticket]:
    """The chat customer's newest tickets the agent may see, for the side panel."""
    if session.customer_id is None:
        return []
    return list(
        ticket_scope_for_user(user=user)
        .filter(customer_id=session.customer_id)
        .order_by("-created_at")[:limit]
    )


def chat_timeline_entries(customer: Customer, user: User, limit: int) -> list[TimelineEntry]:
    """The customer's chats for the customer timeline (source "chat"), newest first."""
    rows = (
        chat_scope_for_agent(user=user)
        .filter(customer=customer)
        .select_related("agent")
        .annotate(n=Count("messages"))
        .order_by("-created_at")[:limit]
    )
    entries = []
    for s in rows:
        if s.agent is not None:
            title = gettext("Chat with agent %(name)s (%(n)d messages)") % {
                "name": s.agent.get_full_name() or s.agent.get_username(),
                "n": s.n,
            }
        else:
            title = gettext("Chat (%(n)d messages)") % {"n": s.n}
        entries.append(
            TimelineEntry(
                at=s.created_at,
                kind="chat",
                title=title,
                detail=s.get_status_display(),
                url=reverse("chat:console-chat", args=[s.pk]),
                channel="chat",
            )
        )
    return entries
