import json
from importlib import import_module
from numbers import Number

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from shopdesk.accounts.models import AgentProfile, Customer
from shopdesk.orders.models import Order
from shopdesk.tickets.bench import BenchConfig, BenchError, bench_tickets
from shopdesk.tickets.bench_people import BENCH, bench_people
from shopdesk.tickets.bench_seed import SeedConfig, bench_reset, bench_seed, seeded_tickets
from shopdesk.tickets.models import Ticket, TicketEvent
from shopdesk.tickets.states import ACTIVE_STATUSES, TicketStatus
from shopdesk.tickets.tests.factories import TicketFactory


@pytest.mark.django_db
def test_bench_refuses_big_runs_off_postgresql():
    if connection.vendor == "postgresql":
        pytest.skip("only SQLite is refused")
    # when / then
    with pytest.raises(BenchError, match="DATABASE_URL=postgres"):
        bench_tickets(config=BenchConfig(tickets=20_001))
    with pytest.raises(CommandError, match="measures PostgreSQL"):
        call_command("bench_tickets", "--tickets", "1000000")
    assert Ticket.objects.count() == 0


@pytest.mark.django_db
def test_seed_makes_consistent_tickets_resumes_and_resets():
    # given
    people = bench_people(agents=4, customers=20, seed=1)
    other = TicketFactory()  # not the bench's: reset must keep it
    config = SeedConfig(tickets=200, active=20, seed=1, batch=70)
    # when
    first = bench_seed(config=config, people=people)
    again = bench_seed(config=config, people=people)
    # then
    assert first["created"] == 200
    assert again["created"] == 0  # resumable: nothing left to add
    tickets = seeded_tickets()
    assert tickets.count() == 200
    assert tickets.filter(status__in=list(ACTIVE_STATUSES)).count() == 20
    assert 2 * 200 <= TicketEvent.objects.filter(ticket__in=tickets).count() <= 4 * 200
    closed = tickets.filter(status=TicketStatus.CLOSED)
    assert closed.exists()
    assert not closed.filter(closed_at__isnull=True).exists()
    assert not closed.filter(sla_next_at__isnull=False).exists()
    running = tickets.filter(status__in=[TicketStatus.NEW, TicketStatus.OPEN])
    assert not running.filter(first_reply_due_at__isnull=True).exists()
    assert not running.filter(sla_due_at__isnull=True, sla_breached_at__isnull=True).exists()
    assert all(t.number.endswith(f"-{t.pk:06d}") for t in tickets[:20])
    loads = sum(
        AgentProfile.objects.filter(user_id__in=people.agent_ids).values_list(
            "active_ticket_count", flat=True
        )
    )
    assert loads == tickets.filter(status__in=list(ACTIVE_STATUSES), assignee__isnull=False).count()
    # when
    reset = bench_reset()
    # then
    assert reset["tickets_deleted"] == 200
    assert list(Ticket.objects.all()) == [other]
    assert not Customer.objects.filter(source=BENCH).exists()
    assert not Order.objects.filter(source=BENCH).exists()


@pytest.mark.django_db(transaction=True)
def test_bench_reports_every_figure(capsys):
    # given the seeded defaults (a browser test run before may have flushed them)
    import_module("shopdesk.tickets.migrations.0002_defaults").forwards(apps, None)
    # when: the whole code path at a tiny scale (gunicorn on PostgreSQL, in-process on SQLite)
    call_command(
        "bench_tickets", "--tickets", "300", "--creates", "12", "--clients", "2",
        "--samples", "4", "--json",
    )  # fmt: skip
    # then
    result = json.loads(capsys.readouterr().out)
    assert result["database"] == connection.vendor
    assert result["seed"]["created"] == 300
    assert 600 <= result["seed"]["events"] <= 1200
    assert result["bench_tickets"] == 300
    scan = result["sla_scan"]
    assert scan["bench_open_tickets"] == 30
    assert scan["selected"] == scan["due_before_scan"] <= 30
    assert isinstance(scan["seconds"], Number)
    assert result["server"]["kind"] == (
        "gunicorn" if connection.vendor == "postgresql" else "in-process"
    )
    create = result["create"]
    assert create["created"] == 12
    assert create["failures"] == {}
    assert create["p95_ms"] >= create["p50_ms"] > 0
    assert create["per_second"] > 0
    cases = result["queues"]["cases"]
    assert set(cases) == {
        f"{kind}_{queue}"
        for kind in ("console", "api")
        for queue in ("mine", "unassigned", "breaching")
    }
    pages = result["ticket_page"]["cases"]
    for case in [*cases.values(), *pages.values()]:
        assert case["ok"] is True
        assert case["samples"] == 4
        assert case["p99_ms"] >= case["p95_ms"] >= case["p50_ms"] > 0
    for page in result["queries"].values():
        assert page["status"] == 200
        assert 0 < page["queries"] < 40
    assert result["peak_rss_mb"] > 10
    assert set(result["summary"]) == {
        "create_p95_ms",
        "queue_p95_ms",
        "sla_scan_seconds",
        "ticket_page_p95_ms",
    }
    for figure in result["summary"].values():
        assert isinstance(figure["value"], Number)
        assert isinstance(figure["met"], bool)
