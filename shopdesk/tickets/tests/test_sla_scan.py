from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import MerchantFactory, UserFactory
from shopdesk.notifications.models import Notification
from shopdesk.tickets import sla
from shopdesk.tickets.models import Ticket, TicketEvent
from shopdesk.tickets.services.save_many import tickets_save_many
from shopdesk.tickets.services.sla_scan import ticket_sla_scan, tickets_sla_mark
from shopdesk.tickets.states import EventType, Party, Priority, TicketStatus
from shopdesk.tickets.tests.factories import (
    AgentProfileFactory,
    SlaPolicyFactory,
    TeamFactory,
    TicketFactory,
)

pytestmark = pytest.mark.django_db


def _ticket_with_clocks(*, created, **kwargs):
    ticket = TicketFactory(**kwargs)
    ticket.created_at = created
    sla.sla_start(ticket, now=created)
    ticket.save()
    Ticket.objects.filter(pk=ticket.pk).update(created_at=created)
    return Ticket.objects.get(pk=ticket.pk)


def _events(ticket, type_):
    return list(TicketEvent.objects.filter(ticket=ticket, type=type_).order_by("id"))


def test_warning_at_80_percent_then_breach_each_recorded_once():
    # given a Default ticket: first reply in 15 minutes, warning at 12
    t0 = timezone.now() - timedelta(hours=1)
    ticket = _ticket_with_clocks(created=t0)

    # when scanned before, at, and again after the warning
    before = ticket_sla_scan(now=t0 + timedelta(minutes=11))
    warned = ticket_sla_scan(now=t0 + timedelta(minutes=12))
    again = ticket_sla_scan(now=t0 + timedelta(minutes=13))

    # then
    assert before["warnings"] == 0
    assert warned["warnings"] == 1
    assert again == {**again, "selected": 0, "warnings": 0}
    [warning] = _events(ticket, EventType.SLA_WARNING)
    assert warning.data == {
        "clock": "first_reply",
        "due_at": (t0 + timedelta(minutes=15)).isoformat(),
    }
    ticket.refresh_from_db()
    assert ticket.sla_next_at == t0 + timedelta(minutes=15)
    assert ticket.sla_breached_at is None

    # when the deadline passes and two scans run one after the other
    breach_at = t0 + timedelta(minutes=15, seconds=30)
    first = ticket_sla_scan(now=breach_at)
    second = ticket_sla_scan(now=breach_at + timedelta(seconds=30))

    # then exactly one breach, and the ticket points at its next clock
    assert (first["breaches"], second["breaches"]) == (1, 0)
    assert len(_events(ticket, EventType.SLA_BREACH)) == 1
    ticket.refresh_from_db()
    assert ticket.sla_breached_at == breach_at
    assert set(ticket.sla_marks["first_reply"]) == {"warned", "breached"}
    assert ticket.sla_next_at == ticket.resolution_warn_at
    assert len(_events(ticket, EventType.SLA_WARNING)) == 1


def test_overdue_ticket_records_the_breach_without_a_separate_warning():
    # given
    t0 = timezone.now() - timedelta(hours=1)
    ticket = _ticket_with_clocks(created=t0)

    # when
    counts = ticket_sla_scan(now=t0 + timedelta(minutes=30))

    # then
    assert (counts["warnings"], counts["breaches"]) == (0, 1)
    assert _events(ticket, EventType.SLA_WARNING) == []


def test_stale_read_loses_the_compare_and_set_and_is_retried_next_pass():
    # given a due ticket read by a scanner, then changed by someone else
    t0 = timezone.now() - timedelta(hours=1)
    ticket = _ticket_with_clocks(created=t0)
    stale = Ticket.objects.get(pk=ticket.pk)
    now = t0 + timedelta(minutes=20)
    Ticket.objects.filter(pk=ticket.pk).update(version=F("version") + 1)

    # when the stale copy is marked
    counts = tickets_sla_mark(tickets=[stale], now=now)

    # then nothing is written
    assert counts["conflicts"] == 1
    assert _events(ticket, EventType.SLA_BREACH) == []

    # when the next pass reads it afresh, and a late competitor holds the first copy again
    retried = ticket_sla_scan(now=now)
    late = tickets_sla_mark(tickets=[Ticket.objects.get(pk=ticket.pk)], now=now)
    lost = tickets_sla_mark(tickets=[stale], now=now)

    # then the breach is recorded exactly once
    assert retried["breaches"] == 1
    assert late["breaches"] == 0
    assert lost["conflicts"] == 1
    assert len(_events(ticket, EventType.SLA_BREACH)) == 1


def test_paused_and_resolved_tickets_are_not_scanned():
    # given
    t0 = timezone.now() - timedelta(hours=3)
    paused = _ticket_with_clocks(created=t0, status=TicketStatus.PENDING_CUSTOMER)
    resolved = _ticket_with_clocks(created=t0, status=TicketStatus.RESOLVED)

    # when
    counts = ticket_sla_scan(now=t0 + timedelta(hours=2))

    # then
    assert counts["selected"] == 0
    assert not TicketEvent.objects.filter(ticket__in=[paused, resolved]).exists()


def test_breach_notifies_supervisor_and_raises_priority():
    # given the Default policy (notify supervisor, raise priority) and a supervised team
    supervisor = UserFactory(role=Role.SUPERVISOR)
    team = TeamFactory(supervisor=supervisor)
    t0 = timezone.now() - timedelta(hours=1)
    ticket = _ticket_with_clocks(created=t0, team=team, priority=Priority.NORMAL)

    # when
    counts = ticket_sla_scan(now=t0 + timedelta(minutes=16))

    # then
    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH
    [changed] = _events(ticket, EventType.PRIORITY_CHANGED)
    assert changed.data["from"] == "normal"
    assert changed.data["to"] == "high"
    [note] = Notification.objects.filter(user=supervisor)
    assert note.channel == Notification.Channel.IN_APP
    assert note.ref == f"ticket:{ticket.pk}"
    actions = {e.data["action"] for e in _events(ticket, EventType.ESCALATED)}
    assert actions == {"notify_supervisor"}
    assert counts["escalations"] == 2

    # when scanned again, nobody is notified twice
    ticket_sla_scan(now=t0 + timedelta(minutes=17))
    assert Notification.objects.filter(user=supervisor).count() == 1


def test_breach_reassigns_to_another_agent():
    # given a policy that reassigns, and two online agents of one team
    SlaPolicyFactory(position=1, escalate_reassign=True, escalate_notify_supervisor=False)
    team = TeamFactory()
    slow = AgentProfileFactory(team=team, active_ticket_count=1)
    other = AgentProfileFactory(team=team)
    t0 = timezone.now() - timedelta(minutes=30)
    ticket = _ticket_with_clocks(created=t0, team=team, assignee=slow.user)

    # when
    ticket_sla_scan(now=timezone.now())

    # then
    ticket.refresh_from_db()
    assert ticket.assignee == other.user
    [assigned] = _events(ticket, EventType.ASSIGNED)
    assert assigned.data["from"] == slow.user.pk
    assert {e.data["action"] for e in _events(ticket, EventType.ESCALATED)} == {"reassign"}


def test_breach_keeps_the_agent_when_nobody_else_can_take_it():
    # given a policy that reassigns, and the late agent is the only one online
    SlaPolicyFactory(position=1, escalate_reassign=True, escalate_notify_supervisor=False)
    team = TeamFactory()
    only = AgentProfileFactory(team=team, active_ticket_count=1)
    ticket = _ticket_with_clocks(
        created=timezone.now() - timedelta(minutes=30), team=team, assignee=only.user
    )

    # when
    ticket_sla_scan(now=timezone.now())

    # then the ticket is not dropped back into the queue
    ticket.refresh_from_db()
    assert ticket.assignee == only.user
    assert _events(ticket, EventType.ASSIGNED) == []
    assert _events(ticket, EventType.ESCALATED) == []
    assert len(_events(ticket, EventType.SLA_BREACH)) >= 1


def test_merchant_missing_its_clock_loses_the_ticket_to_the_platform():
    # given a ticket handed to the merchant, whose clock ran out
    t0 = timezone.now() - timedelta(days=3)
    ticket = _ticket_with_clocks(
        created=t0,
        merchant=MerchantFactory(),
        responsible_party=Party.MERCHANT,
        status=TicketStatus.PENDING_MERCHANT,
        last_handoff_from=Party.PLATFORM,
    )
    SlaPolicyFactory(position=1, parties=["merchant"], first_reply_minutes=60)
    sla.sla_on_party_change(ticket, now=t0)
    ticket.save()

    # when
    counts = ticket_sla_scan(now=t0 + timedelta(minutes=61))

    # then
    ticket.refresh_from_db()
    assert ticket.responsible_party == Party.PLATFORM
    assert ticket.status == TicketStatus.OPEN
    assert ticket.merchant_due_at is None
    breaches = {e.data["clock"] for e in _events(ticket, EventType.SLA_BREACH)}
    assert "merchant" in breaches
    assert len(_events(ticket, EventType.TAKEN_BACK)) == 1
    assert counts["breaches"] >= 1


def _scan_queries(*, tickets: int, now):
    with CaptureQueriesContext(connection) as queries:
        counts = ticket_sla_scan(now=now)
    assert counts["breaches"] == tickets
    return len(queries)


def test_scan_queries_do_not_grow_with_the_due_tickets(settings):
    # given policies read through the production cache, and supervised teams whose tickets
    # breach (a write, a breach, a priority change and a supervisor notification each)
    settings.SHOPDESK_SLA_CACHE_SECONDS = 5
    sla.sla_cache_clear()
    team = TeamFactory(supervisor=UserFactory(role=Role.SUPERVISOR))
    t0 = timezone.now() - timedelta(hours=1)
    for _ in range(2):
        _ticket_with_clocks(created=t0, team=team)
    sla.sla_cache_clear()
    few = _scan_queries(tickets=2, now=t0 + timedelta(minutes=20))
    for _ in range(12):
        _ticket_with_clocks(created=t0, team=team)
    sla.sla_cache_clear()

    # when
    many = _scan_queries(tickets=12, now=t0 + timedelta(minutes=21))

    # then one SELECT, one UPDATE, one INSERT of events, one of notifications (+ transaction
    # and cache reads), whatever the number of tickets
    assert many == few
    assert many <= 10
    assert Notification.objects.count() == 14
    assert TicketEvent.objects.filter(type=EventType.ESCALATED).count() == 14


def test_breach_of_two_clocks_is_one_write_with_both_events():
    # given a ticket whose first-reply and resolution deadlines have both passed
    t0 = timezone.now() - timedelta(days=40)
    ticket = _ticket_with_clocks(created=t0, priority=Priority.NORMAL)
    version = ticket.version

    # when
    counts = ticket_sla_scan(now=timezone.now())

    # then
    ticket.refresh_from_db()
    assert ticket.version == version + 1
    assert counts["breaches"] == 2
    breaches = {e.data["clock"] for e in _events(ticket, EventType.SLA_BREACH)}
    assert breaches == {"first_reply", "resolution"}
    assert len(_events(ticket, EventType.PRIORITY_CHANGED)) == 1
    assert set(ticket.sla_marks) == {"first_reply", "resolution"}


def test_a_changed_ticket_loses_alone_among_many():
    # given three due tickets read by a scanner, one of them changed since by someone else
    t0 = timezone.now() - timedelta(hours=1)
    tickets = [_ticket_with_clocks(created=t0) for _ in range(3)]
    stale = [Ticket.objects.get(pk=t.pk) for t in tickets]
    Ticket.objects.filter(pk=tickets[1].pk).update(version=F("version") + 1)

    # when
    counts = tickets_sla_mark(tickets=stale, now=t0 + timedelta(minutes=20))

    # then the other two are recorded, the changed one has nothing and is due again
    assert (counts["breaches"], counts["conflicts"]) == (2, 1)
    assert [len(_events(t, EventType.SLA_BREACH)) for t in tickets] == [1, 0, 1]
    assert _events(tickets[1], EventType.PRIORITY_CHANGED) == []
    assert ticket_sla_scan(now=t0 + timedelta(minutes=20))["breaches"] == 1


def test_save_many_bumps_versions_of_the_winners_only():
    # given
    first, second = TicketFactory(), TicketFactory()
    version = first.version
    Ticket.objects.filter(pk=second.pk).update(version=F("version") + 1)
    now = timezone.now()
    first.priority = second.priority = Priority.HIGH
    first.sla_marks = {"first_reply": {"warned": now.isoformat()}}

    # when
    won = tickets_save_many(
        writes=[(first, ["priority", "sla_marks"]), (second, ["priority", "sla_marks"])], now=now
    )

    # then
    assert won == [True, False]
    assert first.version == version + 1
    stored = Ticket.objects.get(pk=first.pk)
    assert (stored.version, stored.priority, stored.updated_at) == (version + 1, Priority.HIGH, now)
    assert stored.sla_marks == first.sla_marks
    assert Ticket.objects.get(pk=second.pk).priority == Priority.NORMAL


def test_a_notification_already_in_the_outbox_is_not_enqueued_twice():
    # given a breach whose supervisor notification another scanner has already enqueued
    supervisor = UserFactory(role=Role.SUPERVISOR)
    t0 = timezone.now() - timedelta(hours=1)
    ticket = _ticket_with_clocks(created=t0, team=TeamFactory(supervisor=supervisor))
    due_at = ticket.first_reply_due_at
    Notification.objects.create(
        channel="in_app",
        user=supervisor,
        body="earlier",
        next_attempt_at=t0,
        dedupe_key=f"sla-breach:{ticket.pk}:first_reply:{due_at.astimezone(UTC).isoformat()}",
    )

    # when
    counts = ticket_sla_scan(now=t0 + timedelta(minutes=20))

    # then
    assert counts["breaches"] == 1
    assert list(Notification.objects.values_list("body", flat=True)) == ["earlier"]


def test_two_clocks_breached_in_one_pass_reassign_once():
    # given a reassigning policy, a late agent and two others online
    SlaPolicyFactory(position=1, escalate_reassign=True, escalate_notify_supervisor=False)
    team = TeamFactory()
    slow = AgentProfileFactory(team=team, active_ticket_count=1)
    AgentProfileFactory(team=team)
    AgentProfileFactory(team=team)
    ticket = _ticket_with_clocks(
        created=timezone.now() - timedelta(days=40), team=team, assignee=slow.user
    )

    # when
    ticket_sla_scan(now=timezone.now())

    # then
    ticket.refresh_from_db()
    [assigned] = _events(ticket, EventType.ASSIGNED)
    assert assigned.data["from"] == slow.user.pk
    assert ticket.assignee_id not in (None, slow.user.pk)
    assert len(_events(ticket, EventType.SLA_BREACH)) == 2
