from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from shopdesk.accounts.models import Customer, Team
from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import CustomerFactory, UserFactory
from shopdesk.chat import live
from shopdesk.chat.errors import ChatConflict, ChatErrorCode, RateLimited
from shopdesk.chat.models import ChatMessage, ChatSession
from shopdesk.chat.services import (
    chat_accept,
    chat_close,
    chat_convert_to_ticket,
    chat_mark_read,
    chat_post,
    chat_start,
    chat_typing,
    chats_convert_unanswered,
)
from shopdesk.chat.states import AuthorKind, ChatStatus
from shopdesk.chat.tests.factories import ChatSessionFactory, ChatWidgetFactory
from shopdesk.core import crypto
from shopdesk.core.errors import DomainError
from shopdesk.tickets.models import Category, Ticket
from shopdesk.tickets.services import IncomingFile
from shopdesk.tickets.states import Channel
from shopdesk.tickets.tests.factories import (
    BusinessCalendarFactory,
    SlaPolicyFactory,
)

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _bodies(session: ChatSession) -> list[str]:
    return list(session.messages.order_by("seq").values_list("body", flat=True))


def test_portal_start_waits_for_a_person_with_the_fallback_target() -> None:
    # given
    customer = CustomerFactory()
    now = timezone.now()
    # when
    session = chat_start(customer=customer, now=now)
    # then
    assert session.status == ChatStatus.WAITING
    assert session.customer == customer
    assert session.first_reply_due_at == now + timedelta(minutes=15)
    # a second start while it is open returns the same chat
    assert chat_start(customer=customer).pk == session.pk


def test_start_takes_the_first_reply_target_of_the_matching_sla_policy() -> None:
    # given
    SlaPolicyFactory(channels=[Channel.CHAT], first_reply_minutes=3)
    now = timezone.now()
    # when
    session = chat_start(customer=CustomerFactory(), now=now)
    # then
    assert session.first_reply_due_at == now + timedelta(minutes=3)


def test_widget_visitor_becomes_a_customer_with_encrypted_contact_and_is_matched_again() -> None:
    # given
    widget = ChatWidgetFactory(greeting_en="Hi from the shop")
    # when
    first = chat_start(
        widget=widget, visitor_name="Li Lei", visitor_email="Li@Example.com", language="en"
    )
    second = chat_start(widget=widget, visitor_name="Li", visitor_email="li@example.com")
    # then
    assert first.customer is not None
    assert first.customer == second.customer
    assert Customer.objects.filter(source="chat").count() == 1
    assert "Li@Example.com" not in first.visitor_contact_enc
    assert crypto.decrypt_str(first.customer.email_enc) == "Li@Example.com"
    assert first.visitor_contact_masked == "L***@Example.com"
    assert _bodies(first) == ["Hi from the shop"]


def test_widget_visitor_matched_to_an_existing_customer_by_phone() -> None:
    # given
    existing = CustomerFactory(phone="13812345678")
    # when
    session = chat_start(
        widget=ChatWidgetFactory(), visitor_name="张三", visitor_phone="+86 138 1234 5678"
    )
    # then
    assert session.customer == existing


@pytest.mark.parametrize(
    ("name", "email", "code"),
    [
        ("", "a@example.com", ChatErrorCode.NAME_REQUIRED),
        ("Ann", "", ChatErrorCode.CONTACT_REQUIRED),
    ],
)
def test_pre_chat_form_needs_name_and_contact(name: str, email: str, code: str) -> None:
    with pytest.raises(DomainError) as caught:
        chat_start(widget=ChatWidgetFactory(), visitor_name=name, visitor_email=email)
    assert caught.value.code == code
    assert not ChatSession.objects.exists()


def test_after_hours_start_tells_when_someone_answers_in_the_customers_language() -> None:
    # given: the service team works Mondays 09-18 only; now is Sunday noon in Shanghai
    calendar = BusinessCalendarFactory(
        is_24x7=False, weekly_hours={"0": [["09:00", "18:00"]]}, uses_china_holidays=False
    )
    Team.objects.update_or_create(code="service", defaults={"calendar": calendar})
    sunday = datetime(2026, 11, 22, 12, 0, tzinfo=SHANGHAI)
    # when
    zh = chat_start(customer=CustomerFactory(language="zh-hans"), now=sunday)
    en = chat_start(customer=CustomerFactory(), language="en", now=sunday)
    # then
    assert "2026-11-23 09:00" in _bodies(zh)[0]
    assert _bodies(en)[0].startswith("Our service team is off duty now")
    assert ChatMessage.objects.get(session=zh).author_kind == AuthorKind.SYSTEM
    # and the target counts business time: 15 minutes after Monday 09:00
    assert zh.first_reply_due_at == datetime(2026, 11, 23, 9, 15, tzinfo=SHANGHAI)


def test_messages_are_numbered_per_chat_and_an_agent_reply_takes_the_chat() -> None:
    # given
    session = ChatSessionFactory()
    agent = UserFactory(role=Role.AGENT)
    # when
    chat_post(session=session, author_kind=AuthorKind.CUSTOMER, body=" 你好 ")
    reply = chat_post(session=session, author_kind=AuthorKind.AGENT, body="您好", author=agent)
    # then
    session.refresh_from_db()
    assert session.status == ChatStatus.ACTIVE
    assert session.agent == agent
    assert session.first_agent_reply_at is not None
    assert reply.seq == session.last_seq == 3  # customer, "now answering", reply
    assert _bodies(session)[0] == "你好"
    assert session.agent_read_seq == 3


def test_rate_limit_refuses_the_eleventh_message_within_ten_seconds() -> None:
    # given
    session = ChatSessionFactory()
    now = timezone.now()
    for i in range(10):
        chat_post(
            session=session,
            author_kind=AuthorKind.CUSTOMER,
            body=f"m{i}",
            now=now + timedelta(seconds=i * 0.1),
        )
    # when
    with pytest.raises(RateLimited) as caught:
        chat_post(
            session=session,
            author_kind=AuthorKind.CUSTOMER,
            body="again",
            now=now + timedelta(seconds=2),
        )
    # then
    assert caught.value.status == 429
    assert caught.value.retry_after == 8
    assert "try again in 8 s" in caught.value.message
    assert session.messages.count() == 10
    # and after the window it is accepted again
    chat_post(
        session=session,
        author_kind=AuthorKind.CUSTOMER,
        body="later",
        now=now + timedelta(seconds=11),
    )
    assert session.messages.count() == 11


def test_two_agents_racing_for_a_chat_one_wins_the_other_is_told() -> None:
    # given: both agents loaded the waiting chat
    session = ChatSessionFactory()
    seen_by_a = ChatSession.objects.get(pk=session.pk)
    seen_by_b = ChatSession.objects.get(pk=session.pk)
    a, b = UserFactory(role=Role.AGENT, username="agent-a"), UserFactory(role=Role.AGENT)
    # when
    chat_accept(session=seen_by_a, agent=a)
    with pytest.raises(ChatConflict) as caught:
        chat_accept(session=seen_by_b, agent=b)
    # then
    assert caught.value.status == 409
    assert "agent-a has already taken this chat" in caught.value.message
    session.refresh_from_db()
    assert session.agent == a
    assert session.version == 3  # created 1, accepted +1, its system message +1
    # accepting again by the winner is harmless
    assert chat_accept(session=seen_by_a, agent=a).agent == a


def test_attachments_pass_the_ticket_checks() -> None:
    # given
    session = ChatSessionFactory()
    # when
    photo = chat_post(
        session=session, author_kind=AuthorKind.CUSTOMER, file=IncomingFile("a.png", PNG)
    )
    with pytest.raises(DomainError) as caught:
        chat_post(
            session=session,
            author_kind=AuthorKind.CUSTOMER,
            file=IncomingFile("x.exe", b"MZ\x00\x01\x02"),
        )
    # then
    assert photo.attachment_content_type == "image/png"
    assert photo.attachment_name == "a.png"
    assert caught.value.code == ChatErrorCode.ATTACHMENT_REFUSED
    assert session.messages.count() == 1


def test_closed_chat_refuses_messages() -> None:
    session = ChatSessionFactory(language="en")  # system messages speak the chat's language
    chat_close(session=session, actor=None)
    with pytest.raises(DomainError) as caught:
        chat_post(session=session, author_kind=AuthorKind.CUSTOMER, body="hi")
    assert caught.value.code == ChatErrorCode.CLOSED
    assert _bodies(session) == ["The chat has ended."]


def test_read_marks_only_move_forward_and_typing_lives_in_the_cache() -> None:
    # given
    session = ChatSessionFactory()
    for body in ("a", "b", "c"):
        chat_post(session=session, author_kind=AuthorKind.CUSTOMER, body=body)
    # when
    chat_mark_read(session=session, side=AuthorKind.AGENT, seq=3)
    chat_mark_read(session=session, side=AuthorKind.AGENT, seq=1)
    chat_mark_read(session=session, side=AuthorKind.AGENT, seq=99)
    before = live.revision_get(session.pk)
    chat_typing(session=session, side=AuthorKind.AGENT)
    # then
    session.refresh_from_db()
    assert session.agent_read_seq == 3
    assert live.typing_get(session.pk, AuthorKind.AGENT)
    assert not live.typing_get(session.pk, AuthorKind.CUSTOMER)
    assert live.revision_get(session.pk) == before + 1


def test_convert_to_ticket_keeps_the_transcript_and_tells_the_customer() -> None:
    # given
    session = ChatSessionFactory(hand_over_reason="refund request")
    chat_post(session=session, author_kind=AuthorKind.CUSTOMER, body="我的包裹破损了")
    agent = UserFactory(role=Role.AGENT)
    # when
    ticket = chat_convert_to_ticket(session=session, actor=agent)
    # then
    session.refresh_from_db()
    assert session.status == ChatStatus.CONVERTED
    assert session.ticket == ticket
    assert ticket.channel == Channel.CHAT
    description = ticket.events.get(type="message").body
    assert "我的包裹破损了" in description
    assert ticket.number in _bodies(session)[-1]
    with pytest.raises(DomainError):
        chat_convert_to_ticket(session=session, actor=agent)


def test_unanswered_chats_become_tickets_once_even_when_run_twice() -> None:
    # given
    now = timezone.now()
    late = ChatSessionFactory(first_reply_due_at=now - timedelta(minutes=1))
    chat_post(
        session=late,
        author_kind=AuthorKind.CUSTOMER,
        body="anyone?",
        now=now - timedelta(minutes=16),
    )
    ChatSessionFactory(first_reply_due_at=now + timedelta(minutes=5))  # not yet due
    answered = ChatSessionFactory(first_reply_due_at=now - timedelta(minutes=1))
    chat_post(
        session=answered,
        author_kind=AuthorKind.AGENT,
        body="hi",
        author=UserFactory(role=Role.AGENT),
    )
    # when
    first = chats_convert_unanswered(now=now)
    second = chats_convert_unanswered(now=now)
    # and a stale copy of the chat (another process) tries too
    with pytest.raises(DomainError):
        chat_convert_to_ticket(
            session=ChatSessionFactory.build(pk=late.pk, customer=late.customer, key=late.key),
            now=now,
        )
    # then
    assert (first, second) == (1, 0)
    late.refresh_from_db()
    assert late.status == ChatStatus.CONVERTED
    assert Ticket.objects.filter(channel=Channel.CHAT).count() == 1
    assert Ticket.objects.get().customer == late.customer


def test_bot_answers_then_hands_over_with_its_classification(settings) -> None:
    # given
    settings.SHOPDESK_CHAT_BOT = "shopdesk.chat.tests.bots_for_tests.EchoBot"
    session = chat_start(customer=CustomerFactory(), language="en")
    assert session.status == ChatStatus.BOT
    assert session.first_reply_due_at is None
    # when
    chat_post(session=session, author_kind=AuthorKind.CUSTOMER, body="hello")
    session.refresh_from_db()
    assert session.status == ChatStatus.BOT
    chat_post(session=session, author_kind=AuthorKind.CUSTOMER, body="I want a refund")
    # then
    session.refresh_from_db()
    assert session.status == ChatStatus.WAITING
    assert session.hand_over_reason == "refund request"
    assert session.bot_classification == {"intent": "refund", "confidence": 0.4}
    assert session.first_reply_due_at is not None
    kinds = list(session.messages.order_by("seq").values_list("author_kind", flat=True))
    assert kinds == ["customer", "bot", "customer", "bot", "system"]


@pytest.mark.parametrize("words", ["转人工", "人工", "Human", " agent "])
def test_customer_asking_for_a_person_hands_over_without_the_bot(settings, words: str) -> None:
    settings.SHOPDESK_CHAT_BOT = "shopdesk.chat.tests.bots_for_tests.EchoBot"
    session = chat_start(customer=CustomerFactory())
    chat_post(session=session, author_kind=AuthorKind.CUSTOMER, body=words)
    session.refresh_from_db()
    assert session.status == ChatStatus.WAITING
    assert session.hand_over_reason == "customer asked for a person"
    assert not session.messages.filter(author_kind=AuthorKind.BOT).exists()


def test_a_chat_that_cannot_become_a_ticket_stays_waiting_and_is_logged(caplog) -> None:
    # given: the intake refuses (the category "other" was switched off)
    Category.objects.filter(code="other").update(is_active=False)
    now = timezone.now()
    session = ChatSessionFactory(first_reply_due_at=now - timedelta(minutes=1))
    # when
    converted = chats_convert_unanswered(now=now)
    # then: nothing half-done, the next run tries again
    assert converted == 0
    session.refresh_from_db()
    assert session.status == ChatStatus.WAITING
    assert session.ticket is None
    assert not session.messages.exists()
    assert f"Chat {session.pk} could not become a ticket" in caplog.text
