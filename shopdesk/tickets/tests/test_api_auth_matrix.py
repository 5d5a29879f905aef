"""Who may do what on every tickets endpoint, and that a refusal leaks nothing and writes nothing.

Roles: anonymous, a customer login, staff without any role, an agent, a supervisor, an admin,
merchant staff on their merchant's ticket ("merchant_staff") and on another merchant's
("merchant_other"), and a bearer token of an agent. The platform roles act on `theirs` (the
customer login's ticket, another merchant's order); merchant staff on `mine`.
"""

import base64
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from shopdesk.accounts.models import User
from shopdesk.accounts.tests.factories import CustomerFactory
from shopdesk.accounts.tokens import api_token_issue
from shopdesk.orders.tests.factories import OrderFactory
from shopdesk.tickets.models import Attachment, Tag, Ticket, TicketEvent
from shopdesk.tickets.states import EventType, Party, TicketStatus
from shopdesk.tickets.tests.factories import CategoryFactory, TicketFactory

LIST = "/api/v1/tickets/"
ROLES = [
    "anonymous",
    "customer",
    "no_role",
    "agent",
    "supervisor",
    "admin",
    "merchant_staff",
    "merchant_other",
    "bearer",
]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@dataclass
class World:
    users: dict[str, User | None]
    mine: Ticket  # merchant staff's merchant's ticket, another customer
    theirs: Ticket  # the customer login's ticket, on another merchant's order
    token: str  # bearer token of the agent
    attachments: dict[str, Attachment]


def _ticket(number: str, *, status: str, **kwargs: Any) -> Ticket:
    order = OrderFactory(**kwargs)
    ticket = TicketFactory(
        number=number,
        subject=f"secret subject {number}",
        order=order,
        customer=order.customer,
        merchant=order.merchant,
        status=status,
    )
    event = TicketEvent.objects.create(
        ticket=ticket, type=EventType.MESSAGE, body=f"secret body {number}", is_public=True
    )
    attachment = Attachment(event=event, name=f"{number}.png", content_type="image/png", size=24)
    attachment.file.save(f"{number}.png", ContentFile(PNG), save=True)
    return ticket


@pytest.fixture
def world(
    settings: Any,
    tmp_path: Any,
    customer_user: User,
    staff_without_role: User,
    agent: User,
    supervisor: User,
    admin_user: User,
    merchant_staff: User,
) -> World:
    settings.MEDIA_ROOT = tmp_path
    CategoryFactory(code="service_complaint")
    mine = _ticket("AS-MINE-1", status=TicketStatus.NEW, merchant=merchant_staff.merchant)
    theirs = _ticket("AS-THEIRS-1", status=TicketStatus.NEW, customer=customer_user.customer)
    _, token = api_token_issue(user=agent, name="integration")
    users: dict[str, User | None] = {
        "anonymous": None,
        "customer": customer_user,
        "no_role": staff_without_role,
        "agent": agent,
        "supervisor": supervisor,
        "admin": admin_user,
        "merchant_staff": merchant_staff,
        "merchant_other": merchant_staff,
        "bearer": None,
    }
    attachments = {t.number or "": Attachment.objects.get(event__ticket=t) for t in (mine, theirs)}
    return World(users=users, mine=mine, theirs=theirs, token=token, attachments=attachments)


def client_for(world: World, role: str) -> Client:
    if role == "bearer":
        return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {world.token}")
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    return client


def target(world: World, role: str) -> Ticket:
    return world.mine if role == "merchant_staff" else world.theirs


def counts() -> dict[str, int]:
    models = (Ticket, TicketEvent, Attachment, Tag)
    return {m.__name__: m.objects.count() for m in models}


def snapshot() -> list[tuple[Any, ...]]:
    return list(
        Ticket.objects.order_by("id").values_list(
            "id", "status", "version", "assignee_id", "responsible_party", "rating", "updated_at"
        )
    )


def assert_refused(response: Any, status: int, world: World) -> None:
    """A refusal is the error body alone: no numbers, subjects, messages or file names."""
    assert response.status_code == status, response.content
    assert set(response.json()) == {"detail", "code"}
    text = response.content.decode()
    for ticket in (world.mine, world.theirs):
        assert ticket.number is not None
        assert ticket.number not in text
        assert "secret" not in text


def post_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def check(world: World, role: str, expected: dict[str, int], send: Any) -> Any:
    """Send the request; on a refusal check nothing leaked and nothing changed."""
    before, rows = counts(), snapshot()
    response = send(client_for(world, role))
    status = expected[role]
    if status >= 400:
        assert_refused(response, status, world)
        assert counts() == before
        assert snapshot() == rows
    else:
        assert response.status_code == status, response.content
    return response


# --- reads ---------------------------------------------------------------------------------------

READ = {
    "anonymous": 401,
    "customer": 403,
    "no_role": 403,
    "agent": 200,
    "supervisor": 200,
    "admin": 200,
    "merchant_staff": 200,
    "merchant_other": 404,
    "bearer": 200,
}
LIST_VISIBLE = {"merchant_staff": {"AS-MINE-1"}, "merchant_other": {"AS-MINE-1"}}


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_each_role_only_its_tickets(world: World, role: str) -> None:
    # when
    expected = {**READ, "merchant_other": 200}
    response = check(world, role, expected, lambda c: c.get(LIST))
    # then
    if response.status_code == 200:
        shown = {row["number"] for row in response.json()["items"]}
        assert shown == LIST_VISIBLE.get(role, {"AS-MINE-1", "AS-THEIRS-1"})


@pytest.mark.parametrize("role", ROLES)
def test_detail_is_404_for_what_the_role_may_not_see(world: World, role: str) -> None:
    # given
    ticket = target(world, role)
    # when
    response = check(world, role, READ, lambda c: c.get(f"{LIST}{ticket.pk}"))
    # then
    if response.status_code == 200:
        assert response.json()["number"] == ticket.number
    if response.status_code == 404:
        # Same answer as for an id that does not exist: existence does not leak.
        missing = client_for(world, role).get(f"{LIST}99999999").json()
        assert missing["detail"].replace("99999999", str(ticket.pk)) == response.json()["detail"]


@pytest.mark.parametrize("role", ROLES)
def test_attachment_download_follows_ticket_visibility(world: World, role: str) -> None:
    # given
    attachment = world.attachments[target(world, role).number or ""]
    url = f"{LIST}attachments/{attachment.pk}"
    # when
    response = check(world, role, READ, lambda c: c.get(url))
    # then
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == PNG


# --- create --------------------------------------------------------------------------------------

CREATE = {
    **READ,
    "merchant_staff": 403,
    "merchant_other": 403,
    "agent": 201,
    "supervisor": 201,
    "admin": 201,
    "bearer": 201,
}


@pytest.mark.parametrize("role", ROLES)
def test_create_needs_add_ticket(world: World, role: str) -> None:
    # given
    customer = CustomerFactory()
    body = {"customer_id": customer.pk, "category": "other", "description": "new", "tags": ["x"]}
    # when
    response = check(world, role, CREATE, lambda c: post_json(c, LIST, body))
    # then
    if response.status_code == 201:
        assert Ticket.objects.filter(customer=customer).count() == 1


# --- actions on one ticket -----------------------------------------------------------------------

WRITE = {**READ, "merchant_staff": 200}
MESSAGE = {**WRITE, **{r: 201 for r, s in WRITE.items() if s == 200}}
ASSIGN = {**WRITE, "merchant_staff": 403, "merchant_other": 403}
# Ratings and complaints: the ticket's own customer, or platform staff who may change tickets.
VOICE = {**WRITE, "customer": 200, "merchant_staff": 403, "merchant_other": 403}
COMPLAIN = {**VOICE, **{r: 201 for r, s in VOICE.items() if s == 200}}


def _body(world: World, action: str) -> dict[str, Any]:
    agent = world.users["agent"]
    assert agent is not None
    png = {"name": "p.png", "content_base64": base64.b64encode(PNG).decode()}
    return {
        "reply": {"body": "hello", "attachments": [png]},
        "note": {"body": "internal"},
        "transition": {"to": "open", "note": "looking"},
        "assign": {"assignee_id": agent.pk, "reason": "speaks the language"},
        "hand-off": {"to_party": "merchant", "reason": "stock check by the shop"},
        "rate": {"rating": 4, "comment": "ok"},
        "complain": {"body": "not happy"},
    }[action]


ACTIONS = [
    ("reply", MESSAGE),
    ("note", MESSAGE),
    ("transition", WRITE),
    ("assign", ASSIGN),
    ("hand-off", WRITE),
    ("rate", VOICE),
    ("complain", COMPLAIN),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("action", "expected"), ACTIONS, ids=[a for a, _ in ACTIONS])
def test_actions_need_the_role_and_the_ticket_in_scope(
    world: World, role: str, action: str, expected: dict[str, int]
) -> None:
    # given a resolved ticket for the customer's voice, a new one otherwise
    ticket = target(world, role)
    body = _body(world, action)
    if action in ("rate", "complain"):
        Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.RESOLVED)
    elif role == "merchant_staff":
        # Merchant staff act while their merchant holds the ticket (see the test below).
        Ticket.objects.filter(pk=ticket.pk).update(
            responsible_party=Party.MERCHANT, status=TicketStatus.PENDING_MERCHANT
        )
        if action == "hand-off":
            body = {"to_party": "platform", "reason": "this is a carrier problem"}
        elif action == "transition":
            body = {"to": "resolved", "note": "refunded by the shop"}
    url = f"{LIST}{ticket.pk}/{action}"
    # when
    response = check(world, role, expected, lambda c: post_json(c, url, body))
    # then
    if response.status_code < 400:
        ticket.refresh_from_db()
        assert ticket.version > 1 or action in ("note", "complain")
        assert ticket.events.count() > 1


@pytest.mark.parametrize("action", ["reply", "transition"])
def test_merchant_staff_cannot_act_while_the_platform_holds_the_ticket(
    world: World, action: str
) -> None:
    # given their merchant's ticket, held by the platform
    before, rows = counts(), snapshot()
    # when
    response = post_json(
        client_for(world, "merchant_staff"),
        f"{LIST}{world.mine.pk}/{action}",
        _body(world, action),
    )
    # then
    assert_refused(response, 403, world)
    assert (counts(), snapshot()) == (before, rows)


def test_customer_cannot_rate_someone_elses_ticket(world: World) -> None:
    # given
    Ticket.objects.filter(pk=world.mine.pk).update(status=TicketStatus.RESOLVED)
    before, rows = counts(), snapshot()
    # when
    response = post_json(
        client_for(world, "customer"), f"{LIST}{world.mine.pk}/rate", {"rating": 1}
    )
    # then
    assert_refused(response, 404, world)
    assert (counts(), snapshot()) == (before, rows)


def test_session_writes_need_the_csrf_token(world: World) -> None:
    # given a logged-in agent in a browser that enforces CSRF
    client = Client(enforce_csrf_checks=True)
    agent = world.users["agent"]
    assert agent is not None
    client.force_login(agent)
    before, rows = counts(), snapshot()
    # when
    response = post_json(client, f"{LIST}{world.theirs.pk}/transition", {"to": "open"})
    # then
    assert response.status_code == 403
    assert (counts(), snapshot()) == (before, rows)
