"""Who is asking about a chat, decided once per request: the signed-in customer, the widget
visitor holding the chat's key, or a person with the chat permission (merchant staff scoped).

Each kind of access loads the session through its selector and knows the URLs of its own
endpoints, so the live endpoints (views_live.py) are written once for all three.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from shopdesk.accounts.models import User
from shopdesk.chat.models import ChatSession
from shopdesk.chat.selectors import (
    chat_session_for_agent,
    chat_session_for_customer,
    chat_session_for_visitor,
)
from shopdesk.chat.states import AuthorKind


@dataclass(frozen=True)
class Access:
    session: ChatSession
    side: AuthorKind
    user: User | None  # the agent writing, or the customer's login
    prefix: str  # URL name prefix of this access's endpoints
    args: tuple[Any, ...]

    def url(self, name: str, *extra: Any) -> str:
        return reverse(f"chat:{self.prefix}-{name}", args=[*self.args, *extra])

    def urls(self) -> dict[str, str]:
        return {n: self.url(n) for n in ("messages", "events", "typing", "read")}


Resolver = Callable[..., Access]


def customer_access(request: HttpRequest, key: str) -> Access:
    session = chat_session_for_customer(user=request.user, key=key)
    user = request.user if isinstance(request.user, User) else None
    return Access(session, AuthorKind.CUSTOMER, user, "c", (key,))


def visitor_access(request: HttpRequest, key: str) -> Access:
    return Access(chat_session_for_visitor(key=key), AuthorKind.CUSTOMER, None, "v", (key,))


def agent_access(request: HttpRequest, session_id: int) -> Access:
    session = chat_session_for_agent(user=request.user, session_id=session_id)
    user = request.user if isinstance(request.user, User) else None
    return Access(session, AuthorKind.AGENT, user, "a", (session_id,))
