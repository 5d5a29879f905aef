"""The shape every `shopdesk <thing> stats` command shares: a period, a merchant, JSON or a table.

The CLI runs with full scope (user=None): it is the operator's tool, not a page.
"""

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shopdesk.core.errors import DomainError


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"'{value}' is not a date: use YYYY-MM-DD, e.g. 2026-11-11.") from exc


class PeriodStatsCommand(BaseCommand):
    """Subclasses name the day they filter on and provide compute() and table()."""

    day_word = "created"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from", dest="date_from", help=f"first day {self.day_word}, YYYY-MM-DD"
        )
        parser.add_argument("--to", dest="date_to", help=f"last day {self.day_word} (inclusive)")
        parser.add_argument("--merchant", type=int, help="merchant id")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        date_from = parse_day(options["date_from"]) if options["date_from"] else None
        date_to = parse_day(options["date_to"]) if options["date_to"] else None
        try:
            stats = self.compute(
                date_from=date_from, date_to=date_to, merchant_id=options["merchant"]
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(stats.as_dict(), ensure_ascii=False))
        else:
            self.table(stats)

    def compute(
        self, *, date_from: date | None, date_to: date | None, merchant_id: int | None
    ) -> Any:
        raise NotImplementedError

    def table(self, stats: Any) -> None:
        raise NotImplementedError
