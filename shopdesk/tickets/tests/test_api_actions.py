"""Tickets API actions: status, assignment, hand-off, rating, complaints and stale writes."""

import json
from typing import Any

import pytest
from django.db.models import F
from django.test import Client

from shopdesk.accounts.models import User
from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import UserFactory
from shopdesk.orders.tests.factories import OrderFactory
from shopdesk.tickets import api as tickets_api
from shopdesk.tickets.models import Ticket, TicketEvent
from shopdesk.tickets.states import EventType, Party, TicketStatus
from shopdesk.tickets.tests.factories import CategoryFactory, TicketFactory

LIST = "/api/v1/tickets/"


def post_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def agent_client(agent: User) -> Client:
    return logged_in(agent)


# --- transition ----------------------------------------------------------------------------------


def test_transition_moves_the_ticket_and_bumps_its_version(agent_client: Client) -> None:
    # given
    ticket = TicketFactory()
    # when
    response = post_json(agent_client, f"{LIST}{ticket.pk}/transition", {"to": "open"})
    # then
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "open"
    assert response.json()["version"] == ticket.version + 1


def test_invalid_transition_is_409_saying_what_is_allowed(agent_client: Client) -> None:
    # given
    ticket = TicketFactory(status=TicketStatus.CLOSED)
    # when
    response = post_json(agent_client, f"{LIST}{ticket.pk}/transition", {"to": "open"})
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert "cannot become" in response.json()["detail"]
    assert "reopened" in response.json()["detail"]
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED


def test_stale_version_is_409_with_the_current_ticket_and_writes_nothing(
    agent_client: Client,
) -> None:
    # given someone changed the ticket after the client read version 1
    ticket = TicketFactory()
    Ticket.objects.filter(pk=ticket.pk).update(version=2, priority="urgent")
    events = TicketEvent.objects.count()
    # when
    response = post_json(
        agent_client, f"{LIST}{ticket.pk}/transition", {"to": "open", "version": 1}
    )
    # then
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "concurrent_update"
    assert "changed since you read it" in body["detail"]
    assert body["current"]["version"] == 2
    assert body["current"]["priority"] == "urgent"
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW
    assert TicketEvent.objects.count() == events


def test_the_current_version_is_accepted(agent_client: Client) -> None:
    # given
    ticket = TicketFactory()
    # when
    response = post_json(
        agent_client, f"{LIST}{ticket.pk}/transition", {"to": "open", "version": ticket.version}
    )
    # then
    assert response.status_code == 200


def test_a_write_losing_a_race_is_409_with_the_current_ticket(
    agent_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given another writer that lands between the read and the service's compare-and-set
    ticket = TicketFactory()
    read = tickets_api.ticket_get_for_user

    def read_then_someone_writes(**kwargs: Any) -> Ticket:
        loaded = read(**kwargs)
        Ticket.objects.filter(pk=loaded.pk).update(version=F("version") + 1)
        return loaded

    monkeypatch.setattr(tickets_api, "ticket_get_for_user", read_then_someone_writes)
    # when
    response = post_json(
        agent_client, f"{LIST}{ticket.pk}/reply", {"body": "hello", "version": ticket.version}
    )
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "concurrent_update"
    assert response.json()["current"]["id"] == ticket.pk
    assert not TicketEvent.objects.filter(type=EventType.MESSAGE).exists()


# --- assign --------------------------------------------------------------------------------------


def test_supervisor_assigns_and_unassigns(supervisor: User, agent: User) -> None:
    # given
    ticket = TicketFactory()
    client = logged_in(supervisor)
    url = f"{LIST}{ticket.pk}/assign"
    # when
    assigned = post_json(client, url, {"assignee_id": agent.pk, "reason": "Speaks English"})
    unassigned = post_json(client, url, {"assignee_id": None, "reason": "Back to the queue"})
    # then
    assert assigned.status_code == 200, assigned.content
    assert assigned.json()["assignee"]["id"] == agent.pk
    assert unassigned.json()["assignee"] is None
    reasons = TicketEvent.objects.filter(ticket=ticket, type=EventType.ASSIGNED)
    assert {e.body for e in reasons} == {"Speaks English", "Back to the queue"}


def test_agent_cannot_take_another_agents_ticket(agent_client: Client, agent: User) -> None:
    # given
    ticket = TicketFactory(assignee=UserFactory(role=Role.AGENT))
    # when
    response = post_json(
        agent_client, f"{LIST}{ticket.pk}/assign", {"assignee_id": agent.pk, "reason": "mine"}
    )
    # then
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.assignee_id != agent.pk


def test_assigning_to_an_unknown_user_is_404(supervisor: User) -> None:
    # given
    ticket = TicketFactory()
    # when
    response = post_json(
        logged_in(supervisor), f"{LIST}{ticket.pk}/assign", {"assignee_id": 999999, "reason": "x"}
    )
    # then
    assert response.status_code == 404


# --- hand-off ------------------------------------------------------------------------------------


def test_hand_off_to_the_merchant_waits_on_the_merchant(agent_client: Client) -> None:
    # given
    order = OrderFactory()
    ticket = TicketFactory(order=order, customer=order.customer, merchant=order.merchant)
    # when
    response = post_json(
        agent_client,
        f"{LIST}{ticket.pk}/hand-off",
        {"to_party": "merchant", "reason": "The shop must check its stock"},
    )
    # then
    assert response.status_code == 200, response.content
    assert response.json()["responsible_party"] == Party.MERCHANT
    assert response.json()["status"] == TicketStatus.PENDING_MERCHANT
    detail = agent_client.get(f"{LIST}{ticket.pk}").json()
    assert detail["party"]["handoff_count"] == 1
    assert detail["party"]["handoff_reason"] == "The shop must check its stock"


def test_hand_off_without_a_reason_is_400(agent_client: Client) -> None:
    # given
    order = OrderFactory()
    ticket = TicketFactory(order=order, customer=order.customer, merchant=order.merchant)
    # when
    response = post_json(
        agent_client, f"{LIST}{ticket.pk}/hand-off", {"to_party": "merchant", "reason": ""}
    )
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "handoff_reason_required"
    ticket.refresh_from_db()
    assert ticket.responsible_party == Party.PLATFORM


# --- rate and complain ---------------------------------------------------------------------------


def test_customer_rates_their_resolved_ticket_once(customer_user: User) -> None:
    # given
    ticket = TicketFactory(customer=customer_user.customer, status=TicketStatus.RESOLVED)
    client = logged_in(customer_user)
    url = f"{LIST}{ticket.pk}/rate"
    # when
    rated = post_json(client, url, {"rating": 5, "comment": "<i>fast</i>"})
    again = post_json(client, url, {"rating": 1})
    # then
    assert rated.status_code == 200, rated.content
    ticket.refresh_from_db()
    assert (ticket.rating, ticket.rating_comment) == (5, "<i>fast</i>")
    assert again.status_code == 400
    assert again.json()["code"] == "already_rated"


def test_rating_an_open_ticket_is_400_and_out_of_range_is_422(agent_client: Client) -> None:
    # given
    ticket = TicketFactory(status=TicketStatus.OPEN)
    # when
    early = post_json(agent_client, f"{LIST}{ticket.pk}/rate", {"rating": 4})
    wrong = post_json(agent_client, f"{LIST}{ticket.pk}/rate", {"rating": 6})
    # then
    assert early.status_code == 400
    assert early.json()["code"] == "not_resolved"
    assert wrong.status_code == 422
    ticket.refresh_from_db()
    assert ticket.rating is None


def test_complaint_opens_one_linked_ticket(customer_user: User) -> None:
    # given
    CategoryFactory(code="service_complaint")
    ticket = TicketFactory(customer=customer_user.customer, status=TicketStatus.RESOLVED)
    client = logged_in(customer_user)
    url = f"{LIST}{ticket.pk}/complain"
    # when
    first = post_json(client, url, {"body": "Nobody called me back"})
    second = post_json(client, url, {"body": "Still waiting"})
    # then
    assert first.status_code == 201, first.content
    assert second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    complaint = Ticket.objects.get(parent=ticket)
    assert complaint.pk == first.json()["id"]
    assert complaint.priority == "high"
