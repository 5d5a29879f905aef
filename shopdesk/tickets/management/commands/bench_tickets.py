"""`shopdesk bench tickets`: seed, SLA scan, API creates, queues and ticket pages as one JSON."""

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shopdesk.tickets.bench import BenchConfig, BenchError, bench_tickets


class Command(BaseCommand):
    help = (
        "Benchmark the ticket system on PostgreSQL: seed N tickets (COPY), time one SLA scan, "
        "ticket creation through the API (gunicorn, concurrent clients), agent queues and "
        "ticket pages (p50/p95/p99), each next to its target. Prints one JSON object. "
        "Progress goes to stderr."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, default=100_000, help="tickets to seed")
        parser.add_argument("--creates", type=int, default=2000, help="tickets POSTed to the API")
        parser.add_argument("--clients", type=int, default=8, help="concurrent API clients")
        parser.add_argument("--samples", type=int, default=100, help="requests per page case")
        parser.add_argument(
            "--reset", action="store_true", help="delete the bench's tickets, orders, customers"
        )
        parser.add_argument(
            "--skip-seed", action="store_true", help="measure the tickets already seeded"
        )
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--json", action="store_true", help="accepted; output is JSON anyway")

    def handle(self, *args: Any, **options: Any) -> None:
        config = BenchConfig(
            tickets=options["tickets"],
            creates=options["creates"],
            clients=options["clients"],
            samples=options["samples"],
            reset=options["reset"],
            skip_seed=options["skip_seed"],
            seed=options["seed"],
        )
        try:
            result = bench_tickets(config=config, progress=self._progress)
        except BenchError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _progress(self, message: str) -> None:
        sys.stderr.write(f"bench tickets: {message}\n")
