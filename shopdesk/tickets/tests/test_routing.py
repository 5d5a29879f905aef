from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from shopdesk.accounts.models import AgentProfile, Customer, Team, User
from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import CustomerFactory, MerchantFactory, UserFactory
from shopdesk.orders.tests.factories import OrderFactory, OrderItemFactory
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.routing import (
    calendar_is_open,
    next_ticket_for_agent,
    route_ticket,
    unassigned_queue,
)
from shopdesk.tickets.routing_roster import roster_cache_clear
from shopdesk.tickets.states import Party, Priority, TicketStatus
from shopdesk.tickets.tests.factories import (
    AgentProfileFactory,
    BusinessCalendarFactory,
    CategoryFactory,
    TeamFactory,
    TicketFactory,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_10 = datetime(2025, 6, 9, 10, 0, tzinfo=SHANGHAI)
SUNDAY_10 = datetime(2025, 6, 8, 10, 0, tzinfo=SHANGHAI)


def _created(ticket: Ticket, at: datetime) -> Ticket:
    Ticket.objects.filter(pk=ticket.pk).update(created_at=at)
    return ticket


def test_least_loaded_agent_by_ratio_gets_the_ticket() -> None:
    # given 3/10 is busier than 5/20
    AgentProfileFactory(active_ticket_count=3, capacity=10)
    lighter = AgentProfileFactory(active_ticket_count=5, capacity=20)
    ticket = TicketFactory()

    # when
    decision = route_ticket(ticket=ticket, now=timezone.now())

    # then
    assert decision.assignee == lighter.user
    assert decision.team == lighter.team
    assert decision.rule == "skills"
    assert "5/20" in decision.reason


def test_equal_load_goes_to_the_lowest_user_id() -> None:
    # given
    first = AgentProfileFactory(active_ticket_count=2)
    AgentProfileFactory(active_ticket_count=2)

    # when
    decision = route_ticket(ticket=TicketFactory(), now=timezone.now())

    # then
    assert decision.assignee == first.user


def _ticket_with_item(*, product_category: str = "books", **kwargs: Any) -> Ticket:
    item = OrderItemFactory(product__category=product_category)
    return TicketFactory(order=item.order, order_item=item, merchant=item.order.merchant, **kwargs)


@pytest.mark.parametrize(
    ("skills", "matches"),
    [
        ({"skill_languages": ["en"]}, False),
        ({"skill_languages": ["zh-hans", "en"]}, True),
        ({"skill_languages": ["ZH"]}, True),  # a base language serves its variants
        ({"skill_categories": ["payment"]}, False),
        ({"skill_categories": ["logistics_delay"]}, True),
        ({"skill_product_categories": ["toys"]}, False),
        ({"skill_product_categories": ["books"]}, True),
        ({"skill_merchant_ids": [0]}, False),
        ({"skill_merchant_ids": ["merchant"]}, True),
    ],
)
def test_skills_filter(skills: dict[str, list[Any]], matches: bool) -> None:
    # given
    ticket = _ticket_with_item(category=CategoryFactory(code="logistics_delay"))
    ticket.refresh_from_db()
    if skills.get("skill_merchant_ids") == ["merchant"]:
        skills = {"skill_merchant_ids": [ticket.merchant_id]}
    specialist = AgentProfileFactory(**skills)

    # when
    decision = route_ticket(ticket=ticket, now=timezone.now())

    # then
    assert (decision.assignee == specialist.user) is matches
    assert decision.rule == ("skills" if matches else "no_agent")


def test_product_category_falls_back_to_the_orders_first_item() -> None:
    # given an order whose first line is a book, and a ticket about the order as a whole
    order = OrderFactory()
    OrderItemFactory(order=order, line_no=2, product__category="toys")
    OrderItemFactory(order=order, line_no=1, product__category="books")
    toys = AgentProfileFactory(skill_product_categories=["toys"])
    books = AgentProfileFactory(skill_product_categories=["books"], active_ticket_count=9)
    ticket = TicketFactory(order=order)

    # when
    decision = route_ticket(ticket=ticket, now=timezone.now())

    # then
    assert decision.assignee == books.user
    assert decision.assignee != toys.user


def test_ticket_without_order_matches_product_specialists() -> None:
    # given: an unknown value restricts nobody
    specialist = AgentProfileFactory(skill_product_categories=["toys"], skill_merchant_ids=[1])

    # when
    decision = route_ticket(ticket=TicketFactory(), now=timezone.now())

    # then
    assert decision.assignee == specialist.user


@pytest.mark.parametrize(
    "profile",
    [
        {"active_ticket_count": 20, "capacity": 20},
        {"capacity": 0},
        {"is_online": False},
        {"last_seen_at": timezone.now() - timedelta(minutes=11)},
        {"last_seen_at": None},
        {"user__is_active": False},
        {"user__role": Role.MERCHANT_STAFF},
        {"user__role": None},
        {"team__merchant": "merchant"},
    ],
    ids=[
        "full",
        "no-capacity",
        "offline",
        "stale-heartbeat",
        "never-seen",
        "inactive",
        "merchant-staff",
        "no-role",
        "merchant-team",
    ],
)
def test_unavailable_agent_gets_nothing(profile: dict[str, Any]) -> None:
    # given
    if profile.get("team__merchant") == "merchant":
        profile = {"team__merchant": MerchantFactory()}
    AgentProfileFactory(**profile)

    # when
    decision = route_ticket(ticket=TicketFactory(), now=timezone.now())

    # then
    assert decision.assignee is None
    assert decision.rule == "no_agent"
    assert decision.team == Team.objects.get(code="service")
    assert "unassigned queue" in decision.reason


def test_supervisor_is_routable() -> None:
    # given
    supervisor = AgentProfileFactory(user__role=Role.SUPERVISOR)

    # when
    decision = route_ticket(ticket=TicketFactory(), now=timezone.now())

    # then
    assert decision.assignee == supervisor.user


def _office_hours_team() -> Team:
    calendar = BusinessCalendarFactory(
        is_24x7=False, weekly_hours={str(d): [["09:00", "18:00"]] for d in range(5)}
    )
    return TeamFactory(calendar=calendar)


@pytest.mark.parametrize(("now", "assigned"), [(MONDAY_10, True), (SUNDAY_10, False)])
def test_agents_of_a_closed_team_get_nothing(now: datetime, assigned: bool) -> None:
    # given
    office = AgentProfileFactory(team=_office_hours_team(), last_seen_at=now)

    # when
    decision = route_ticket(ticket=TicketFactory(), now=now)

    # then
    assert (decision.assignee == office.user) is assigned


def test_agent_without_team_is_always_open() -> None:
    # given
    loner = AgentProfileFactory(team=None, last_seen_at=SUNDAY_10)

    # when
    decision = route_ticket(ticket=TicketFactory(), now=SUNDAY_10)

    # then
    assert decision.assignee == loner.user
    assert decision.team is None


def test_calendar_check_is_swappable() -> None:
    # given a 24x7 team, and a check that says every calendar is shut
    AgentProfileFactory()

    # when
    decision = route_ticket(
        ticket=TicketFactory(), now=timezone.now(), calendar_open=lambda cal, at: False
    )

    # then
    assert decision.rule == "no_agent"


@pytest.mark.parametrize(
    ("calendar", "at", "expected"),
    [
        ({}, MONDAY_10, True),
        ({}, SUNDAY_10, False),
        ({}, MONDAY_10.replace(hour=8), False),
        ({"extra_holidays": ["2025-06-09"]}, MONDAY_10, False),
        ({"extra_workdays": ["2025-06-08"]}, SUNDAY_10, True),
        ({"uses_china_holidays": True}, datetime(2025, 10, 1, 10, tzinfo=SHANGHAI), False),
        ({"uses_china_holidays": True}, datetime(2025, 9, 28, 10, tzinfo=SHANGHAI), True),
        ({"is_24x7": True}, SUNDAY_10, True),
        ({"weekly_hours": {"0": [["18:00", "09:00"]]}}, SUNDAY_10, True),
        (
            {"uses_china_holidays": True, "extra_workdays": ["2025-10-01"]},
            datetime(2025, 10, 1, 10, tzinfo=SHANGHAI),
            True,
        ),
    ],
    ids=[
        "weekday",
        "weekend",
        "before-opening",
        "extra-holiday",
        "extra-workday",
        "national-day",
        "make-up-workday",
        "24x7",
        "malformed-counts-as-24x7",
        "extra-workday-beats-holiday",
    ],
)
def test_calendar_is_open(calendar: dict[str, Any], at: datetime, expected: bool) -> None:
    # given
    fields = {
        "is_24x7": False,
        "weekly_hours": {str(d): [["09:00", "18:00"]] for d in range(5)},
        **calendar,
    }

    # when
    result = calendar_is_open(BusinessCalendarFactory(**fields), at)

    # then
    assert result is expected


def test_sticky_routing_to_the_last_agent_within_30_days() -> None:
    # given the customer's last agent is busier than another one
    now = timezone.now()
    last = AgentProfileFactory(active_ticket_count=4)
    AgentProfileFactory(active_ticket_count=0)
    earlier = TicketFactory(assignee=last.user, status=TicketStatus.CLOSED)
    _created(earlier, now - timedelta(days=3))

    # when
    decision = route_ticket(ticket=TicketFactory(customer=earlier.customer), now=now)

    # then
    assert decision.assignee == last.user
    assert decision.rule == "sticky"
    assert "3 days ago" in decision.reason
    assert "4/20" in decision.reason


def test_most_recent_served_ticket_decides_stickiness() -> None:
    # given
    now = timezone.now()
    older, newer = AgentProfileFactory(), AgentProfileFactory(active_ticket_count=5)
    customer = CustomerFactory()
    _created(TicketFactory(customer=customer, assignee=older.user), now - timedelta(days=9))
    _created(TicketFactory(customer=customer, assignee=newer.user), now - timedelta(days=2))
    _created(TicketFactory(customer=customer), now - timedelta(days=1))  # unassigned

    # when
    decision = route_ticket(ticket=TicketFactory(customer=customer), now=now)

    # then
    assert decision.assignee == newer.user


@pytest.mark.parametrize(
    ("age", "unavailable"),
    [(timedelta(days=31), {}), (timedelta(days=1), {"is_online": False})],
    ids=["beyond-30-days", "last-agent-offline"],
)
def test_stickiness_ignored(age: timedelta, unavailable: dict[str, Any]) -> None:
    # given
    now = timezone.now()
    last = AgentProfileFactory(active_ticket_count=9, **unavailable)
    other = AgentProfileFactory(active_ticket_count=5)
    earlier = _created(TicketFactory(assignee=last.user), now - age)

    # when
    decision = route_ticket(ticket=TicketFactory(customer=earlier.customer), now=now)

    # then
    assert decision.assignee == other.user
    assert decision.rule == "skills"


def test_excluded_agent_is_passed_over_even_when_sticky() -> None:
    # given the agent who breached the SLA is the customer's last agent
    breacher = AgentProfileFactory()
    other = AgentProfileFactory(active_ticket_count=7)
    ticket = TicketFactory(assignee=breacher.user)
    earlier = _created(
        TicketFactory(customer=ticket.customer, assignee=breacher.user),
        timezone.now() - timedelta(days=1),
    )

    # when
    decision = route_ticket(ticket=ticket, now=timezone.now(), exclude_user_ids=[breacher.user_id])

    # then
    assert earlier.assignee == breacher.user
    assert decision.assignee == other.user


def test_rerouting_an_existing_ticket_does_not_stick_to_itself() -> None:
    # given
    current = AgentProfileFactory(active_ticket_count=5)
    other = AgentProfileFactory(active_ticket_count=1)
    ticket = TicketFactory(assignee=current.user)

    # when
    decision = route_ticket(ticket=ticket, now=timezone.now())

    # then
    assert decision.assignee == other.user


@pytest.mark.parametrize(
    ("tier", "total"),
    [(Customer.Tier.VIP, Decimal("10.00")), (Customer.Tier.REGULAR, Decimal("2000.01"))],
    ids=["vip-tier", "big-order"],
)
def test_vip_prefers_the_vip_queue(tier: str, total: Decimal) -> None:
    # given
    AgentProfileFactory(active_ticket_count=0)
    vip = AgentProfileFactory(team=TeamFactory(is_vip_queue=True), active_ticket_count=10)
    order = OrderFactory(total_amount=total, customer__tier=tier)
    ticket = TicketFactory(customer=order.customer, order=order)

    # when
    decision = route_ticket(ticket=ticket, now=timezone.now())

    # then
    assert decision.assignee == vip.user
    assert decision.rule == "vip"


def test_order_at_the_vip_amount_is_not_vip(settings: Any) -> None:
    # given
    settings.SHOPDESK_VIP_ORDER_AMOUNT = 500
    regular = AgentProfileFactory(active_ticket_count=0)
    AgentProfileFactory(team=TeamFactory(is_vip_queue=True), active_ticket_count=10)
    order = OrderFactory(total_amount=Decimal("500.00"))

    # when
    decision = route_ticket(ticket=TicketFactory(order=order), now=timezone.now())

    # then
    assert decision.assignee == regular.user


def test_vip_threshold_is_a_setting(settings: Any) -> None:
    # given
    settings.SHOPDESK_VIP_ORDER_AMOUNT = 100
    AgentProfileFactory(active_ticket_count=0)
    vip = AgentProfileFactory(team=TeamFactory(is_vip_queue=True), active_ticket_count=10)
    order = OrderFactory(total_amount=Decimal("150.00"))

    # when
    decision = route_ticket(ticket=TicketFactory(order=order), now=timezone.now())

    # then
    assert decision.assignee == vip.user


def test_vip_without_vip_agent_falls_back_to_any_agent() -> None:
    # given
    regular = AgentProfileFactory()

    # when
    decision = route_ticket(
        ticket=TicketFactory(customer__tier=Customer.Tier.VIP), now=timezone.now()
    )

    # then
    assert decision.assignee == regular.user
    assert decision.rule == "skills"


def test_vip_without_any_agent_waits_in_the_vip_queue() -> None:
    # when
    decision = route_ticket(
        ticket=TicketFactory(customer__tier=Customer.Tier.VIP), now=timezone.now()
    )

    # then
    assert decision.assignee is None
    assert decision.team == Team.objects.get(code="vip")
    assert decision.rule == "no_agent"
    assert "VIP queue" in decision.reason


@pytest.mark.parametrize("has_team", [True, False])
def test_merchant_held_ticket_goes_to_the_merchants_team(has_team: bool) -> None:
    # given an online agent who must not get it
    AgentProfileFactory()
    merchant = MerchantFactory()
    team = TeamFactory(merchant=merchant) if has_team else None
    ticket = TicketFactory(merchant=merchant, responsible_party=Party.MERCHANT)

    # when
    decision = route_ticket(ticket=ticket, now=timezone.now())

    # then
    assert decision.assignee is None
    assert decision.team == team
    assert decision.rule == "merchant"


def test_unsaved_ticket_is_routed_with_few_queries(django_assert_num_queries: Any) -> None:
    # given many agents, an unsaved ticket about an order item, a sticky history
    now = timezone.now()
    for load in range(10):
        AgentProfileFactory(active_ticket_count=load, skill_languages=["zh-hans"])
    item = OrderItemFactory(order__total_amount=Decimal("3000"))
    _created(TicketFactory(customer=item.order.customer), now - timedelta(days=1))
    ticket = Ticket(
        category=CategoryFactory(code="payment"),
        customer=item.order.customer,
        order=item.order,
        order_item=item,
        merchant=item.order.merchant,
    )

    # when
    with django_assert_num_queries(2):
        decision = route_ticket(ticket=ticket, now=now)

    # then
    assert decision.assignee is not None
    assert decision.assignee.agent_profile.active_ticket_count == 0


def test_no_agent_costs_three_queries(django_assert_num_queries: Any) -> None:
    # given
    ticket = TicketFactory()

    # when
    with django_assert_num_queries(3):
        decision = route_ticket(ticket=ticket, now=timezone.now())

    # then
    assert decision.rule == "no_agent"


def test_unassigned_queue_is_urgent_first_then_earliest_due() -> None:
    # given
    now = timezone.now()
    low_soon = TicketFactory(priority=Priority.LOW, sla_due_at=now + timedelta(minutes=1))
    urgent_late = TicketFactory(priority=Priority.URGENT, sla_due_at=now + timedelta(hours=5))
    urgent_soon = TicketFactory(priority=Priority.URGENT, sla_due_at=now + timedelta(hours=1))
    high_no_due = TicketFactory(priority=Priority.HIGH)
    high_due = TicketFactory(priority=Priority.HIGH, sla_due_at=now + timedelta(hours=9))
    reopened = TicketFactory(status=TicketStatus.REOPENED, sla_due_at=now)
    TicketFactory(priority=Priority.URGENT, assignee=UserFactory())
    TicketFactory(priority=Priority.URGENT, status=TicketStatus.PENDING_CUSTOMER)
    TicketFactory(priority=Priority.URGENT, responsible_party=Party.MERCHANT)

    # when
    queue = list(unassigned_queue())

    # then
    assert queue == [urgent_soon, urgent_late, high_due, high_no_due, reopened, low_soon]


def test_next_ticket_for_agent_takes_the_most_urgent_within_skills() -> None:
    # given
    now = timezone.now()
    profile = AgentProfileFactory(skill_languages=["en"], skill_product_categories=["books"])
    TicketFactory(priority=Priority.URGENT, language="zh-hans")
    toys = _ticket_with_item(product_category="toys", priority=Priority.URGENT, language="en")
    normal = _ticket_with_item(product_category="books", language="en-gb")
    wanted = _ticket_with_item(product_category="books", priority=Priority.HIGH, language="en")
    no_order = TicketFactory(priority=Priority.HIGH, language="en", sla_due_at=now)

    # when
    first = next_ticket_for_agent(agent=profile.user, now=now)

    # then
    assert first == no_order
    assert toys != first != normal
    no_order.delete()
    assert next_ticket_for_agent(agent=profile.user, now=now) == wanted


@pytest.mark.parametrize(
    "skills",
    [{"skill_categories": ["payment"]}, {"skill_merchant_ids": [0]}],
)
def test_next_ticket_for_agent_filters_category_and_merchant(skills: dict[str, Any]) -> None:
    # given
    profile = AgentProfileFactory(**skills)
    _ticket_with_item(category=CategoryFactory(code="other"))
    payment = TicketFactory(category=CategoryFactory(code="payment"))

    # when
    ticket = next_ticket_for_agent(agent=profile.user, now=timezone.now())

    # then: the payment ticket has no merchant, so it matches either restriction
    assert ticket == payment


@pytest.mark.parametrize(
    "profile",
    [{"active_ticket_count": 20, "capacity": 20}, {"team__calendar__is_24x7": False}],
    ids=["full", "closed"],
)
def test_next_ticket_for_agent_none_when_full_or_closed(profile: dict[str, Any]) -> None:
    # given
    agent = AgentProfileFactory(**profile).user
    TicketFactory()

    # when
    ticket = next_ticket_for_agent(agent=agent, now=SUNDAY_10)

    # then
    assert ticket is None


def test_next_ticket_for_user_without_profile_is_none() -> None:
    # given
    TicketFactory()
    user: User = UserFactory(role=Role.AGENT)

    # when / then
    assert next_ticket_for_agent(agent=user, now=timezone.now()) is None


def test_cached_roster_still_sees_presence_and_load_at_once(
    settings: Any, django_assert_num_queries: Any
) -> None:
    # given the roster cached for a minute, and two agents
    settings.SHOPDESK_ROUTING_CACHE_SECONDS = 60
    first = AgentProfileFactory(active_ticket_count=0)
    second = AgentProfileFactory(active_ticket_count=1)
    now = timezone.now()
    assert route_ticket(ticket=TicketFactory(), now=now).assignee == first.user
    # when the first agent's load grows, then the second one goes away
    AgentProfile.objects.filter(pk=first.pk).update(active_ticket_count=5)
    ticket = TicketFactory()
    with django_assert_num_queries(2):
        busier = route_ticket(ticket=ticket, now=now)
    AgentProfile.objects.filter(pk=second.pk).update(is_online=False)
    away = route_ticket(ticket=TicketFactory(), now=now)
    # then each decision used the load and presence of that moment
    assert busier.assignee == second.user
    assert "1/20" in busier.reason
    assert away.assignee == first.user
    assert "5/20" in away.reason


def test_cached_roster_keeps_skills_until_it_expires(settings: Any) -> None:
    # given the roster cached with an agent skilled in payments only
    settings.SHOPDESK_ROUTING_CACHE_SECONDS = 60
    profile = AgentProfileFactory(skill_categories=["payment"])
    ticket = TicketFactory(category=CategoryFactory(code="logistics_delay"))
    assert route_ticket(ticket=ticket, now=timezone.now()).assignee is None
    # when the agent learns logistics
    AgentProfile.objects.filter(pk=profile.pk).update(skill_categories=[])
    cached = route_ticket(ticket=ticket, now=timezone.now())
    roster_cache_clear()
    fresh = route_ticket(ticket=ticket, now=timezone.now())
    # then the change counts once the roster is read again
    assert cached.assignee is None
    assert fresh.assignee == profile.user
