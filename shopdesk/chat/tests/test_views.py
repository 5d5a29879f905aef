import json

import pytest
from django.test import Client
from django.urls import reverse

from shopdesk.accounts.models import User
from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import CustomerFactory, MerchantFactory, UserFactory
from shopdesk.chat.models import ChatMessage, ChatSession
from shopdesk.chat.services import chat_convert_to_ticket, chat_post, chat_start, chat_typing
from shopdesk.chat.states import AuthorKind, ChatStatus
from shopdesk.chat.tests.factories import ChatSessionFactory, ChatWidgetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat_of_customer(customer_user: User) -> ChatSession:
    session = ChatSessionFactory(customer=customer_user.customer)
    chat_post(session=session, author_kind=AuthorKind.CUSTOMER, body="<b>where is my parcel</b>")
    return session


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _other_customer() -> User:
    user = UserFactory()
    CustomerFactory(user=user)
    return user


def test_portal_page_roles(customer_user: User, agent: User) -> None:
    url = reverse("chat:portal")
    assert _client(None).get(url).status_code == 302
    assert _client(agent).get(url).status_code == 403
    page = _client(customer_user).get(url)
    assert page.status_code == 200
    assert b"chat-start" in page.content


def test_portal_start_opens_one_chat(customer_user: User) -> None:
    client = _client(customer_user)
    client.post(reverse("chat:portal-start"))
    client.post(reverse("chat:portal-start"))
    session = ChatSession.objects.get()
    assert session.customer == customer_user.customer
    page = client.get(reverse("chat:portal"))
    assert reverse("chat:c-events", args=[session.key]).encode() in page.content


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 404), ("other_customer", 404), ("agent", 404), ("customer", 200)],
)
def test_customer_endpoints_role_matrix(
    chat_of_customer: ChatSession, customer_user: User, agent: User, who: str, status: int
) -> None:
    # given
    user = {"anonymous": None, "other_customer": _other_customer(), "agent": agent}.get(
        who, customer_user
    )
    client = _client(user)
    url = reverse("chat:c-messages", args=[chat_of_customer.key])
    # when
    got = client.get(url, {"after": 0})
    sent = client.post(url, {"body": "hello"})
    # then
    assert got.status_code == status
    assert sent.status_code == (201 if status == 200 else status)
    if status != 200:
        assert b"parcel" not in got.content
        assert ChatMessage.objects.filter(body="hello").count() == 0
    else:
        assert got.json()["messages"][0]["body"] == "<b>where is my parcel</b>"
        assert got.json()["messages"][0]["mine"] is True


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 404),
        ("customer", 404),
        ("agent", 200),
        ("merchant_other", 404),
        ("merchant_own", 200),
    ],
)
def test_agent_endpoints_role_matrix(
    customer_user: User, agent: User, who: str, status: int
) -> None:
    # given: a chat from merchant A's widget
    merchant = MerchantFactory()
    session = ChatSessionFactory(widget=ChatWidgetFactory(merchant=merchant), merchant=merchant)
    chat_post(session=session, author_kind=AuthorKind.CUSTOMER, body="secret question")
    user = {
        "anonymous": None,
        "customer": customer_user,
        "agent": agent,
        "merchant_other": UserFactory(role=Role.MERCHANT_STAFF, merchant=MerchantFactory()),
        "merchant_own": UserFactory(role=Role.MERCHANT_STAFF, merchant=merchant),
    }[who]
    client = _client(user)
    # when
    got = client.get(reverse("chat:a-messages", args=[session.pk]))
    sent = client.post(reverse("chat:a-messages", args=[session.pk]), {"body": "reply"})
    page = client.get(reverse("chat:console-chat", args=[session.pk]))
    listing = client.get(reverse("chat:console"))
    # then
    assert got.status_code == status
    assert sent.status_code == (201 if status == 200 else status)
    session.refresh_from_db()
    if status == 200:
        assert b"secret question" in got.content
        assert page.status_code == 200
        assert (
            f'data-chat="{session.pk}"'.encode() in listing.content
            or session.status == ChatStatus.ACTIVE
        )
        assert session.agent == user
    else:
        assert b"secret question" not in got.content
        assert session.status == ChatStatus.WAITING
        assert not ChatMessage.objects.filter(body="reply").exists()
        assert page.status_code in (302, 403, 404)
        assert f'data-chat="{session.pk}"'.encode() not in listing.content


def test_console_lists_waiting_oldest_first_with_unread_counts(agent: User) -> None:
    first, second = ChatSessionFactory(), ChatSessionFactory()
    chat_post(session=second, author_kind=AuthorKind.CUSTOMER, body="a")
    chat_post(session=second, author_kind=AuthorKind.CUSTOMER, body="b")
    page = _client(agent).get(reverse("chat:console"))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index(f'data-chat="{first.pk}"') < html.index(f'data-chat="{second.pk}"')
    assert '<span class="badge unread">2</span>' in html
    partial = _client(agent).get(reverse("chat:console"), headers={"HX-Request": "true"})
    assert b"<html" not in partial.content
    assert f'data-chat="{first.pk}"'.encode() in partial.content


def test_console_needs_the_chat_permission(customer_user: User, staff_without_role: User) -> None:
    assert _client(None).get(reverse("chat:console")).status_code == 302
    assert _client(customer_user).get(reverse("chat:console")).status_code == 403
    assert _client(staff_without_role).get(reverse("chat:console")).status_code == 403


def test_second_agent_accepting_gets_a_clear_conflict(agent: User) -> None:
    session = ChatSessionFactory()
    other = UserFactory(role=Role.AGENT, username="li-agent")
    _client(other).post(reverse("chat:accept", args=[session.pk]))
    response = _client(agent).post(reverse("chat:accept", args=[session.pk]))
    assert response.status_code == 409
    assert "li-agent has already taken this chat" in response.content.decode()
    session.refresh_from_db()
    assert session.agent == other


def test_agent_makes_a_ticket_from_the_console(agent: User, chat_of_customer: ChatSession) -> None:
    response = _client(agent).post(reverse("chat:convert", args=[chat_of_customer.pk]))
    assert response.status_code == 302
    chat_of_customer.refresh_from_db()
    assert chat_of_customer.status == ChatStatus.CONVERTED
    assert chat_of_customer.ticket is not None
    assert chat_of_customer.ticket.created_by == agent


def test_rate_limit_answers_429_with_retry_after(
    customer_user: User, chat_of_customer: ChatSession
) -> None:
    client = _client(customer_user)
    url = reverse("chat:c-messages", args=[chat_of_customer.key])
    codes = [client.post(url, {"body": f"m{i}"}).status_code for i in range(10)]
    assert codes == [201] * 9 + [429]  # the fixture's message counts too
    refused = client.post(url, {"body": "again"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert refused.json()["code"] == "chat_rate_limited"
    assert "slow down" in refused.json()["detail"]


def test_poll_returns_only_newer_messages_and_the_state(
    customer_user: User, chat_of_customer: ChatSession
) -> None:
    chat_post(session=chat_of_customer, author_kind=AuthorKind.CUSTOMER, body="second")
    chat_typing(session=chat_of_customer, side=AuthorKind.AGENT)
    got = (
        _client(customer_user)
        .get(reverse("chat:c-messages", args=[chat_of_customer.key]), {"after": 1})
        .json()
    )
    assert [m["body"] for m in got["messages"]] == ["second"]
    assert got["state"]["typing"] is True
    assert got["state"]["status"] == "waiting"


def test_event_stream_sends_messages_state_and_resumes_after_last_id(
    settings, customer_user: User, chat_of_customer: ChatSession
) -> None:
    # given
    settings.SHOPDESK_CHAT_STREAM_SECONDS = 0.3
    chat_post(session=chat_of_customer, author_kind=AuthorKind.CUSTOMER, body="二")
    client = _client(customer_user)
    url = reverse("chat:c-events", args=[chat_of_customer.key])
    # when
    response = client.get(url, {"after": 0})
    body = b"".join(response.streaming_content).decode()
    resumed = b"".join(client.get(url, headers={"Last-Event-ID": "1"}).streaming_content).decode()
    # then
    assert response["Content-Type"] == "text/event-stream"
    assert "id: 1\nevent: message\n" in body
    assert "id: 2\nevent: message\n" in body
    assert '"body": "二"' in body
    assert "event: state\n" in body
    assert "id: 1\n" not in resumed
    assert "id: 2\n" in resumed
    assert json.loads(body.split("event: state\ndata: ")[1].split("\n")[0])["status"] == "waiting"


def test_event_stream_is_access_checked(settings, chat_of_customer: ChatSession) -> None:
    settings.SHOPDESK_CHAT_STREAM_SECONDS = 0.1
    url = reverse("chat:c-events", args=[chat_of_customer.key])
    assert _client(_other_customer()).get(url).status_code == 404
    assert Client().get(reverse("chat:v-events", args=[chat_of_customer.key])).status_code == 404


def test_widget_prechat_then_chat_without_csrf_and_framed_only_by_its_origins() -> None:
    # given
    widget = ChatWidgetFactory(allowed_origins=["https://shop.example"])
    client = Client(enforce_csrf_checks=True)
    url = reverse("chat:widget", args=[widget.key])
    # when
    form = client.get(url)
    refused = client.post(url, {"name": "Ann"})
    started = client.post(url, {"name": "Ann", "email": "ann@example.com"})
    session = ChatSession.objects.get()
    sent = client.post(reverse("chat:v-messages", args=[session.key]), {"body": "hi"})
    again = client.get(url)
    # then
    assert form.status_code == 200
    assert b'name="email"' in form.content
    assert form["Content-Security-Policy"] == "frame-ancestors 'self' https://shop.example"
    assert "X-Frame-Options" not in form
    assert refused.status_code == 400
    assert not ChatSession.objects.filter(customer__isnull=True).exists()
    assert started.status_code == 200
    assert reverse("chat:v-events", args=[session.key]).encode() in started.content
    assert sent.status_code == 201
    assert reverse("chat:v-events", args=[session.key]).encode() in again.content  # cookie
    assert session.widget == widget


def test_widget_endpoints_refuse_a_portal_chat_key(chat_of_customer: ChatSession) -> None:
    response = Client().get(reverse("chat:v-messages", args=[chat_of_customer.key]))
    assert response.status_code == 404
    assert b"parcel" not in response.content


def test_inactive_widget_is_not_found() -> None:
    widget = ChatWidgetFactory(is_active=False)
    assert Client().get(reverse("chat:widget", args=[widget.key])).status_code == 404


def test_console_chat_page_shows_only_masked_contact_and_the_customers_tickets(agent: User) -> None:
    # given
    widget = ChatWidgetFactory()
    earlier = chat_start(widget=widget, visitor_name="王小明", visitor_phone="13912345678")
    ticket = chat_convert_to_ticket(session=earlier)
    session = chat_start(widget=widget, visitor_name="王小明", visitor_phone="13912345678")
    # when
    page = _client(agent).get(reverse("chat:console-chat", args=[session.pk])).content.decode()
    # then
    assert "139****5678" in page
    assert "13912345678" not in page
    assert "王小明" not in page
    assert "not verified" in page
    assert ticket.number in page
