import json
from numbers import Number

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from shopdesk.orders.bench import BenchConfig, BenchError, bench_orders
from shopdesk.orders.models import Order

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the benchmark's import runs in a child process against PostgreSQL",
)


@pytest.mark.django_db
def test_bench_refuses_sqlite_without_the_flag():
    if connection.vendor == "postgresql":
        pytest.skip("only SQLite is refused")
    # when / then
    with pytest.raises(BenchError, match="DATABASE_URL=postgres"):
        bench_orders(config=BenchConfig(orders=10))
    with pytest.raises(CommandError, match="--allow-sqlite"):
        call_command("bench_orders", "--orders", "10")
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_bench_refuses_zero_orders():
    with pytest.raises(BenchError, match="at least 1"):
        bench_orders(config=BenchConfig(orders=0, allow_sqlite=True))


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_bench_reports_every_figure_as_numbers(capsys):
    # when: the whole code path at a tiny scale
    call_command("bench_orders", "--orders", "200", "--query-runs", "2", "--json")
    # then
    result = json.loads(capsys.readouterr().out)
    assert result["database"] == "postgresql"
    assert result["import"]["orders"] == 200
    assert Order.objects.count() == 200
    for key in ("orders_per_second", "seconds", "peak_rss_mb", "wall_seconds"):
        assert isinstance(result["import"][key], Number)
    assert result["import"]["peak_rss_mb"] > 10
    assert result["copy"]["rows"] >= 200 + 200  # at least the orders and their items
    assert isinstance(result["copy"]["rows_per_second"], Number)
    names = [case["name"] for case in result["queries"]["cases"]]
    assert len(names) == 10
    assert {"customer_phone", "sku", "tracking_number", "late", "page_200"} <= set(names)
    for case in result["queries"]["cases"]:
        assert isinstance(case["p50_ms"], Number)
        assert case["p95_ms"] >= case["p50_ms"]
    assert result["detail"]["samples"] == 200
    assert isinstance(result["detail"]["p95_ms"], Number)
    assert set(result["summary"]) == {
        "import_orders_per_second",
        "query_p95_ms",
        "detail_p95_ms",
        "import_peak_mb",
    }
    for figure in result["summary"].values():
        assert isinstance(figure["value"], Number)
        assert isinstance(figure["met"], bool)
