"""`shopdesk bench surveys`: survey report, response submit and CSV analysis against targets."""

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shopdesk.surveys.bench import BenchConfig, BenchError, bench_surveys


class Command(BaseCommand):
    help = (
        "Benchmark the surveys on PostgreSQL: seed N complete responses of the ecommerce-service "
        "questionnaire over 12 months (COPY), time the report (target 2 s), submitting a "
        "response over HTTP (p95 target 50 ms) and `shopdesk survey analyze` on a generated "
        "CSV (target 3 s). Prints one JSON object; progress goes to stderr."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--responses", type=int, default=1_000_000, help="responses to seed")
        parser.add_argument("--submits", type=int, default=300, help="responses POSTed over HTTP")
        parser.add_argument("--csv-rows", type=int, default=100_000, help="rows of the CSV")
        parser.add_argument("--samples", type=int, default=5, help="timed runs per report case")
        parser.add_argument("--reset", action="store_true", help="delete the bench survey first")
        parser.add_argument(
            "--skip-seed", action="store_true", help="measure the responses already seeded"
        )
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--json", action="store_true", help="accepted; output is JSON anyway")

    def handle(self, *args: Any, **options: Any) -> None:
        config = BenchConfig(
            responses=options["responses"],
            submits=options["submits"],
            csv_rows=options["csv_rows"],
            samples=options["samples"],
            reset=options["reset"],
            skip_seed=options["skip_seed"],
            seed=options["seed"],
        )
        try:
            result = bench_surveys(config=config, progress=self._progress)
        except BenchError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _progress(self, message: str) -> None:
        sys.stderr.write(f"bench surveys: {message}\n")
