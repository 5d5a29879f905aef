"""Starting, taking, handing over and closing chats; read marks and typing."""

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from shopdesk.accounts.models import Customer, User
from shopdesk.accounts.services import CustomerContact, customer_upsert
from shopdesk.chat import live
from shopdesk.chat.bots import chat_bot
from shopdesk.chat.errors import ChatConflict, ChatErrorCode
from shopdesk.chat.models import ChatSession, ChatWidget, new_key
from shopdesk.chat.services.base import (
    changed_on_commit,
    first_reply_due,
    in_language,
    message_append,
    service_calendar,
    service_team,
)
from shopdesk.chat.states import OPEN_STATUSES, AuthorKind, ChatStatus
from shopdesk.core import crypto
from shopdesk.core.business_time import is_open, next_open
from shopdesk.core.errors import DomainError


def _language(value: str) -> str:
    return "en" if value.lower().startswith("en") else "zh-hans"


def _visitor_customer(*, name: str, email: str, phone: str, language: str) -> Customer:
    """The customer with this e-mail or phone (keyed hash), else a new one made from the form."""
    name, email, phone = name.strip(), email.strip(), phone.strip()
    if not name:
        raise DomainError(
            gettext("Tell us your name so the agent knows how to address you."),
            code=ChatErrorCode.NAME_REQUIRED,
        )
    if not email and not phone:
        raise DomainError(
            gettext("Give an e-mail address or a phone number so we can reach you later."),
            code=ChatErrorCode.CONTACT_REQUIRED,
        )
    by_email = crypto.lookup_hash(crypto.normalise_text(email))
    by_phone = crypto.lookup_hash(crypto.normalise_phone(phone))
    for field, value in (("email_hash", by_email), ("phone_hash", by_phone)):
        if value:
            found = Customer.objects.filter(**{field: value}).order_by("pk").first()
            if found is not None:
                return found
    return customer_upsert(
        source="chat",
        external_id=new_key()[:20],
        contact=CustomerContact(name=name, email=email, phone=phone),
        language=language,
    )


def chat_start(
    *,
    customer: Customer | None = None,
    widget: ChatWidget | None = None,
    visitor_name: str = "",
    visitor_email: str = "",
    visitor_phone: str = "",
    language: str = "zh-hans",
    now: datetime | None = None,
) -> ChatSession:
    """Open a chat for a signed-in customer (their open chat if they have one) or a widget
    visitor identified by the pre-chat form; tells the customer when we are closed.

    Raises:
        DomainError: inactive widget, missing name or contact.
    """
    now = now or timezone.now()
    language = _language(language)
    if widget is not None and not widget.is_active:
        raise DomainError(
            gettext("This chat is switched off. Please contact the shop another way."),
            code=ChatErrorCode.WIDGET_INACTIVE,
        )
    if customer is None:
        customer = _visitor_customer(
            name=visitor_name, email=visitor_email, phone=visitor_phone, language=language
        )
    elif widget is None:
        existing = (
            ChatSession.objects.filter(customer=customer, widget=None, status__in=OPEN_STATUSES)
            .order_by("-pk")
            .first()
        )
        if existing is not None:
            return existing
    team = service_team()
    with_bot = chat_bot() is not None
    with transaction.atomic():
        session = ChatSession.objects.create(
            customer=customer,
            visitor_name_enc=crypto.encrypt_str(visitor_name.strip()),
            visitor_contact_enc=crypto.encrypt_str((visitor_email or visitor_phone).strip()),
            widget=widget,
            merchant=widget.merchant if widget else None,
            language=language,
            status=ChatStatus.BOT if with_bot else ChatStatus.WAITING,
            first_reply_due_at=None
            if with_bot
            else first_reply_due(customer=customer, team=team, now=now),
            last_message_at=now,
        )
        greeting = _greeting(widget, language)
        if greeting:
            message_append(session=session, author_kind=AuthorKind.SYSTEM, body=greeting, now=now)
        notice = _after_hours_notice(session, now)
        if notice:
            message_append(session=session, author_kind=AuthorKind.SYSTEM, body=notice, now=now)
    return session


def _greeting(widget: ChatWidget | None, language: str) -> str:
    if widget is None:
        return ""
    return widget.greeting_en if language == "en" else widget.greeting_zh


def _after_hours_notice(session: ChatSession, now: datetime) -> str:
    calendar = service_calendar(service_team())
    if is_open(calendar, now):
        return ""
    opens = next_open(calendar, now)
    return in_language(
        session.language,
        lambda: (
            gettext(
                "Our service team is off duty now. An agent will answer from %(when)s; leave your "
                "message here and we will reply then."
            )
            % {"when": opens.strftime("%Y-%m-%d %H:%M")}
        ),
    )


def chat_accept(*, session: ChatSession, agent: User, now: datetime | None = None) -> ChatSession:
    """An agent takes a waiting chat; of two agents racing, one wins.

    Raises:
        ChatConflict: another agent took it first, or it is no longer waiting.
    """
    now = now or timezone.now()
    with transaction.atomic():
        taken = ChatSession.objects.filter(pk=session.pk, status=ChatStatus.WAITING).update(
            status=ChatStatus.ACTIVE, agent=agent, version=F("version") + 1, updated_at=now
        )
        if not taken:
            current = ChatSession.objects.select_related("agent").get(pk=session.pk)
            if current.status == ChatStatus.ACTIVE and current.agent_id == agent.pk:
                return current
            if current.status == ChatStatus.ACTIVE and current.agent is not None:
                raise ChatConflict(
                    gettext("%(name)s has already taken this chat. Pick another waiting chat.")
                    % {"name": current.agent.get_username()}
                )
            raise ChatConflict(
                gettext("This chat is %(status)s, not waiting: nobody can take it now.")
                % {"status": current.get_status_display()},
                code=ChatErrorCode.NOT_WAITING,
            )
        name = agent.get_full_name() or agent.get_username()
        message_append(
            session=session,
            author_kind=AuthorKind.SYSTEM,
            body=in_language(
                session.language,
                lambda: gettext("%(name)s is now answering you.") % {"name": name},
            ),
            now=now,
        )
    return ChatSession.objects.get(pk=session.pk)


def chat_hand_over(
    *,
    session: ChatSession,
    reason: str,
    classification: dict[str, object] | None = None,
    now: datetime | None = None,
) -> ChatSession:
    """The bot passes the chat to a person (转人工): the first-reply clock starts now; the reason
    and the bot's classification stay on the session. A chat not with the bot is unchanged."""
    now = now or timezone.now()
    due = first_reply_due(customer=session.customer, team=service_team(), now=now)
    with transaction.atomic():
        moved = ChatSession.objects.filter(pk=session.pk, status=ChatStatus.BOT).update(
            status=ChatStatus.WAITING,
            hand_over_reason=reason[:200],
            bot_classification=classification or {},
            first_reply_due_at=due,
            version=F("version") + 1,
            updated_at=now,
        )
        if moved:
            message_append(
                session=session,
                author_kind=AuthorKind.SYSTEM,
                body=in_language(
                    session.language,
                    lambda: gettext("We are passing you to an agent. Please wait a moment."),
                ),
                now=now,
            )
    return ChatSession.objects.get(pk=session.pk)


def chat_close(*, session: ChatSession, actor: User | None, now: datetime | None = None) -> None:
    """End an open chat; closing a closed or converted chat changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        closed = ChatSession.objects.filter(pk=session.pk, status__in=OPEN_STATUSES).update(
            status=ChatStatus.CLOSED, closed_at=now, version=F("version") + 1, updated_at=now
        )
        if closed:
            message_append(
                session=session,
                author_kind=AuthorKind.SYSTEM,
                body=in_language(session.language, lambda: gettext("The chat has ended.")),
                now=now,
            )
    session.status = ChatStatus.CLOSED


def chat_mark_read(*, session: ChatSession, side: AuthorKind, seq: int) -> None:
    """Move one side's read mark forward (never back) to `seq`; marks are monotonic, so no
    version check is needed and a late, older mark is simply ignored."""
    field = "agent_read_seq" if side == AuthorKind.AGENT else "customer_read_seq"
    with transaction.atomic():
        moved = ChatSession.objects.filter(
            pk=session.pk, last_seq__gte=seq, **{f"{field}__lt": seq}
        ).update(**{field: seq})
        if moved:
            changed_on_commit(session.pk)


def chat_typing(*, session: ChatSession, side: AuthorKind) -> None:
    """Show the other side that this side is typing, for a few seconds; no database write."""
    live.typing_set(session.pk, side)
    live.revision_bump(session.pk)
