import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from shopdesk.accounts.roles import Role
from shopdesk.accounts.tests.factories import MerchantFactory, UserFactory
from shopdesk.core.errors import DomainError
from shopdesk.tickets.models import Ticket
from shopdesk.tickets.stats import ticket_stats
from shopdesk.tickets.tests.factories import CategoryFactory, TicketFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 2)
PEAK = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)  # 10:00 local: peak
OFF_PEAK = datetime(2026, 3, 2, 14, 0, tzinfo=SHANGHAI)
NOW = datetime(2026, 3, 2, 16, 0, tzinfo=SHANGHAI)


def _ticket(created, reply_minutes=None, **fields):
    ticket = TicketFactory(**fields)
    replied = None if reply_minutes is None else created + timedelta(minutes=reply_minutes)
    # created_at is auto_now_add: set the past afterwards.
    Ticket.objects.filter(pk=ticket.pk).update(created_at=created, first_replied_at=replied)
    return ticket


def _textbook_set(merchant=None):
    """Replies after 1, 3, 5, 7, 9 minutes at peak; 2, 4, 6, 8, 20 off-peak; two unanswered."""
    logistics = CategoryFactory(code="logistics_delay")
    extra = {"merchant": merchant} if merchant else {}
    for minutes in (1, 3, 5, 7, 9):
        _ticket(PEAK, minutes, category=logistics, channel="phone", **extra)
    rows = [
        {"status": "resolved", "rating": 5, "bounce_count": 2, "handoff_count": 3},
        {"status": "resolved", "rating": 4, "bounce_count": 1, "handoff_count": 1},
        {"status": "closed", "rating": 2, "sla_breached_at": NOW},
        {"status": "closed", "rating": 5, "reopen_count": 1, "responsible_party": "merchant"},
        {"status": "resolved", "sla_breached_at": NOW},
    ]
    for minutes, row in zip((2, 4, 6, 8, 20), rows, strict=True):
        _ticket(OFF_PEAK, minutes, **row, **extra)
    # Unanswered: one waiting 2 hours (due), one opened 3 minutes ago (not due yet).
    _ticket(OFF_PEAK, None, status="resolved", sla_breached_at=NOW, **extra)
    _ticket(NOW - timedelta(minutes=3), None, **extra)


@pytest.mark.django_db
def test_first_reply_times_are_textbook_mean_median_p90():
    # given
    _textbook_set()
    # when
    stats = ticket_stats(user=None, date_from=DAY, date_to=DAY, now=NOW)
    # then: replies after 1 to 9 and 20 minutes
    reply = stats.first_reply
    assert reply.count == 10
    assert reply.mean == pytest.approx(6.5)
    assert reply.median == pytest.approx(5.5)  # (5 + 6) / 2
    assert reply.p90 == pytest.approx(10.1)  # h = 9 * 0.9 = 8.1: 9 + 0.1 * (20 - 9)
    assert reply.std_dev == pytest.approx(((685 - 65**2 / 10) / 9) ** 0.5)  # 5.4006
    assert reply.cv == pytest.approx(5.40062 / 6.5, rel=1e-4)


@pytest.mark.django_db
def test_peak_and_off_peak_are_split_by_local_hour():
    # given
    _textbook_set()
    # when
    stats = ticket_stats(user=None, now=NOW)
    # then: peak [1, 3, 5, 7, 9], off-peak [2, 4, 6, 8, 20]
    peak, off = stats.first_reply_peak, stats.first_reply_off_peak
    assert (peak.count, peak.mean, peak.median) == (5, pytest.approx(5), pytest.approx(5))
    assert peak.p90 == pytest.approx(8.2)  # h = 3.6: 7 + 0.6 * 2
    assert peak.std_dev == pytest.approx(10**0.5)
    assert (off.count, off.mean, off.median) == (5, pytest.approx(8), pytest.approx(6))
    assert off.p90 == pytest.approx(15.2)  # 8 + 0.6 * 12


@pytest.mark.django_db
def test_rates_counts_and_satisfaction():
    # given
    _textbook_set()
    # when
    stats = ticket_stats(user=None, now=NOW)
    # then
    assert stats.ticket_count == 12
    assert (stats.within_target, stats.within_target_due) == (9, 11)
    rates = stats.rates
    assert rates["first_reply_within_target"] == pytest.approx(9 / 11)
    assert stats.meets_target is False
    assert rates["resolution"] == pytest.approx(6 / 12)
    assert rates["sla_breach"] == pytest.approx(3 / 12)
    assert rates["reopen"] == pytest.approx(1 / 12)
    assert rates["handoff"] == pytest.approx(2 / 12)
    assert rates["bounce"] == pytest.approx(2 / 12)
    assert rates["bounces_per_ticket"] == pytest.approx(3 / 12)
    assert rates["mean_rating"] == pytest.approx(4.0)  # (5 + 4 + 2 + 5) / 4
    assert rates["csat"] == pytest.approx(3 / 4)
    assert stats.by_status["resolved"] == 4
    assert stats.by_status["closed"] == 2
    assert stats.by_status["new"] == 6
    assert stats.by_category["logistics_delay"] == 5
    assert stats.by_category["other"] == 7
    assert stats.by_channel["phone"] == 5
    assert stats.by_channel["portal"] == 7
    assert stats.by_party == {"platform": 11, "merchant": 1}


@pytest.mark.django_db
def test_window_and_merchant_filter():
    # given: the set for one merchant, one ticket the day before, one of another merchant
    merchant = MerchantFactory()
    _textbook_set(merchant=merchant)
    _ticket(PEAK - timedelta(days=1), 1, merchant=merchant)
    _ticket(PEAK, 1, merchant=MerchantFactory())
    # when
    day = ticket_stats(user=None, date_from=DAY, date_to=DAY, merchant_id=merchant.pk, now=NOW)
    everything = ticket_stats(user=None, now=NOW)
    # then
    assert day.ticket_count == 12
    assert day.first_reply.median == pytest.approx(5.5)
    assert everything.ticket_count == 14


@pytest.mark.django_db
def test_merchant_staff_see_figures_of_their_merchant_only():
    # given
    merchant = MerchantFactory()
    staff = UserFactory(role=Role.MERCHANT_STAFF, merchant=merchant)
    _ticket(PEAK, 4, merchant=merchant)
    _ticket(PEAK, 8, merchant=MerchantFactory())
    # when
    stats = ticket_stats(user=staff, now=NOW)
    # then
    assert stats.ticket_count == 1
    assert stats.first_reply.mean == pytest.approx(4)


@pytest.mark.django_db
def test_no_tickets_gives_empty_figures():
    # when
    stats = ticket_stats(user=None, now=NOW)
    # then
    assert stats.ticket_count == 0
    assert stats.first_reply.median is None
    assert stats.first_reply.cv is None
    assert stats.rates["csat"] is None
    assert stats.by_status["new"] == 0


def test_start_after_end_is_refused():
    with pytest.raises(DomainError, match="swap"):
        ticket_stats(user=None, date_from=date(2026, 3, 5), date_to=date(2026, 3, 1))


@pytest.mark.django_db
def test_command_prints_json_and_table(capsys):
    # given
    _textbook_set()
    # when
    call_command("tickets_stats", "--json", "--from", "2026-03-02", "--to", "2026-03-02")
    data = json.loads(capsys.readouterr().out)
    call_command("tickets_stats")
    table = capsys.readouterr().out
    # then
    assert data["ticket_count"] == 12
    assert data["first_reply"]["p90"] == pytest.approx(10.1)
    assert data["first_reply"]["cv"] == pytest.approx(5.40062 / 6.5, rel=1e-4)
    assert data["rates"]["csat"] == pytest.approx(0.75)
    assert data["peak_hours"] == [9, 10, 11, 19, 20, 21, 22]
    assert "tickets: 12" in table
    assert "CSAT: 75.0% (3/4)" in table


def test_command_rejects_a_bad_date():
    with pytest.raises(CommandError, match="not a date"):
        call_command("tickets_stats", "--from", "2026-13-01")


@pytest.mark.django_db
def test_query_count(django_assert_num_queries):
    # given
    _textbook_set()
    # PostgreSQL: the GROUP BY and one aggregate row; SQLite adds two percentile reads per group.
    expected = 2 if connection.vendor == "postgresql" else 2 + 3 * 2
    # when / then
    with django_assert_num_queries(expected):
        ticket_stats(user=None, now=NOW)
