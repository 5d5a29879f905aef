"""The tickets API as an integration or an agent's tool sees it: intake, pages, detail, actions."""

import base64
import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from shopdesk.accounts.models import User
from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import CustomerFactory, UserFactory
from shopdesk.accounts.tokens import api_token_issue
from shopdesk.orders.tests.factories import OrderFactory
from shopdesk.tickets.models import Attachment, Ticket, TicketEvent
from shopdesk.tickets.states import EventType, TicketStatus
from shopdesk.tickets.tests.factories import AgentProfileFactory, TicketFactory

LIST = "/api/v1/tickets/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
SCRIPT = '<script>alert("x")</script><b>bold</b> & done'


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def post_json(client: Client, url: str, body: dict[str, Any], **extra: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", **extra)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def agent_client(client: Client, agent: User) -> Client:
    client.force_login(agent)
    return client


# --- create --------------------------------------------------------------------------------------


def test_create_by_customer_id_answers_201_with_the_new_ticket(agent_client: Client) -> None:
    # given
    customer = CustomerFactory()
    body = {"customer_id": customer.pk, "category": "other", "description": "Where is my tea?"}
    # when
    response = post_json(agent_client, LIST, body)
    # then
    assert response.status_code == 201, response.content
    data = response.json()
    ticket = Ticket.objects.get()
    assert data["id"] == ticket.pk
    assert data["number"].startswith("AS-")
    assert data["channel"] == "api"
    assert data["status"] == "new"
    assert data["customer"]["id"] == customer.pk
    assert data["refused_attachments"] == []
    assert ticket.events.filter(type=EventType.MESSAGE, body="Where is my tea?").exists()


def test_create_by_order_reference_implies_its_customer_and_merchant(agent_client: Client) -> None:
    # given
    order = OrderFactory(source="shopify", external_id="10001")
    body = {
        "order": {"source": "shopify", "external_id": "10001"},
        "category": "logistics_delay",
        "description": "Late",
        "channel": "phone",
        "tags": ["vip-call"],
        "priority": "high",
    }
    # when
    response = post_json(agent_client, LIST, body)
    # then
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get()
    assert (ticket.customer_id, ticket.order_id) == (order.customer_id, order.pk)
    assert ticket.merchant_id == order.merchant_id
    assert response.json()["channel"] == "phone"
    assert response.json()["tags"] == ["vip-call"]
    assert response.json()["priority"] == "high"


def test_create_by_customer_reference(agent_client: Client) -> None:
    # given
    customer = CustomerFactory(source="crm", external_id="buyer-9")
    body = {"customer": {"source": "crm", "external_id": "buyer-9"}, "category": "other"}
    # when
    response = post_json(agent_client, LIST, {**body, "description": "Hello"})
    # then
    assert response.status_code == 201, response.content
    assert Ticket.objects.get().customer_id == customer.pk


def test_same_idempotency_key_returns_the_same_ticket_and_makes_one(agent_client: Client) -> None:
    # given
    body = {"customer_id": CustomerFactory().pk, "category": "other", "description": "Twice?"}
    key = {"HTTP_IDEMPOTENCY_KEY": "req-42"}
    # when
    first = post_json(agent_client, LIST, body, **key)
    retry = post_json(agent_client, LIST, body, **key)
    # then
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json() == first.json()
    assert Ticket.objects.count() == 1
    assert Ticket.objects.get().intake_key.endswith(":req-42")


def test_idempotency_keys_are_scoped_to_the_caller(agent_client: Client) -> None:
    # given one key already used by another agent
    body = {"customer_id": CustomerFactory().pk, "category": "other", "description": "Mine"}
    other = Client()
    other.force_login(UserFactory(role=Role.AGENT))
    post_json(other, LIST, body, HTTP_IDEMPOTENCY_KEY="k1")
    # when
    response = post_json(agent_client, LIST, body, HTTP_IDEMPOTENCY_KEY="k1")
    # then
    assert response.status_code == 201
    assert Ticket.objects.count() == 2


def test_unknown_category_is_400_with_its_code_and_nothing_is_made(agent_client: Client) -> None:
    # given
    body = {"customer_id": CustomerFactory().pk, "category": "nope", "description": "x"}
    # when
    response = post_json(agent_client, LIST, body)
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_category"
    assert "nope" in response.json()["detail"]
    assert not Ticket.objects.exists()


def test_refused_attachments_are_listed_and_the_ticket_is_kept(
    agent_client: Client, settings: Any
) -> None:
    # given a 100-byte limit, a good picture, a too-big one and a program
    settings.SHOPDESK_ATTACHMENT_MAX_BYTES = 100
    attachments = [
        {"name": "photo.png", "content_base64": b64(PNG)},
        {"name": "big.png", "content_base64": b64(PNG + b"\x00" * 200)},
        {"name": "tool.exe", "content_base64": b64(b"MZ\x90\x00\x03\x00\xff\xfe")},
    ]
    body = {"customer_id": CustomerFactory().pk, "category": "other", "description": "Look"}
    # when
    response = post_json(agent_client, LIST, {**body, "attachments": attachments})
    # then
    assert response.status_code == 201, response.content
    refused = {row["name"]: row["reason"] for row in response.json()["refused_attachments"]}
    assert set(refused) == {"big.png", "tool.exe"}
    assert "limit" in refused["big.png"]
    assert "not an allowed type" in refused["tool.exe"]
    assert Ticket.objects.count() == 1
    assert list(Attachment.objects.values_list("name", flat=True)) == ["photo.png"]


def test_attachment_that_is_not_base64_is_422_naming_the_field(agent_client: Client) -> None:
    # given
    body = {
        "customer_id": CustomerFactory().pk,
        "category": "other",
        "description": "x",
        "attachments": [{"name": "a.png", "content_base64": "not base64!!"}],
    }
    # when
    response = post_json(agent_client, LIST, body)
    # then
    assert response.status_code == 422
    assert "content_base64 is not valid base64" in json.dumps(response.json())
    assert not Ticket.objects.exists()


def test_create_without_customer_or_order_is_422(agent_client: Client) -> None:
    # when
    response = post_json(agent_client, LIST, {"category": "other", "description": "x"})
    # then
    assert response.status_code == 422
    assert not Ticket.objects.exists()


def test_create_for_an_unknown_order_is_404(agent_client: Client) -> None:
    # given
    body = {"order": {"source": "x", "external_id": "nope"}, "category": "other"}
    # when
    response = post_json(agent_client, LIST, {**body, "description": "x"})
    # then
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not Ticket.objects.exists()


# --- list ----------------------------------------------------------------------------------------


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["items"]]


def test_list_filters_by_status_and_queue(agent_client: Client, agent: User) -> None:
    # given
    mine = TicketFactory(assignee=agent, status=TicketStatus.OPEN)
    resolved = TicketFactory(status=TicketStatus.RESOLVED)
    unassigned = TicketFactory()
    # when
    by_status = ids(agent_client.get(LIST, {"status": "resolved"}))
    by_queue = ids(agent_client.get(LIST, {"queue": "mine"}))
    unassigned_queue = ids(agent_client.get(LIST, {"queue": "unassigned"}))
    # then
    assert by_status == [resolved.pk]
    assert by_queue == [mine.pk]
    assert unassigned_queue == [unassigned.pk]


def test_list_walks_pages_by_sla_due_with_undated_tickets_last(agent_client: Client) -> None:
    # given
    now = timezone.now()
    undated = [TicketFactory(), TicketFactory()]
    late = TicketFactory(sla_due_at=now + timedelta(hours=2))
    soon = TicketFactory(sla_due_at=now + timedelta(minutes=5))
    same = TicketFactory(sla_due_at=now + timedelta(minutes=5))
    # when
    seen: list[int] = []
    cursor = None
    for _ in range(5):
        params = {"queue": "unassigned", "limit": 2, **({"cursor": cursor} if cursor else {})}
        response = agent_client.get(LIST, params)
        seen += ids(response)
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
    # then
    assert seen == [soon.pk, same.pk, late.pk, undated[0].pk, undated[1].pk]


def test_the_all_list_is_newest_first(agent_client: Client) -> None:
    # given
    now = timezone.now()
    old = TicketFactory(created_at=now - timedelta(days=2), sla_due_at=now)
    new = TicketFactory(created_at=now, sla_due_at=now + timedelta(days=1))
    # when
    response = agent_client.get(LIST, {"queue": "all"})
    # then
    assert ids(response) == [new.pk, old.pk]


def test_list_refuses_a_limit_over_200_and_a_forged_cursor(agent_client: Client) -> None:
    # when
    too_many = agent_client.get(LIST, {"limit": 201})
    forged = agent_client.get(LIST, {"cursor": "garbage"})
    # then
    assert too_many.status_code == 422
    assert forged.status_code == 400
    assert forged.json()["code"] == "invalid_cursor"


def _list_queries(client: Client, django_assert_num_queries: Any, count: int) -> None:
    with django_assert_num_queries(count):
        assert client.get(LIST).status_code == 200


@pytest.mark.parametrize("tickets", [2, 6])
def test_list_query_count_does_not_grow_with_tickets(
    agent_client: Client, django_assert_num_queries: Any, tickets: int
) -> None:
    # given tickets with tags, assignees and teams
    for _ in range(tickets):
        ticket = TicketFactory(assignee=UserFactory(role=Role.AGENT))
        ticket.tags.create(name=f"t{ticket.pk}")
    # then: session, user, 2 x permissions, page, tags
    _list_queries(agent_client, django_assert_num_queries, 6)


# --- detail --------------------------------------------------------------------------------------


def _reply(client: Client, ticket: Ticket, body: str, **extra: Any) -> Any:
    return post_json(client, f"{LIST}{ticket.pk}/reply", {"body": body, **extra})


def test_detail_has_timeline_clocks_party_rating_and_attachment_urls(agent_client: Client) -> None:
    # given
    ticket = TicketFactory()
    _reply(
        agent_client, ticket, "Here", attachments=[{"name": "p.png", "content_base64": b64(PNG)}]
    )
    post_json(agent_client, f"{LIST}{ticket.pk}/note", {"body": "internal"})
    # when
    data = agent_client.get(f"{LIST}{ticket.pk}").json()
    # then
    types = [event["type"] for event in data["timeline"]]
    assert "message" in types
    assert "note" in types
    reply = next(e for e in data["timeline"] if e["body"] == "Here")
    assert reply["is_public"] is True
    assert reply["author"]["name"]
    url = reply["attachments"][0]["url"]
    assert agent_client.get(url).getvalue() == PNG  # type: ignore[attr-defined]
    assert data["sla"]["first_replied_at"] is not None
    assert data["party"] == {
        "responsible_party": "platform",
        "merchant": None,
        "last_handoff_from": "",
        "handoff_reason": "",
        "handoff_count": 0,
        "bounce_count": 0,
    }
    assert data["rating"] == {"rating": None, "comment": "", "rated_at": None}


@pytest.mark.parametrize("messages", [1, 5])
def test_detail_query_count_does_not_grow_with_events(
    agent_client: Client, agent: User, django_assert_num_queries: Any, messages: int
) -> None:
    # given
    ticket = TicketFactory()
    for n in range(messages):
        event = TicketEvent.objects.create(
            ticket=ticket, type=EventType.MESSAGE, body=f"m{n}", author=agent, is_public=True
        )
        Attachment.objects.create(event=event, name="a.txt", content_type="text/plain", size=1)
    # then: session, user, 2 x permissions, ticket, "is a customer?", tags, events, attachments
    with django_assert_num_queries(9):
        assert agent_client.get(f"{LIST}{ticket.pk}").status_code == 200


# --- messages ------------------------------------------------------------------------------------


def test_reply_opens_a_new_ticket_and_keeps_html_as_text(agent_client: Client) -> None:
    # given
    ticket = TicketFactory()
    # when
    response = _reply(agent_client, ticket, SCRIPT)
    # then
    assert response.status_code == 201, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["event"]["body"] == SCRIPT
    assert response.json()["ticket"]["status"] == "open"
    assert TicketEvent.objects.get(type=EventType.MESSAGE).body == SCRIPT
    detail = agent_client.get(f"{LIST}{ticket.pk}").json()
    assert SCRIPT in [event["body"] for event in detail["timeline"]]


def test_reply_with_status_after_moves_the_ticket_on(agent_client: Client) -> None:
    # given
    ticket = TicketFactory(status=TicketStatus.OPEN)
    # when
    response = _reply(agent_client, ticket, "Please send a photo", status_after="pending_customer")
    # then
    assert response.status_code == 201
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.PENDING_CUSTOMER


def test_reply_with_an_impossible_status_after_writes_nothing(agent_client: Client) -> None:
    # given
    ticket = TicketFactory(status=TicketStatus.OPEN)
    # when
    response = _reply(agent_client, ticket, "Closing", status_after="closed")
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert not TicketEvent.objects.filter(type=EventType.MESSAGE).exists()


def test_note_is_internal(agent_client: Client) -> None:
    # given
    ticket = TicketFactory()
    # when
    response = post_json(agent_client, f"{LIST}{ticket.pk}/note", {"body": SCRIPT})
    # then
    assert response.status_code == 201
    assert response.json()["event"]["is_public"] is False
    assert TicketEvent.objects.get(type=EventType.NOTE).body == SCRIPT


def test_empty_reply_is_400(agent_client: Client) -> None:
    # when
    response = _reply(agent_client, TicketFactory(), "   ")
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "empty_message"


def test_every_endpoint_is_in_the_openapi_schema_with_a_summary(agent_client: Client) -> None:
    # when
    schema = agent_client.get("/api/v1/openapi.json").json()
    # then
    ops = [
        op for path, item in schema["paths"].items() if "/tickets/" in path for op in item.values()
    ]
    assert len(ops) == 11
    assert all(op["summary"] for op in ops)
    assert {"TicketOut", "TicketCreateIn", "TicketReplyIn", "TicketEventOut"} <= set(
        schema["components"]["schemas"]
    )


def test_create_with_a_token_costs_few_queries(
    agent: User,
    settings: Any,
    django_assert_max_num_queries: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given serving caches on, an integration token, online agents, a customer with an order
    settings.SHOPDESK_SLA_CACHE_SECONDS = settings.SHOPDESK_ROUTING_CACHE_SECONDS = 60
    _, clear = api_token_issue(user=agent, name="erp")
    AgentProfileFactory.create_batch(5)
    order = OrderFactory(source="shopify", external_id="10002")
    body = {
        "order": {"source": "shopify", "external_id": "10002"},
        "customer_id": order.customer_id,
    }
    body |= {"category": "logistics_delay", "description": "Late", "tags": []}
    auth = {"HTTP_AUTHORIZATION": f"Bearer {clear}"}
    post_json(Client(), LIST, {**body, "description": "warm-up"}, **auth)
    # when: token, permissions, order, customer, category, savepoint, routing facts and
    # agents, the ticket, its number, the agent's load, the three first events, release; then
    # the e-mail to the customer (look-up, savepoint, insert, release)
    with django_assert_max_num_queries(17), django_capture_on_commit_callbacks(execute=True):
        response = post_json(Client(), LIST, body, **auth)
    # then the answer is made from the objects in hand, tags included
    assert response.status_code == 201, response.content
    data = response.json()
    ticket = Ticket.objects.get(pk=data["id"])
    assert data["number"] == ticket.number
    assert data["assignee"]["id"] == ticket.assignee_id
    assert data["tags"] == []
    assert data["version"] == ticket.version
    assert ticket.events.count() == 3
