"""`shopdesk orders stats`: order-processing speed over all orders (the CLI has full scope)."""

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shopdesk.core.errors import DomainError
from shopdesk.orders.stats import OrderProcessingStats, order_processing_stats


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"'{value}' is not a date: use YYYY-MM-DD, e.g. 2026-11-11.") from exc


def _fmt(hours: float | None) -> str:
    return "-" if hours is None else f"{hours:.2f}"


class Command(BaseCommand):
    help = (
        "Order counts by status, review / outbound / delivery / whole-cycle times in hours "
        "(mean, median, p90) and the on-time delivery rate, for orders placed in [--from, --to]."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="date_from", help="first day placed, YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", help="last day placed (inclusive)")
        parser.add_argument("--merchant", type=int, help="merchant id")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        date_from = _date(options["date_from"]) if options["date_from"] else None
        date_to = _date(options["date_to"]) if options["date_to"] else None
        try:
            # user=None: the operator running the CLI sees every order.
            stats = order_processing_stats(
                user=None, date_from=date_from, date_to=date_to, merchant_id=options["merchant"]
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(stats.as_dict(), ensure_ascii=False))
        else:
            self._table(stats)

    def _table(self, stats: OrderProcessingStats) -> None:
        self.stdout.write(f"orders: {stats.order_count}")
        for status, count in stats.status_counts.items():
            self.stdout.write(f"  {status:<10} {count:>10}")
        self.stdout.write(f"{'stage (hours)':<34} {'n':>9} {'mean':>9} {'median':>9} {'p90':>9}")
        for s in stats.stages:
            self.stdout.write(
                f"{s.label:<34} {s.count:>9} {_fmt(s.mean_hours):>9} "
                f"{_fmt(s.median_hours):>9} {_fmt(s.p90_hours):>9}"
            )
        rate = "-" if stats.on_time_rate is None else f"{stats.on_time_rate:.2%}"
        self.stdout.write(
            f"on-time delivery rate: {rate} ({stats.delivered_on_time}/"
            f"{stats.delivered_with_promise}; target {stats.on_time_target:.0%})"
        )
