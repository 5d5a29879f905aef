"""Posting a message: checks, the per-session rate limit, and the bot's turn."""

import logging
import math
from datetime import datetime
from typing import Final

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from shopdesk.accounts.models import User
from shopdesk.chat import live
from shopdesk.chat.bots import chat_bot
from shopdesk.chat.errors import ChatErrorCode, RateLimited
from shopdesk.chat.models import ChatMessage, ChatSession
from shopdesk.chat.services.base import MAX_MESSAGE_CHARS, message_append, window_start
from shopdesk.chat.services.sessions import chat_accept, chat_hand_over
from shopdesk.chat.states import HAND_OVER_WORDS, OPEN_STATUSES, AuthorKind, ChatStatus
from shopdesk.core.errors import DomainError
from shopdesk.tickets.services.attachments import IncomingFile, attachment_check

logger = logging.getLogger(__name__)

_PEOPLE: Final = frozenset({AuthorKind.CUSTOMER, AuthorKind.AGENT})


def _rate() -> tuple[int, float]:
    """(messages, seconds) one side of a chat may send at most."""
    count, seconds = getattr(settings, "SHOPDESK_CHAT_RATE_LIMIT", (10, 10.0))
    return int(count), float(seconds)


def _rate_check(session: ChatSession, kind: AuthorKind, now: datetime) -> None:
    # Counted on the stored messages, so every process and thread sees the same budget.
    limit, seconds = _rate()
    recent = list(
        ChatMessage.objects.filter(
            session=session, author_kind=kind, created_at__gt=window_start(now, seconds)
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return
    wait = max(1, math.ceil((recent[-1] - window_start(now, seconds)).total_seconds()))
    raise RateLimited(
        gettext("You are sending messages too fast: slow down and try again in %(n)d s.")
        % {"n": wait},
        retry_after=wait,
    )


def _checked_text(body: str, has_file: bool) -> str:
    text = body.replace("\r\n", "\n").strip()
    if not text and not has_file:
        raise DomainError(
            gettext("Write a message or attach a photo before sending."),
            code=ChatErrorCode.EMPTY_MESSAGE,
        )
    if len(text) > MAX_MESSAGE_CHARS:
        raise DomainError(
            gettext("The message is too long (%(n)d characters, at most %(max)d): split it.")
            % {"n": len(text), "max": MAX_MESSAGE_CHARS},
            code=ChatErrorCode.MESSAGE_TOO_LONG,
        )
    return text


def _checked_file(file: IncomingFile | None) -> tuple[str, str, bytes] | None:
    if file is None:
        return None
    content_type, reason = attachment_check(file)
    if content_type is None:
        raise DomainError(reason, code=ChatErrorCode.ATTACHMENT_REFUSED)
    name = (file.name or "photo").replace("/", "_").replace("\\", "_")[-200:]
    return name, content_type, file.content


def chat_post(
    *,
    session: ChatSession,
    author_kind: AuthorKind,
    body: str = "",
    author: User | None = None,
    file: IncomingFile | None = None,
    now: datetime | None = None,
) -> ChatMessage:
    """Add a message to an open chat (system messages also to an ended one). An agent writing
    in a waiting chat takes it; a customer's message in a bot chat goes to the bot.

    Raises:
        DomainError: empty or too long, refused attachment, chat ended.
        RateLimited: more than the allowed messages in the window (HTTP 429).
        ChatConflict: an agent writing in a waiting chat another agent took meanwhile.
    """
    now = now or timezone.now()
    text = _checked_text(body, file is not None)
    attachment = _checked_file(file)
    if author_kind != AuthorKind.SYSTEM and session.status not in OPEN_STATUSES:
        raise DomainError(
            gettext("This chat has ended. Start a new chat to write again."),
            code=ChatErrorCode.CLOSED,
        )
    if author_kind == AuthorKind.AGENT and author is not None:
        if session.status == ChatStatus.WAITING:
            session = chat_accept(session=session, agent=author, now=now)
        elif session.status == ChatStatus.BOT:
            session = chat_hand_over(session=session, reason="agent joined", now=now)
            session = chat_accept(session=session, agent=author, now=now)
    if author_kind in _PEOPLE:
        _rate_check(session, author_kind, now)
    with transaction.atomic():
        message = message_append(
            session=session,
            author_kind=author_kind,
            body=text,
            author=author,
            attachment=attachment,
            now=now,
        )
    if author_kind in _PEOPLE:
        live.typing_clear(session.pk, author_kind)
        live.revision_bump(session.pk)  # so streams drop the typing mark with the message
    if author_kind == AuthorKind.CUSTOMER and session.status == ChatStatus.BOT:
        _bot_turn(session, message)
    return message


def _bot_turn(session: ChatSession, message: ChatMessage) -> None:
    if message.body.strip().casefold() in HAND_OVER_WORDS:
        chat_hand_over(session=session, reason="customer asked for a person")
        return
    bot = chat_bot()
    if bot is None:
        chat_hand_over(session=session, reason="no assistant configured")
        return
    try:
        turn = bot.respond(session=session, message=message)
    except Exception:
        logger.exception("Chat bot failed on chat %s", session.pk)
        chat_hand_over(session=session, reason="assistant failed")
        return
    if turn is None:
        return
    if turn.text.strip():
        with transaction.atomic():
            message_append(
                session=session,
                author_kind=AuthorKind.BOT,
                body=turn.text.strip(),
                now=timezone.now(),
            )
    if turn.hand_over:
        chat_hand_over(
            session=session, reason=turn.reason or "assistant", classification=turn.classification
        )
