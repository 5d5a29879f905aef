"""Who may do what on every orders endpoint, and that a refusal leaks nothing and writes nothing.

Roles: anonymous, a customer login, staff without any role, an agent (view only), a supervisor
(may add logistics events), an admin (everything) and merchant staff (scoped to one merchant).
"""

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from shopdesk.accounts.models import ApiToken, Customer, Merchant, User
from shopdesk.accounts.tokens import api_token_issue, api_token_revoke
from shopdesk.audit.models import AuditEvent
from shopdesk.orders.models import LogisticsEvent, Order, OrderItem, Product, Shipment
from shopdesk.orders.tests.factories import OrderFactory, OrderItemFactory, ShipmentFactory

LIST = "/api/v1/orders/"
ROLES = ["anonymous", "customer", "no_role", "agent", "supervisor", "admin", "merchant_staff"]


@dataclass
class World:
    users: dict[str, User | None]
    mine: Order  # merchant staff's merchant's order
    theirs: Order  # another merchant's order, bought by the customer login
    other_merchant: Merchant


@pytest.fixture
def world(
    customer_user: User,
    staff_without_role: User,
    agent: User,
    supervisor: User,
    admin_user: User,
    merchant_staff: User,
) -> World:
    mine = OrderFactory(merchant=merchant_staff.merchant, external_id="MINE-1")
    theirs = OrderFactory(customer=customer_user.customer, external_id="THEIRS-1")
    for order in (mine, theirs):
        OrderItemFactory(order=order)
        ShipmentFactory(order=order, tracking_number=f"T-{order.external_id}")
    users: dict[str, User | None] = {
        "anonymous": None,
        "customer": customer_user,
        "no_role": staff_without_role,
        "agent": agent,
        "supervisor": supervisor,
        "admin": admin_user,
        "merchant_staff": merchant_staff,
    }
    assert theirs.merchant is not None
    return World(users=users, mine=mine, theirs=theirs, other_merchant=theirs.merchant)


def client_for(world: World, role: str) -> Client:
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    return client


def counts() -> dict[str, int]:
    models = (Order, OrderItem, Product, Shipment, LogisticsEvent, Merchant, Customer)
    return {m.__name__: m.objects.count() for m in models}


def snapshot() -> list[tuple[Any, ...]]:
    return list(
        Order.objects.order_by("id").values_list("id", "status", "merchant_id", "updated_at")
    )


def assert_refused(response: Any, status: int, world: World) -> None:
    """A refusal is the error body alone: no order numbers, no ids, no customer data."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code"}
    text = response.content.decode()
    for order in (world.mine, world.theirs):
        assert order.external_id not in text


# --- list ----------------------------------------------------------------------------------------

LIST_VISIBLE = {
    "customer": {"theirs"},
    "no_role": set(),
    "agent": {"mine", "theirs"},
    "supervisor": {"mine", "theirs"},
    "admin": {"mine", "theirs"},
    "merchant_staff": {"mine"},
}


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_each_role_only_its_orders(world: World, role: str) -> None:
    # given
    before = counts()
    # when
    response = client_for(world, role).get(LIST)
    # then
    if role == "anonymous":
        assert_refused(response, 401, world)
    else:
        assert response.status_code == 200
        shown = {row["order_number"] for row in response.json()["items"]}
        expected = {getattr(world, name).external_id for name in LIST_VISIBLE[role]}
        assert shown == expected
    assert counts() == before


def test_merchant_staff_filtering_by_another_merchant_gets_nothing(world: World) -> None:
    # when
    response = client_for(world, "merchant_staff").get(LIST, {"merchant": world.other_merchant.pk})
    # then
    assert response.status_code == 200
    assert response.json()["items"] == []


# --- detail --------------------------------------------------------------------------------------

DETAIL_VISIBLE = LIST_VISIBLE


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", ["mine", "theirs"])
def test_detail_is_404_for_what_the_role_may_not_see(world: World, role: str, which: str) -> None:
    # given
    order: Order = getattr(world, which)
    before = counts()
    # when
    response = client_for(world, role).get(f"{LIST}{order.pk}")
    # then
    if role == "anonymous":
        assert_refused(response, 401, world)
    elif which in DETAIL_VISIBLE[role]:
        assert response.status_code == 200
        assert response.json()["order_number"] == order.external_id
    else:
        # Same answer as for an id that does not exist: existence does not leak.
        assert_refused(response, 404, world)
        missing = client_for(world, role).get(f"{LIST}99999999")
        assert missing.json() == response.json()
    assert counts() == before


# --- upsert --------------------------------------------------------------------------------------


def upsert_body(merchant: Merchant | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": "paid",
        "placed_at": "2024-06-18T10:00:00+08:00",
        "items": [{"sku": "NEW-1", "unit_price": "9.90"}],
    }
    if merchant is not None:
        body["merchant"] = {"external_id": merchant.external_id, "name": merchant.name}
    return body


def put(client: Client, url: str, body: dict[str, Any], **extra: Any) -> Any:
    return client.put(url, json.dumps(body), content_type="application/json", **extra)


UPSERT_STATUS = {
    "anonymous": 401,
    "customer": 403,
    "no_role": 403,
    "agent": 403,
    "supervisor": 403,
    "admin": 201,
    "merchant_staff": 201,
}


@pytest.mark.parametrize("role", ROLES)
def test_upsert_needs_add_order(world: World, role: str) -> None:
    # given an order for the merchant staff's own merchant
    assert world.mine.merchant is not None
    body = upsert_body(world.mine.merchant)
    before = counts()
    # when
    response = put(client_for(world, role), f"{LIST}test/NEW-ORDER", body)
    # then
    status = UPSERT_STATUS[role]
    if status == 201:
        assert response.status_code == 201
        assert Order.objects.filter(external_id="NEW-ORDER").count() == 1
    else:
        assert_refused(response, status, world)
        assert counts() == before


@pytest.mark.parametrize(
    ("source", "merchant_kind", "external_id"),
    [
        ("test", "other", "NEW-2"),  # names another merchant
        ("other-shop", "own", "NEW-3"),  # own external id under another source
        ("test", "none", "NEW-4"),  # no merchant at all
        ("test", "own", "THEIRS-1"),  # another merchant's existing order
    ],
)
def test_merchant_staff_cannot_upsert_for_another_merchant(
    world: World, source: str, merchant_kind: str, external_id: str
) -> None:
    # given
    merchant = {
        "own": world.mine.merchant,
        "other": world.other_merchant,
        "none": None,
    }[merchant_kind]
    before, rows = counts(), snapshot()
    # when
    response = put(
        client_for(world, "merchant_staff"), f"{LIST}{source}/{external_id}", upsert_body(merchant)
    )
    # then
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert counts() == before
    assert snapshot() == rows


def test_merchant_staff_can_update_their_own_order(world: World) -> None:
    # given
    assert world.mine.merchant is not None
    # when
    response = put(
        client_for(world, "merchant_staff"),
        f"{LIST}test/{world.mine.external_id}",
        upsert_body(world.mine.merchant),
    )
    # then
    assert response.status_code == 200
    world.mine.refresh_from_db()
    assert world.mine.status == "paid"


# --- logistics events ----------------------------------------------------------------------------


def events_url(order: Order) -> str:
    shipment = order.shipments.get()
    return f"{LIST}shipments/{shipment.carrier}/{shipment.tracking_number}/events"


def post_events(client: Client, url: str, event_id: str = "scan-1", **extra: Any) -> Any:
    body = {
        "events": [{"event_id": event_id, "type": "arrived", "occurred_at": "2024-06-19T08:00"}]
    }
    return client.post(url, json.dumps(body), content_type="application/json", **extra)


EVENTS_STATUS = {
    "anonymous": 401,
    "customer": 403,
    "no_role": 403,
    "agent": 403,
    "supervisor": 200,
    "admin": 200,
    "merchant_staff": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_events_need_add_logistics_event(world: World, role: str) -> None:
    # given the merchant staff's own parcel
    before = counts()
    # when
    response = post_events(client_for(world, role), events_url(world.mine))
    # then
    status = EVENTS_STATUS[role]
    if status == 200:
        assert response.json() == {"created": ["scan-1"], "existing": []}
    else:
        assert_refused(response, status, world)
        assert counts() == before


def test_merchant_staff_get_404_for_another_merchants_parcel(world: World) -> None:
    # given
    before = counts()
    # when
    response = post_events(client_for(world, "merchant_staff"), events_url(world.theirs))
    # then
    assert_refused(response, 404, world)
    assert counts() == before


# --- bearer tokens and CSRF ----------------------------------------------------------------------


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_bearer_token_reads_and_writes_without_csrf(world: World) -> None:
    # given
    admin = world.users["admin"]
    assert admin is not None
    _, clear = api_token_issue(user=admin, name="erp")
    client = Client(enforce_csrf_checks=True)
    # when
    listed = client.get(LIST, **bearer(clear))
    created = put(client, f"{LIST}erp/T-1", upsert_body(None), **bearer(clear))
    # then
    assert listed.status_code == 200
    assert len(listed.json()["items"]) == 2
    assert created.status_code == 201
    assert ApiToken.objects.get().last_used_at is not None


def test_revoked_or_wrong_token_is_401(world: World) -> None:
    # given
    agent = world.users["agent"]
    assert agent is not None
    token, clear = api_token_issue(user=agent, name="bi")
    api_token_revoke(token=token)
    client = Client()
    # when
    revoked = client.get(LIST, **bearer(clear))
    wrong = client.get(LIST, **bearer(clear[:-2] + "xx"))
    garbage = client.get(LIST, **bearer("nonsense"))
    # then
    for response in (revoked, wrong, garbage):
        assert_refused(response, 401, world)
        assert response.json()["code"] == "not_authenticated"


def test_token_of_a_deactivated_user_is_401(world: World) -> None:
    # given
    agent = world.users["agent"]
    assert agent is not None
    _, clear = api_token_issue(user=agent, name="bi")
    User.objects.filter(pk=agent.pk).update(is_active=False)
    # when
    response = Client().get(LIST, **bearer(clear))
    # then
    assert_refused(response, 401, world)


def test_session_writes_need_the_csrf_token(world: World) -> None:
    # given a logged-in admin in a browser that enforces CSRF
    client = Client(enforce_csrf_checks=True)
    admin = world.users["admin"]
    assert admin is not None
    client.force_login(admin)
    client.get("/accounts/login/")  # the page sets the csrftoken cookie
    csrf = client.cookies["csrftoken"].value
    before = counts()
    # when
    read = client.get(LIST)
    refused = put(client, f"{LIST}test/CSRF-1", upsert_body(None))
    refused_events = post_events(client, events_url(world.mine), event_id="csrf-scan")
    counts_after_refusal = counts()
    accepted = put(client, f"{LIST}test/CSRF-1", upsert_body(None), HTTP_X_CSRFTOKEN=csrf)
    # then
    assert read.status_code == 200
    assert refused.status_code == 403
    assert refused_events.status_code == 403
    assert counts_after_refusal == before
    assert accepted.status_code == 201


def test_anonymous_write_is_401_not_a_csrf_error(world: World) -> None:
    # given
    before = counts()
    client = Client(enforce_csrf_checks=True)
    # when
    response = put(client, f"{LIST}test/ANON-1", upsert_body(None))
    # then
    assert_refused(response, 401, world)
    assert counts() == before
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CREATED).exists()
