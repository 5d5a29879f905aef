"""`shopdesk bench orders`: import, COPY, query and detail figures as one JSON object."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shopdesk.orders.bench import BenchConfig, BenchError, bench_orders


class Command(BaseCommand):
    help = (
        "Benchmark the orders domain on PostgreSQL: Olist import rate and peak memory, a COPY "
        "reference, p50/p95 of ten typical order queries and of order detail reads, each next "
        "to its target. Prints one JSON object. Run it on a fresh database: it imports N orders."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--orders", type=int, default=100_000, help="orders (default 100000)")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--keep", action="store_true", help="keep (and reuse) the folder under var/bench/"
        )
        parser.add_argument(
            "--allow-sqlite", action="store_true", help="run on SQLite anyway (a smoke test)"
        )
        parser.add_argument("--query-runs", type=int, default=20, help="timed runs per query")
        parser.add_argument("--json", action="store_true", help="accepted; output is JSON anyway")

    def handle(self, *args: Any, **options: Any) -> None:
        config = BenchConfig(
            orders=options["orders"],
            seed=options["seed"],
            keep=options["keep"],
            allow_sqlite=options["allow_sqlite"],
            query_runs=max(1, options["query_runs"]),
        )
        try:
            result = bench_orders(config=config)
        except BenchError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result, ensure_ascii=False))
