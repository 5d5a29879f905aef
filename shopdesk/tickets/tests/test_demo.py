import random
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from shopdesk.accounts.models import AgentProfile, Team
from shopdesk.orders.demo import DemoConfig, demo_generate
from shopdesk.tickets.demo import demo_tickets, demo_tickets_delete
from shopdesk.tickets.models import Ticket, TicketEvent
from shopdesk.tickets.states import ACTIVE_STATUSES, AuthorKind, EventType

NOW = datetime(2026, 11, 21, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _snapshot():
    tickets = list(
        Ticket.objects.order_by("created_at", "order__external_id").values_list(
            "order__external_id",
            "category__code",
            "channel",
            "status",
            "created_at",
            "first_replied_at",
            "sla_breached_at",
            "rating",
            "bounce_count",
            "assignee__username",
        )
    )
    events = list(
        TicketEvent.objects.order_by(
            "ticket__created_at", "ticket__order__external_id", "id"
        ).values_list("type", "author_kind", "created_at", "body")
    )
    return tickets, events


@pytest.fixture
def demo_orders():
    demo_generate(config=DemoConfig(orders=600, seed=11), show_progress=False)


@pytest.mark.django_db
def test_demo_tickets_have_lives_through_the_services(demo_orders):
    # when
    result = demo_tickets(rng=random.Random(2), now=NOW)
    # then: tickets on about 6.5 % of the orders, in several statuses, some still waiting
    tickets = Ticket.objects.all()
    assert result["tickets"] == tickets.count() >= 35
    assert len(result["by_status"]) >= 3
    assert tickets.filter(status__in=ACTIVE_STATUSES).exists()
    assert tickets.filter(status="closed").exists()
    # every ticket starts with the customer's words; agents answered
    events = TicketEvent.objects.all()
    first_messages = events.filter(type=EventType.MESSAGE, author_kind=AuthorKind.CUSTOMER)
    assert first_messages.values("ticket").distinct().count() == tickets.count()
    assert events.filter(type=EventType.MESSAGE, author_kind=AuthorKind.AGENT).count() >= 35
    assert tickets.filter(first_replied_at__isnull=False).count() >= 30
    # hand-offs, merchant replies, ratings, SLA breaches recorded by the scan
    assert events.filter(type=EventType.HANDED_OFF).exists()
    assert events.filter(type=EventType.MESSAGE, author_kind=AuthorKind.MERCHANT).exists()
    assert tickets.filter(rating__isnull=False).exists()
    assert tickets.filter(sla_breached_at__isnull=False).exists()
    assert events.filter(type=EventType.SLA_BREACH).exists()
    # nothing happens after now
    assert not events.filter(created_at__gt=NOW).exists()
    assert not tickets.filter(created_at__gt=NOW).exists()


@pytest.mark.django_db
def test_demo_staff_agents_teams_and_logins(demo_orders):
    # when
    result = demo_tickets(rng=random.Random(2), now=NOW)
    # then
    usernames = {login.username for login in result["logins"]}
    assert {"demo-agent2", "demo-agent6"} <= usernames
    assert AgentProfile.objects.filter(team__merchant__isnull=True).count() == 6
    assert AgentProfile.objects.filter(team__is_vip_queue=True).exists()
    assert Team.objects.filter(merchant__isnull=False).count() == 2
    assert Team.objects.get(code="service").supervisor.username == "demo-supervisor"
    english = AgentProfile.objects.get(user__username="demo-agent5")
    assert english.skill_languages == ["en"]


@pytest.mark.django_db
def test_same_seed_and_now_give_the_same_tickets(demo_orders):
    # given
    demo_tickets(rng=random.Random(2), now=NOW)
    first = _snapshot()
    demo_tickets_delete()
    AgentProfile.objects.all().delete()  # agent loads start from zero again
    # when
    demo_tickets(rng=random.Random(2), now=NOW)
    # then
    assert _snapshot() == first
    assert len(first[0]) >= 35
