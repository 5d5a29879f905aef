"""The bot interface of live chat: the assistant plugs in here.

Contract
--------
Set ``SHOPDESK_CHAT_BOT`` to the dotted path of a class (instantiated once per process with
no arguments) or of a ready object that has::

    def respond(self, *, session: ChatSession, message: ChatMessage) -> BotTurn | None

- With no bot (the default, ``None``) chats start ``waiting`` for a person.
- With a bot, chats start in ``bot``. Every customer message of a chat in ``bot`` is passed to
  ``respond`` after it is stored (outside the write transaction: the bot may be slow but must
  not write to chat rows itself). ``message.body`` is the customer's text; earlier messages are
  ``session.messages.order_by("seq")``.
- A returned ``BotTurn`` with ``text`` is posted as a bot message. With ``hand_over=True`` the
  chat then goes to a person (``chat_hand_over``): ``reason`` (one line, shown to agents) and
  ``classification`` (JSON-serialisable, e.g. ``{"intent": "refund", "confidence": 0.4}``) are
  kept on the session and travel into the ticket if the chat becomes one.
- ``None`` means "nothing to say"; the chat stays with the bot.
- The customer writing 转人工 / 人工 / human / agent hands over without asking the bot.
- A bot that raises is logged and the chat is handed over (reason "assistant failed"), so a
  broken bot never leaves a customer without an answer.
"""

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from shopdesk.chat.models import ChatMessage, ChatSession


@dataclass(frozen=True)
class BotTurn:
    text: str
    hand_over: bool = False
    reason: str = ""
    classification: dict[str, Any] = field(default_factory=dict)


class ChatBot(Protocol):
    def respond(self, *, session: "ChatSession", message: "ChatMessage") -> BotTurn | None: ...


@cache
def _load(path: str) -> ChatBot:
    # A setting names the bot, so the assistant app plugs in without chat importing it.
    found = import_string(path)
    return found() if isinstance(found, type) else found  # type: ignore[no-any-return]


def chat_bot() -> ChatBot | None:
    """The configured bot, or None when chats go straight to people."""
    path = getattr(settings, "SHOPDESK_CHAT_BOT", None)
    return _load(path) if path else None
