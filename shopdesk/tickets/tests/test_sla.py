from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shopdesk.accounts.models import Customer
from shopdesk.core.business_time import ALWAYS_OPEN, WorkingCalendar, weekly_from_spec
from shopdesk.tickets import sla
from shopdesk.tickets.models import SlaPolicy
from shopdesk.tickets.states import Channel, Party, Priority, SlaClock, TicketStatus
from shopdesk.tickets.tests.factories import (
    BusinessCalendarFactory,
    CategoryFactory,
    SlaPolicyFactory,
    TeamFactory,
    TicketFactory,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
WORKWEEK = {str(day): [["09:00", "18:00"]] for day in range(5)}


def _ticket(**kwargs):
    # Built in memory, as the services hand it over before their compare-and-set save.
    tier = kwargs.pop("customer__tier", Customer.Tier.REGULAR)
    kwargs.setdefault("customer", Customer(tier=tier))
    ticket = TicketFactory.build(**kwargs)
    ticket.created_at = kwargs.get("created_at", T0)
    return ticket


def _started(now=T0, **kwargs):
    ticket = _ticket(created_at=now, **kwargs)
    sla.sla_start(ticket, now=now)
    return ticket


# --- pure deadline arithmetic ---------------------------------------------------------------


def test_deadlines_warn_at_80_percent_on_24x7():
    # when
    warn_at, due_at = sla.compute_deadlines(calendar=ALWAYS_OPEN, start=T0, minutes=15)

    # then
    assert warn_at == T0 + timedelta(minutes=12)
    assert due_at == T0 + timedelta(minutes=15)


def test_deadlines_skip_closed_hours():
    # given Monday-Friday 09:00-18:00 Shanghai; Friday 17:30
    calendar = WorkingCalendar(tz=SHANGHAI, weekly=weekly_from_spec(WORKWEEK))
    start = datetime(2026, 3, 6, 17, 30, tzinfo=SHANGHAI)

    # when
    warn_at, due_at = sla.compute_deadlines(calendar=calendar, start=start, minutes=60)

    # then 30 minutes on Friday, the rest on Monday morning
    assert warn_at == datetime(2026, 3, 9, 9, 18, tzinfo=SHANGHAI)
    assert due_at == datetime(2026, 3, 9, 9, 30, tzinfo=SHANGHAI)


# --- policy matching --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("condition", "matching", "other"),
    [
        ({"priorities": ["high"]}, {"priority": Priority.HIGH}, {"priority": Priority.LOW}),
        ({"channels": ["phone"]}, {"channel": Channel.PHONE}, {"channel": Channel.API}),
        ({"category_codes": ["payment"]}, {"category": "payment"}, {"category": "other"}),
        (
            {"customer_tiers": ["vip"]},
            {"customer__tier": Customer.Tier.VIP},
            {"customer__tier": Customer.Tier.REGULAR},
        ),
        ({"parties": ["merchant"]}, {"party": Party.MERCHANT}, {"party": Party.PLATFORM}),
    ],
)
def test_policy_matches_each_condition(condition, matching, other):
    # given a specific policy ahead of the seeded ones
    policy = SlaPolicyFactory(position=1, **condition)

    def ticket_with(facts):
        facts = dict(facts)
        kwargs = {}
        if "category" in facts:
            kwargs["category"] = CategoryFactory.build(code=facts.pop("category"))
        if "party" in facts:
            kwargs["responsible_party"] = facts.pop("party")
        kwargs.update(facts)
        return _ticket(**kwargs)

    # when / then
    assert sla.policy_match(ticket=ticket_with(matching)) == policy
    assert sla.policy_match(ticket=ticket_with(other)) != policy


@pytest.mark.django_db
def test_policy_inactive_and_position_order():
    # given
    SlaPolicyFactory(position=1, is_active=False, channels=["phone"])
    second = SlaPolicyFactory(position=2, channels=["phone"])
    SlaPolicyFactory(position=3, channels=["phone"])

    # when / then
    assert sla.policy_match(ticket=_ticket(channel=Channel.PHONE)) == second


@pytest.mark.django_db
def test_policy_cache_saves_queries(settings, django_assert_num_queries):
    # given a warm cache
    settings.SHOPDESK_SLA_CACHE_SECONDS = 60
    sla.sla_cache_clear()
    _started()

    # when / then the next ticket reads nothing
    with django_assert_num_queries(0):
        ticket = _started()
    assert ticket.sla_policy.name == "默认 Default"
    sla.sla_cache_clear()


# --- start, replies ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_default_policy_first_reply_in_15_minutes_round_the_clock():
    # when
    ticket = _ticket()
    fields = sla.sla_start(ticket, now=T0)

    # then
    assert ticket.sla_policy.name == "默认 Default"
    assert ticket.first_reply_warn_at == T0 + timedelta(minutes=12)
    assert ticket.first_reply_due_at == T0 + timedelta(minutes=15)
    assert ticket.resolution_due_at == T0 + timedelta(minutes=1440)
    assert ticket.sla_next_at == ticket.first_reply_warn_at
    assert ticket.sla_due_at == ticket.first_reply_due_at
    assert {"sla_policy", "first_reply_due_at", "sla_next_at", "sla_due_at"} <= set(fields)


@pytest.mark.django_db
def test_chinese_holiday_and_make_up_workday_on_business_calendar():
    # given working days 09:00-18:00 with the Chinese public calendar (National Day 2025:
    # 1-8 October off, Saturday 11 October a make-up workday)
    calendar = BusinessCalendarFactory(
        is_24x7=False, weekly_hours=WORKWEEK, uses_china_holidays=True
    )
    SlaPolicyFactory(position=1, channels=["phone"], first_reply_minutes=30, calendar=calendar)

    # when a ticket arrives 10 minutes before closing on the eve of the holiday
    before_holiday = _started(
        now=datetime(2025, 9, 30, 17, 50, tzinfo=SHANGHAI), channel=Channel.PHONE
    )
    # and one on the Friday before the make-up Saturday
    before_make_up = _started(
        now=datetime(2025, 10, 10, 17, 50, tzinfo=SHANGHAI), channel=Channel.PHONE
    )

    # then the holiday week does not count, and the make-up Saturday does
    assert before_holiday.first_reply_due_at == datetime(2025, 10, 9, 9, 20, tzinfo=SHANGHAI)
    assert before_make_up.first_reply_due_at == datetime(2025, 10, 11, 9, 20, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_team_calendar_when_policy_has_none():
    # given
    team = TeamFactory(
        calendar=BusinessCalendarFactory(
            is_24x7=False, weekly_hours=WORKWEEK, uses_china_holidays=False
        )
    )
    saturday = datetime(2026, 3, 7, 12, 0, tzinfo=SHANGHAI)

    # when
    ticket = _started(now=saturday, team=team)

    # then the clock starts on Monday at nine
    assert ticket.first_reply_due_at == datetime(2026, 3, 9, 9, 15, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_public_reply_meets_first_reply_once_and_customer_message_starts_next_reply():
    # given
    ticket = _started()
    first = T0 + timedelta(minutes=5)

    # when
    sla.sla_on_public_reply(ticket, now=first)
    sla.sla_on_customer_message(ticket, now=T0 + timedelta(minutes=30))
    sla.sla_on_customer_message(ticket, now=T0 + timedelta(minutes=40))

    # then the next-reply clock runs from the first unanswered message (Default: 60 minutes)
    assert ticket.first_replied_at == first
    assert ticket.next_reply_due_at == T0 + timedelta(minutes=90)
    assert ticket.next_reply_warn_at == T0 + timedelta(minutes=78)
    assert ticket.sla_next_at == ticket.next_reply_warn_at

    # when a second reply comes
    fields = sla.sla_on_public_reply(ticket, now=T0 + timedelta(minutes=50))

    # then the first reply time stays and the next-reply clock stops
    assert ticket.first_replied_at == first
    assert ticket.next_reply_due_at is None
    assert "first_replied_at" not in fields
    assert "next_reply_due_at" in fields
    assert ticket.sla_due_at == ticket.resolution_due_at


# --- pause, resume, stop ----------------------------------------------------------------------


@pytest.mark.django_db
def test_waiting_on_customer_pauses_every_clock():
    # given
    ticket = _started()
    ticket.status = TicketStatus.PENDING_CUSTOMER

    paused_at = T0 + timedelta(minutes=5)

    # when
    fields = sla.sla_on_status(
        ticket, old=TicketStatus.OPEN, new=TicketStatus.PENDING_CUSTOMER, now=paused_at
    )

    # then nothing is pending for the scan, and the deadlines wait for the resume
    assert ticket.sla_paused_at == paused_at
    assert ticket.sla_next_at is None
    assert ticket.sla_due_at is None
    assert ticket.first_reply_due_at == T0 + timedelta(minutes=15)
    assert set(fields) == {"sla_paused_at", "sla_next_at", "sla_due_at"}


@pytest.mark.django_db
def test_resume_pushes_unmet_deadlines_by_paused_time_but_not_fired_warnings():
    # given a ticket whose first-reply warning has fired
    ticket = _started()
    ticket.sla_marks = {"first_reply": {"warned": T0.isoformat()}}
    ticket.status = TicketStatus.PENDING_CUSTOMER
    sla.sla_on_status(
        ticket,
        old=TicketStatus.OPEN,
        new=TicketStatus.PENDING_CUSTOMER,
        now=T0 + timedelta(minutes=13),
    )

    # when resumed 60 minutes later
    ticket.status = TicketStatus.OPEN
    fields = sla.sla_on_status(
        ticket,
        old=TicketStatus.PENDING_CUSTOMER,
        new=TicketStatus.OPEN,
        now=T0 + timedelta(minutes=73),
    )

    # then
    assert ticket.sla_paused_at is None
    assert ticket.first_reply_warn_at == T0 + timedelta(minutes=12)
    assert ticket.first_reply_due_at == T0 + timedelta(minutes=75)
    assert ticket.resolution_warn_at == T0 + timedelta(minutes=1152 + 60)
    assert ticket.resolution_due_at == T0 + timedelta(minutes=1440 + 60)
    assert ticket.sla_next_at == T0 + timedelta(minutes=75)
    assert {"first_reply_due_at", "resolution_due_at", "sla_paused_at"} <= set(fields)
    assert "first_reply_warn_at" not in fields


@pytest.mark.django_db
def test_resolving_stops_clocks_and_reopening_starts_new_ones():
    # given
    ticket = _started()
    sla.sla_on_public_reply(ticket, now=T0 + timedelta(minutes=3))
    sla.sla_on_customer_message(ticket, now=T0 + timedelta(minutes=4))
    ticket.status = TicketStatus.RESOLVED

    # when
    sla.sla_on_status(
        ticket, old=TicketStatus.OPEN, new=TicketStatus.RESOLVED, now=T0 + timedelta(minutes=10)
    )

    # then
    assert ticket.sla_next_at is None
    assert ticket.sla_due_at is None
    assert ticket.next_reply_due_at is None

    # when reopened two days later
    reopened = T0 + timedelta(days=2)
    ticket.status = TicketStatus.REOPENED
    sla.sla_on_status(ticket, old=TicketStatus.RESOLVED, new=TicketStatus.REOPENED, now=reopened)

    # then
    assert ticket.next_reply_due_at == reopened + timedelta(minutes=60)
    assert ticket.resolution_due_at == reopened + timedelta(minutes=1440)
    assert ticket.sla_next_at == reopened + timedelta(minutes=48)


# --- merchant, priority -----------------------------------------------------------------------


@pytest.mark.django_db
def test_merchant_clock_starts_on_hand_off_and_stops_on_take_back():
    # given a round-the-clock merchant policy ahead of the seeded one
    SlaPolicyFactory(position=1, parties=["merchant"], first_reply_minutes=120)
    ticket = _started()
    handed = T0 + timedelta(minutes=3)

    # when
    ticket.responsible_party = Party.MERCHANT
    fields = sla.sla_on_party_change(ticket, now=handed)

    # then
    assert ticket.merchant_warn_at == handed + timedelta(minutes=96)
    assert ticket.merchant_due_at == handed + timedelta(minutes=120)
    assert {"merchant_warn_at", "merchant_due_at"} <= set(fields)

    # when the platform takes it back
    ticket.responsible_party = Party.PLATFORM
    sla.sla_on_party_change(ticket, now=handed + timedelta(minutes=10))

    # then
    assert ticket.merchant_due_at is None
    assert ticket.sla_next_at == ticket.first_reply_warn_at


@pytest.mark.django_db
def test_seeded_merchant_policy_runs_on_merchant_working_days():
    # given Friday 17:00 Shanghai (the seeded merchant policy: 240 minutes, Mon-Fri 9-18)
    friday = datetime(2026, 3, 6, 17, 0, tzinfo=SHANGHAI)
    ticket = _started(now=friday)
    ticket.responsible_party = Party.MERCHANT

    # when
    sla.sla_on_party_change(ticket, now=friday)

    # then one hour on Friday, three on Monday
    assert ticket.merchant_due_at == datetime(2026, 3, 9, 12, 0, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_priority_raise_rematches_policy_and_recomputes_unmet_clocks():
    # given a normal ticket under Default (15 minutes)
    ticket = _started()

    # when it becomes urgent (seeded Urgent policy: first reply 5 minutes)
    ticket.priority = Priority.URGENT
    fields = sla.sla_on_priority_change(ticket, now=T0 + timedelta(minutes=2))

    # then
    assert ticket.sla_policy == SlaPolicy.objects.get(name="紧急 Urgent")
    assert ticket.first_reply_due_at == T0 + timedelta(minutes=5)
    assert ticket.first_reply_warn_at == T0 + timedelta(minutes=4)
    assert ticket.resolution_due_at == T0 + timedelta(minutes=240)
    assert {"sla_policy", "first_reply_due_at", "sla_next_at"} <= set(fields)


@pytest.mark.django_db
def test_summary_skips_fired_marks():
    # given
    ticket = _started()
    ticket.sla_marks = {SlaClock.FIRST_REPLY.value: {"warned": "x"}}

    # when
    sla.sla_summary(ticket)

    # then the deadline itself is next
    assert ticket.sla_next_at == ticket.first_reply_due_at

    # when it has breached too
    ticket.sla_marks = {SlaClock.FIRST_REPLY.value: {"warned": "x", "breached": "y"}}
    sla.sla_summary(ticket)

    # then the resolution warning is next, and the breached deadline still sorts the queue
    assert ticket.sla_next_at == ticket.resolution_warn_at
    assert ticket.sla_due_at == ticket.first_reply_due_at
