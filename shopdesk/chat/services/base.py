"""What the chat services share: numbering messages under the session's lock, the first-reply
target and the service team's calendar, messages in the customer's language."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Final

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import translation

from shopdesk.accounts.models import Customer, Team, User
from shopdesk.chat import live
from shopdesk.chat.models import ChatMessage, ChatSession
from shopdesk.chat.states import AuthorKind
from shopdesk.core.business_time import WorkingCalendar, add_business_minutes
from shopdesk.tickets.models import Category, Ticket
from shopdesk.tickets.sla import policy_match, working_calendar_for
from shopdesk.tickets.states import Channel, Priority

SERVICE_TEAM_CODE: Final = "service"
FALLBACK_FIRST_REPLY_MINUTES: Final = 15
MAX_MESSAGE_CHARS: Final = 2000


def service_team() -> Team | None:
    return Team.objects.filter(code=SERVICE_TEAM_CODE).first()


def service_calendar(team: Team | None) -> WorkingCalendar:
    return working_calendar_for(policy=None, team=team)


def first_reply_due(*, customer: Customer | None, team: Team | None, now: datetime) -> datetime:
    """When a person must first answer: the SLA policy a chat ticket of this customer would get
    (category other, priority normal) on its calendar, else 15 minutes on the team's calendar."""
    if customer is None:
        return add_business_minutes(service_calendar(team), now, FALLBACK_FIRST_REPLY_MINUTES)
    probe = Ticket(
        channel=Channel.CHAT,
        customer=customer,
        category=Category(code="other"),
        priority=Priority.NORMAL,
    )
    policy = policy_match(ticket=probe)
    calendar = working_calendar_for(policy=policy, team=team)
    minutes = policy.first_reply_minutes if policy else FALLBACK_FIRST_REPLY_MINUTES
    return add_business_minutes(calendar, now, minutes)


def in_language(language: str, make: Callable[[], str]) -> str:
    """A message made in the customer's language, whatever language the request is in."""
    with translation.override(language or "zh-hans"):
        return make()


def message_append(
    *,
    session: ChatSession,
    author_kind: AuthorKind,
    body: str,
    now: datetime,
    author: User | None = None,
    attachment: tuple[str, str, bytes] | None = None,
) -> ChatMessage:
    """Number and store one message. Caller holds a transaction; the session row is locked
    here (select_for_update) so two writers never take the same seq."""
    locked = ChatSession.objects.select_for_update().only("pk", "last_seq").get(pk=session.pk)
    message = ChatMessage(
        session=session,
        seq=locked.last_seq + 1,
        author_kind=author_kind,
        author=author,
        body=body,
        created_at=now,
    )
    if attachment is not None:
        name, content_type, content = attachment
        message.attachment_name = name
        message.attachment_content_type = content_type
        message.attachment.save(name, ContentFile(content), save=False)
    message.save()
    changes: dict[str, object] = {
        "last_seq": message.seq,
        "last_message_at": now,
        "version": F("version") + 1,
        "updated_at": now,
    }
    if author_kind == AuthorKind.AGENT:
        changes["agent_read_seq"] = message.seq  # writing means having read what came before
    elif author_kind == AuthorKind.CUSTOMER:
        changes["customer_read_seq"] = message.seq
    ChatSession.objects.filter(pk=session.pk).update(**changes)
    if author_kind == AuthorKind.AGENT:
        ChatSession.objects.filter(pk=session.pk, first_agent_reply_at__isnull=True).update(
            first_agent_reply_at=now
        )
    session.last_seq, session.last_message_at = message.seq, now
    changed_on_commit(session.pk)
    return message


def changed_on_commit(session_id: int) -> None:
    transaction.on_commit(lambda: live.revision_bump(session_id))


def window_start(now: datetime, seconds: float) -> datetime:
    return now - timedelta(seconds=seconds)
