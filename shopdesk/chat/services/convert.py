"""A chat becomes a ticket: on an agent's request, or when nobody answered it in time."""

import logging
from datetime import datetime
from typing import Final

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from shopdesk.accounts.models import User
from shopdesk.chat.errors import ChatConflict, ChatErrorCode
from shopdesk.chat.models import ChatMessage, ChatSession
from shopdesk.chat.services.base import in_language, message_append
from shopdesk.chat.states import OPEN_STATUSES, AuthorKind, ChatStatus
from shopdesk.core.errors import DomainError
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.services import TicketIntake, ticket_create
from shopdesk.tickets.states import Channel

logger = logging.getLogger(__name__)

_WHO: Final = {
    AuthorKind.CUSTOMER: "Customer / 顾客",
    AuthorKind.AGENT: "Agent / 客服",
    AuthorKind.BOT: "Assistant / 机器人",
    AuthorKind.SYSTEM: "System / 系统",
}
TRANSCRIPT_MAX_CHARS: Final = 9000


def chat_transcript(session: ChatSession) -> str:
    """The chat as plain text, oldest first, one message a line (the ticket's description)."""
    lines = []
    for message in ChatMessage.objects.filter(session=session).order_by("seq"):
        when = timezone.localtime(message.created_at).strftime("%H:%M")
        text = message.body or ""
        if message.attachment_name:
            text = f"{text} [{message.attachment_name}]".strip()
        lines.append(f"[{when}] {_WHO[AuthorKind(message.author_kind)]}: {text}")
    text = "\n".join(lines)
    if len(text) > TRANSCRIPT_MAX_CHARS:
        text = "…\n" + text[-TRANSCRIPT_MAX_CHARS:]
    return text or "(empty chat)"


def chat_convert_to_ticket(
    *, session: ChatSession, actor: User | None = None, now: datetime | None = None
) -> Ticket:
    """Make the open chat a ticket (channel chat, the transcript as description) and tell the
    customer its number and when they will hear back. Exactly once: the status is compared and
    set first, so a second caller (another process) gets the conflict instead of a 2nd ticket.

    Raises:
        ChatConflict: the chat has ended or already became a ticket (another run won).
        DomainError: the chat has no customer, or the ticket intake refused it.
    """
    now = now or timezone.now()
    if session.customer_id is None:
        raise DomainError(
            gettext("This chat has no customer yet, so it cannot become a ticket."),
            code=ChatErrorCode.NOT_CONVERTIBLE,
        )
    with transaction.atomic():
        claimed = ChatSession.objects.filter(pk=session.pk, status__in=OPEN_STATUSES).update(
            status=ChatStatus.CONVERTED, closed_at=now, version=F("version") + 1, updated_at=now
        )
        if not claimed:
            raise ChatConflict(
                gettext("This chat has already ended or become a ticket."),
                code=ChatErrorCode.NOT_CONVERTIBLE,
            )
        assert session.customer is not None  # noqa: S101 - checked above, narrows for mypy
        result = ticket_create(
            intake=TicketIntake(
                channel=Channel.CHAT,
                customer=session.customer,
                category_code="other",
                description=chat_transcript(session),
                language=session.language,
                actor=actor,
                intake_key=f"chat-{session.key}",
                data={
                    "chat": session.pk,
                    "hand_over_reason": session.hand_over_reason,
                    "classification": session.bot_classification,
                },
            ),
            now=now,
        )
        ticket = result.ticket
        ChatSession.objects.filter(pk=session.pk).update(ticket=ticket)
        message_append(
            session=session,
            author_kind=AuthorKind.SYSTEM,
            body=_ticket_notice(session, ticket),
            now=now,
        )
    session.status, session.ticket = ChatStatus.CONVERTED, ticket
    return ticket


def _ticket_notice(session: ChatSession, ticket: Ticket) -> str:
    due = ticket.first_reply_due_at
    if due is None:
        return in_language(
            session.language,
            lambda: (
                gettext("We made your request ticket %(number)s; we will reply soon.")
                % {"number": ticket.number}
            ),
        )
    when = timezone.localtime(due).strftime("%Y-%m-%d %H:%M")
    return in_language(
        session.language,
        lambda: (
            gettext(
                "We made your request ticket %(number)s. An agent will reply by %(when)s; you can "
                "follow it under My tickets."
            )
            % {"number": ticket.number, "when": when}
        ),
    )


def chats_convert_unanswered(*, now: datetime | None = None, batch: int = 100) -> int:
    """The periodic job: waiting chats past their first-reply target with no agent reply become
    tickets. Idempotent and safe in two processes at once (each chat is claimed by
    compare-and-set). Returns how many it converted."""
    now = now or timezone.now()
    due = list(
        ChatSession.objects.filter(
            status=ChatStatus.WAITING,
            first_reply_due_at__lte=now,
            first_agent_reply_at__isnull=True,
            customer__isnull=False,
        )
        .select_related("customer")
        .order_by("first_reply_due_at")[:batch]
    )
    converted = 0
    for session in due:
        try:
            chat_convert_to_ticket(session=session, now=now)
        except ChatConflict:
            continue  # taken by an agent or another run meanwhile
        except DomainError as exc:
            # The chat stays waiting and is tried again next run; say why it is stuck.
            logger.warning("Chat %s could not become a ticket: %s", session.pk, exc.message)
            continue
        converted += 1
    return converted
